package dev.sluice.sandbox;

import dev.sluice.operator.certs.Certificates;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Requests to the shop through one pod's sidecar, as a client behind a load balancer sends them:
 * HTTPS (ALPN http/1.1) to the pod's address on 8443, asking for shop.example.com, trusting the
 * shop's CA (see {@link SandboxMain#allowHostHeaderAndIpTargets}).
 */
final class ShopRequests {
  private ShopRequests() {}

  /** An HTTP/1.1 client trusting {@code caPem}, the CA of the shop's certificate. */
  static HttpClient client(String caPem) {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .sslContext(Certificates.trusting(caPem))
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  static HttpRequest.Builder request(String ip, String path) {
    return HttpRequest.newBuilder(URI.create("https://" + ip + ":8443" + path))
        .header("Host", "shop.example.com")
        .timeout(Duration.ofSeconds(60));
  }

  static HttpRequest get(String ip, String path) {
    return request(ip, path).GET().build();
  }

  static HttpResponse<String> send(HttpClient http, HttpRequest request) throws Exception {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
