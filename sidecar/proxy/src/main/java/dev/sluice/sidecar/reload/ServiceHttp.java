package dev.sluice.sidecar.reload;

import dev.sluice.sidecar.config.ContractVersions;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP to the operator's config service for one pod ({@code <base>}): its own client (so its own
 * connections), the pod's projected token as a bearer token re-read for every request (the kubelet
 * rotates it), and trust in the CA file as it is now (re-read before each long-poll).
 */
final class ServiceHttp {
  private static final Logger log = LoggerFactory.getLogger(ServiceHttp.class);

  private final URI base;
  private final @Nullable Path tokenFile;
  private final @Nullable Path caFile;
  private final int contract;
  private volatile @Nullable String caPem;
  private volatile HttpClient http;

  /**
   * {@code tokenFile}, {@code caFile}: null for none; a bad CA file throws naming it. {@code
   * contract}: the contract version every request announces ({@link ContractVersions#HEADER}).
   */
  ServiceHttp(URI base, @Nullable Path tokenFile, @Nullable Path caFile, int contract) {
    this.base = base;
    this.tokenFile = tokenFile;
    this.caFile = caFile;
    this.contract = contract;
    this.caPem = caFile == null ? null : readQuietly(caFile);
    this.http = client(caFile == null ? null : trusting(caFile));
  }

  /** Another one with the same settings and a client of its own (its own connections). */
  ServiceHttp another() {
    return new ServiceHttp(base, tokenFile, caFile, contract);
  }

  URI base() {
    return base;
  }

  private static HttpClient client(@Nullable SSLContext trust) {
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    if (trust != null) {
      builder.sslContext(trust);
    }
    return builder.build();
  }

  /**
   * Trusts the CA file as it is now: the operator rotates its CA by publishing a bundle with the
   * new and the old CA (the mounted ConfigMap changes in place) before serving a certificate of the
   * new one, so a sidecar that re-reads the file keeps connecting. Checked before every poll; an
   * unreadable or empty file keeps the trust it had.
   */
  void refreshTrust() {
    if (caFile == null) {
      return;
    }
    String now = readQuietly(caFile);
    if (now == null || now.equals(caPem)) {
      return;
    }
    try {
      http = client(trusting(caFile));
      caPem = now;
      log.info("{} changed; trusting its CAs from now on", caFile);
    } catch (IllegalArgumentException e) {
      log.warn("{} changed but is unusable, keeping the earlier trust: {}", caFile, e.getMessage());
    }
  }

  private static @Nullable String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return null;
    }
  }

  /** GETs {@code <base><pathAndQuery>}, waiting at most {@code timeout} for the answer. */
  HttpResponse<String> get(String pathAndQuery, Duration timeout)
      throws IOException, InterruptedException {
    HttpRequest request =
        authorized(HttpRequest.newBuilder(URI.create(base + pathAndQuery)))
            .timeout(timeout)
            .GET()
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** POSTs {@code body} as JSON to {@code <base><path>}. */
  HttpResponse<String> postJson(String path, Object body) throws IOException, InterruptedException {
    HttpRequest request =
        authorized(HttpRequest.newBuilder(URI.create(base + path)))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(SidecarConfigCodec.toJson(body)))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** The pod's token, and the contract this sidecar speaks: the service renders for it. */
  private HttpRequest.Builder authorized(HttpRequest.Builder request) throws IOException {
    request.header(ContractVersions.HEADER, Integer.toString(contract));
    if (tokenFile != null) {
      request.header("Authorization", "Bearer " + Files.readString(tokenFile).trim());
    }
    return request;
  }

  /** An SSLContext trusting the PEM certificates in {@code caFile}. */
  static SSLContext trusting(Path caFile) {
    try (InputStream pem = Files.newInputStream(caFile)) {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (Certificate certificate :
          CertificateFactory.getInstance("X.509").generateCertificates(pem)) {
        trust.setCertificateEntry("ca-" + i++, certificate);
      }
      if (i == 0) {
        throw new IllegalArgumentException(
            "--config-service-ca " + caFile + ": no PEM certificate in it");
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "--config-service-ca " + caFile + ": " + e.getMessage(), e);
    }
  }
}
