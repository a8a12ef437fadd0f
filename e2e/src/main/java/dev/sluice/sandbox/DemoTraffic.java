package dev.sluice.sandbox;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The demo's traffic through the sidecars, each outcome a check: a greeting carrying the score the
 * IP-reputation agent set, a 32 MiB HTTP/1.1 → h2c upload whose digest the backend confirms, a
 * request the WAF agent blocks (step 6); then a rolling reload under traffic that fails no request
 * (step 7).
 */
final class DemoTraffic {
  static final int UPLOAD_BYTES = 32 * 1024 * 1024;

  private final Narration narration;
  private final ShopDemo shop;
  private final ShopRoute route;
  private final HttpClient http;

  DemoTraffic(Narration narration, ShopDemo shop) {
    this.narration = narration;
    this.shop = shop;
    this.route = shop.route();
    this.http = shop.trafficClient();
  }

  /** Step 6, through the first pod's sidecar. */
  void requests() throws Exception {
    String ip = shop.pods().get(0).ip();
    greeting(ip);
    upload(ip);
    blocked(ip);
  }

  private void greeting(String ip) throws Exception {
    HttpResponse<String> hello = ShopRequests.send(http, ShopRequests.get(ip, "/"));
    narration.check(
        hello.statusCode() == 200
            && hello.body().startsWith("storefront: hello")
            && hello.body().contains("IP reputation score"),
        "GET https://shop.example.com/ via "
            + ip
            + " -> "
            + hello.statusCode()
            + " "
            + hello.body().trim());
  }

  /** upload-store answers only after END_STREAM, with the digest and length of what it got. */
  private void upload(String ip) throws Exception {
    byte[] upload = new byte[UPLOAD_BYTES];
    new SecureRandom().nextBytes(upload);
    String expected = HexFormat.of().formatHex(DemoBackends.sha256().digest(upload));
    long started = System.nanoTime();
    HttpResponse<String> stored =
        ShopRequests.send(
            http,
            ShopRequests.request(ip, "/upload/demo.bin")
                .POST(HttpRequest.BodyPublishers.ofByteArray(upload))
                .build());
    double seconds = (System.nanoTime() - started) / 1e9;
    narration.check(
        stored.statusCode() == 200
            && stored.body().contains("sha256=" + expected)
            && stored.body().contains("bytes=" + UPLOAD_BYTES),
        String.format(
            "POST 32 MiB HTTP/1.1 -> h2c upload-store: %d, digest matches, END_STREAM"
                + " seen by the backend (%.0f MiB/s)",
            stored.statusCode(), 32 / seconds));
  }

  private void blocked(String ip) throws Exception {
    HttpResponse<String> blocked =
        ShopRequests.send(
            http,
            ShopRequests.request(ip, "/upload/attack")
                .POST(HttpRequest.BodyPublishers.ofString("x"))
                .build());
    narration.check(
        blocked.statusCode() == 403,
        "POST /upload/attack -> " + blocked.body().trim() + " (the WAF agent said blocked)");
    long notifications = shop.agents().wafNotifications.get();
    narration.check(
        notifications >= 2, "the WAF agent received " + notifications + " NOTIFY frames over SPOP");
  }

  /**
   * Step 7: the route's first rule gets a new request timeout while {@link RolloutTraffic} sends
   * requests to every pod; the route must be Ready again on a new revision, no request failed.
   */
  void rollingReload() throws Exception {
    String before = route.get().getStatus().revision();
    RolloutTraffic traffic = new RolloutTraffic(http, shop.pods());
    traffic.start();
    route.edit(
        edited -> {
          edited
              .getSpec()
              .rules()
              .set(0, ShopRoute.withRequestTimeout(edited.getSpec().rules().get(0), "45s"));
          return edited;
        });
    boolean rolled =
        route.awaitReady(Duration.ofSeconds(90))
            && !Objects.equals(route.get().getStatus().revision(), before);
    traffic.stop();
    narration.check(
        rolled,
        "ProxyRoute shop Ready again on revision "
            + route.get().getStatus().revision()
            + " (was "
            + before
            + ")");
    narration.check(
        traffic.failed() == 0,
        traffic.sent() + " requests during the rollout, " + traffic.failed() + " failed");
  }
}
