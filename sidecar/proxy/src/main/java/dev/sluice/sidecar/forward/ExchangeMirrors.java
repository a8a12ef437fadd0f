package dev.sluice.sidecar.forward;

import dev.sluice.sidecar.mirror.MirrorCopy;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;

/**
 * An exchange's copies to its rule's mirrors: begun when the request's head first goes upstream
 * (after the offload's request phase, with the rule's header modifiers, rewrite and the agents'
 * header actions: the request as sent upstream, each head written for its mirror's protocol), fed
 * every body object the request sends, told when the exchange ends. A tunnel (an upgrade, an
 * extended CONNECT) is not copied: it is no request a mirror could answer.
 */
final class ExchangeMirrors {
  private final Exchange exchange;
  private List<MirrorCopy> copies = List.of();
  private boolean begun;

  ExchangeMirrors(Exchange exchange) {
    this.exchange = exchange;
  }

  /** The request's head goes upstream (the first try's; a retry's is no new request). */
  void begin() {
    if (begun) {
      return;
    }
    begun = true;
    if (exchange.rule.mirrors().isEmpty() || exchange.upgrade != null || exchange.connect != null) {
      return;
    }
    copies = exchange.rule.mirrors().copies(exchange.loop);
    for (MirrorCopy copy : copies) {
      HttpRequest head = exchange.headForUpstream(copy.http2(), exchange.bodyless);
      exchange.offload().requestHeaders(head);
      copy.head(head, exchange.bodyless);
    }
  }

  /** A body object on its way upstream, before it is written (still readable; not owned). */
  void body(HttpContent content) {
    for (MirrorCopy copy : copies) {
      copy.body(content);
    }
  }

  /** The exchange ended: copies without the whole request drop it. */
  void ended() {
    for (MirrorCopy copy : copies) {
      copy.requestEnded();
    }
  }
}
