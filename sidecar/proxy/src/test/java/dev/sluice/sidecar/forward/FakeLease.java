package dev.sluice.sidecar.forward;

import dev.sluice.sidecar.upstream.StreamRefusedException;
import dev.sluice.sidecar.upstream.UpstreamExchange;
import dev.sluice.sidecar.upstream.UpstreamLease;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** One lease: records what it was sent and how it was given back. */
final class FakeLease implements UpstreamLease {
  final ExchangeHarness harness;
  final List<HttpObject> sent = new ArrayList<>();
  boolean refuses;
  UpstreamExchange bound;
  Boolean released;
  int releases;

  FakeLease(ExchangeHarness harness) {
    this.harness = harness;
  }

  @Override
  public ChannelFuture write(HttpObject msg) {
    sent.add(msg);
    harness.owned.add(msg);
    if (refuses) {
      return harness.channel.newFailedFuture(new StreamRefusedException("refused by the test"));
    }
    return harness.channel.newSucceededFuture();
  }

  /** The upstream answers {@code msg} (ownership passes to the exchange). */
  void respond(HttpObject msg) {
    bound.onResponseObject(msg);
  }

  String sentBody() {
    StringBuilder body = new StringBuilder();
    for (HttpObject msg : sent) {
      if (msg instanceof HttpContent content && !(msg instanceof HttpRequest)) {
        body.append(content.content().toString(StandardCharsets.US_ASCII));
      }
    }
    return body.toString();
  }

  boolean lastSent() {
    return sent.stream().anyMatch(m -> m instanceof io.netty.handler.codec.http.LastHttpContent);
  }

  @Override
  public boolean isWritable() {
    return true;
  }

  @Override
  public void read() {}

  @Override
  public void bind(UpstreamExchange exchange) {
    bound = exchange;
  }

  @Override
  public ByteBufAllocator alloc() {
    return harness.channel.alloc();
  }

  @Override
  public boolean http2() {
    return true;
  }

  @Override
  public @Nullable Channel takeForTunnel() {
    return null;
  }

  @Override
  public boolean acceptsExtendedConnect() {
    return false;
  }

  @Override
  public void tunneled() {}

  @Override
  public void release(boolean reusable) {
    releases++;
    released = reusable;
  }
}
