package dev.sluice.operator;

import dev.sluice.operator.certs.CaPublisher;
import dev.sluice.operator.certs.CertificateManager;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * What the config service and the webhook present: the operator's own certificates (its Secret,
 * checked every ten minutes, the CA bundle published to namespaces with sidecars) or, when the
 * settings bring a TLS context of their own, that context and no certificates at all.
 */
final class ServingTls implements AutoCloseable {
  static final Duration CA_VALIDITY = Duration.ofDays(3650);
  static final Duration SERVING_VALIDITY = Duration.ofDays(365);
  static final long CHECK_EVERY_MINUTES = 10;

  private final SSLContext context;
  private final @Nullable CertificateManager certificates;
  private final @Nullable ScheduledExecutorService timer;

  private ServingTls(
      SSLContext context,
      @Nullable CertificateManager certificates,
      @Nullable ScheduledExecutorService timer) {
    this.context = context;
    this.certificates = certificates;
    this.timer = timer;
  }

  /** Reads (or creates) the certificates and tells {@code ca} the bundle, now and on changes. */
  static ServingTls start(KubernetesClient client, OperatorSettings settings, CaPublisher ca) {
    if (settings.tls().isPresent()) {
      return new ServingTls(settings.tls().get(), null, null);
    }
    CertificateManager certificates =
        CertificateManager.start(
            client,
            new CertificateManager.Settings(
                settings.operatorNamespace(),
                settings.tlsSecret(),
                settings.service(),
                settings.webhookConfiguration(),
                CA_VALIDITY,
                SERVING_VALIDITY,
                settings.certManager(),
                settings.extraDnsNames()),
            settings.clock());
    certificates.onBundle(ca::bundle);
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    // Runs until close() shuts the timer down; nothing waits for it.
    ScheduledFuture<?> unused =
        timer.scheduleWithFixedDelay(
            certificates::check, CHECK_EVERY_MINUTES, CHECK_EVERY_MINUTES, TimeUnit.MINUTES);
    return new ServingTls(certificates.serverContext(), certificates, timer);
  }

  SSLContext context() {
    return context;
  }

  /** The operator's certificates; empty when the settings brought their own TLS. */
  Optional<CertificateManager> certificates() {
    return Optional.ofNullable(certificates);
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
