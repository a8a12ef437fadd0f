package dev.sluice.operator.testing;

import dev.sluice.sidecar.config.ClusterEndpoints;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;

/**
 * The endpoint half of a sidecar, in-process: a real HTTPS client that long-polls its pod's
 * endpoint document with {@code known=<version>} on a connection of its own, reads it as the
 * sidecar does (validated), and ACKs it applied, as docs/design/20261206-live-endpoints.md says.
 * Every document is kept with the {@code System.nanoTime} it arrived at.
 */
public final class SimulatedEndpoints implements AutoCloseable {
  /** A document and when it arrived. */
  public record Received(ClusterEndpoints document, long nanos) {}

  private final String pod;
  private final String base;
  private final String token;
  private final HttpClient http;
  private final Thread thread;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private volatile boolean running = true;

  public SimulatedEndpoints(
      String configService, String namespace, String pod, String token, SSLContext trust) {
    this.pod = pod;
    this.base = configService + "/v1/pods/" + namespace + "/" + pod;
    this.token = token;
    this.http =
        HttpClient.newBuilder().sslContext(trust).connectTimeout(Duration.ofSeconds(2)).build();
    this.thread = new Thread(this::run, "endpoints-" + pod);
    thread.setDaemon(true);
    thread.start();
  }

  /** Every document it got, in order. */
  public List<Received> received() {
    return received;
  }

  /** The clusters of its latest document (empty before the first). */
  public Map<String, List<dev.sluice.sidecar.config.Endpoint>> clusters() {
    return received.isEmpty() ? Map.of() : received.get(received.size() - 1).document().clusters();
  }

  /** The first document it got with {@code version}, if any. */
  public java.util.Optional<Received> firstWith(String version) {
    return received.stream().filter(r -> version.equals(r.document().version())).findFirst();
  }

  private void run() {
    String known = "";
    while (running) {
      try {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(URI.create(base + "/endpoints?known=" + known))
                    .header("Authorization", "Bearer " + token)
                    .timeout(Duration.ofSeconds(30))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          long at = System.nanoTime();
          ClusterEndpoints document = SidecarConfigCodec.readEndpoints(response.body(), base);
          received.add(new Received(document, at));
          known = document.version();
          ack(known);
        } else if (response.statusCode() != 204) {
          Thread.sleep(50); // as the sidecar: back off before asking again
        }
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        if (!running) {
          return;
        }
        try {
          Thread.sleep(100); // as the sidecar: back off before asking again
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  private void ack(String version) throws java.io.IOException, InterruptedException {
    http.send(
        HttpRequest.newBuilder(URI.create(base + "/endpoints/status"))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"version\":\"" + version + "\",\"outcome\":\"Applied\"}"))
            .build(),
        HttpResponse.BodyHandlers.discarding());
  }

  @Override
  public String toString() {
    return pod;
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join(5_000);
  }
}
