package dev.sluice.sidecar.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A rule that redirects answers at once, without asking for a lease: the Location built from the
 * request, the exchange logged as run to its end ({@code -- redirect}), a body still arriving
 * released and the HTTP/1.1 connection not kept (its rest is read and discarded before the close).
 */
class RedirectExchangeTest {
  private final List<Object> owned = new ArrayList<>();

  @AfterEach
  void releaseWhatTheFakesKept() {
    owned.forEach(ReferenceCountUtil::release);
  }

  private ExchangeHarness harness() throws Exception {
    return new ExchangeHarness(
        Set.of(),
        owned,
        """
        redirect: {scheme: https, hostname: shop.example, path: {type: ReplaceFullPath, value: /new}}
        """);
  }

  @Test
  void aBodylessRequestIsRedirectedAndTheConnectionKept() throws Exception {
    ExchangeHarness h = harness();
    h.start(h.get("/old?q=1"));
    assertThat(h.downstream.statuses()).containsExactly(302);
    assertThat(((HttpResponse) h.downstream.written.get(0)).headers().get(HttpHeaderNames.LOCATION))
        .isEqualTo("https://shop.example/new?q=1");
    assertThat(h.leases).as("no lease asked for").isEmpty();
    h.assertEnded(true, "true/true");
    h.assertLogged("-- redirect", 302);
  }

  @Test
  void aBodyStillArrivingIsReleasedAndTheConnectionNotKept() throws Exception {
    ExchangeHarness h = harness();
    h.start(h.post("/old", "5"));
    assertThat(h.downstream.statuses()).containsExactly(302);
    h.body("12345", true);
    assertThat(h.leases).isEmpty();
    h.assertEnded(true, "false/false");
    h.assertLogged("-- redirect", 302);
  }
}
