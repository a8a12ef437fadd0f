package dev.sluice.operator.certs;

import dev.sluice.api.Labels;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.WebhookConversion;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS material of the webhook and the config service, kept in one Secret ({@code tls.crt},
 * {@code tls.key}, {@code ca.crt}; and {@code ca.key} when the operator is its own CA) that every
 * replica reads and one writes:
 *
 * <ul>
 *   <li>no Secret, or a CA with less than a third of its life left: a new CA; the old one stays in
 *       {@code ca.crt} while it is valid, so sidecars that trust it keep connecting;
 *   <li>a serving certificate not signed by the current CA or with less than a third of its life
 *       left: a new one, for the Service's DNS names;
 *   <li>the CA bundle is patched into every webhook of the MutatingWebhookConfiguration.
 * </ul>
 *
 * {@link #check()} runs at start and periodically; the servers present the new certificate from the
 * next handshake on ({@link ReloadingKeyManager}), no restart. With {@code external} (e.g.
 * cert-manager writes the Secret and its CA injector patches the caBundle) the operator only reads
 * the Secret. Two replicas rotating at once: the write with a stale resourceVersion loses, reads
 * the winner's Secret and uses it.
 */
public final class CertificateManager {
  private static final Logger LOG = LoggerFactory.getLogger(CertificateManager.class);

  /** The CRD whose conversion webhook the operator serves and keeps the caBundle of. */
  public static final String PROXY_ROUTES_CRD = "proxyroutes.sluice.dev";

  /**
   * Where the material lives and how long it lasts.
   *
   * @param namespace the operator's namespace (the Secret's and the Service's)
   * @param secret the Secret's name
   * @param service the Service the webhook and the config service are reached through
   * @param webhookConfiguration the MutatingWebhookConfiguration to patch (null: none)
   * @param caValidity the CA's lifetime
   * @param servingValidity the serving certificate's lifetime
   * @param external true when something else (cert-manager) writes the Secret
   * @param extraDnsNames more names for the serving certificate (the sandbox's {@code localhost})
   */
  public record Settings(
      String namespace,
      String secret,
      String service,
      String webhookConfiguration,
      Duration caValidity,
      Duration servingValidity,
      boolean external,
      List<String> extraDnsNames) {
    public Settings {
      extraDnsNames = extraDnsNames == null ? List.of() : List.copyOf(extraDnsNames);
    }
  }

  private final KubernetesClient client;
  private final Settings settings;
  private final Clock clock;
  private final ReloadingKeyManager keys;
  private final List<Consumer<String>> bundleListeners = new CopyOnWriteArrayList<>();
  private volatile String bundle;
  private volatile String servingPem;

  private CertificateManager(
      KubernetesClient client,
      Settings settings,
      Clock clock,
      Certificates.Pair serving,
      String bundle) {
    this.client = client;
    this.settings = settings;
    this.clock = clock;
    this.keys = new ReloadingKeyManager(serving);
    this.bundle = bundle;
    this.servingPem = serving.certificatePem();
  }

  /** Reads (or creates) the material; throws when there is none usable. */
  public static CertificateManager start(KubernetesClient client, Settings settings, Clock clock) {
    Material m = ensure(client, settings, clock.instant());
    CertificateManager manager =
        new CertificateManager(client, settings, clock, m.serving(), m.bundle());
    manager.patchWebhook(m.bundle());
    manager.patchConversion(m.bundle());
    return manager;
  }

  private static List<String> names(Settings settings) {
    List<String> names = new ArrayList<>(dnsNames(settings.service(), settings.namespace()));
    names.addAll(settings.extraDnsNames());
    return names;
  }

  /** The DNS names the serving certificate is for. */
  public static List<String> dnsNames(String service, String namespace) {
    return List.of(
        service + "." + namespace + ".svc",
        service,
        service + "." + namespace,
        service + "." + namespace + ".svc.cluster.local");
  }

  /** The servers' TLS context: always the current serving certificate. */
  public SSLContext serverContext() {
    return keys.context();
  }

  /** The CA bundle sidecars and the API server trust, PEM. */
  public String caBundle() {
    return bundle;
  }

  /** Tells {@code listener} the bundle now and whenever it changes. */
  public void onBundle(Consumer<String> listener) {
    bundleListeners.add(listener);
    listener.accept(bundle);
  }

  /** Rotates what needs rotating, picks up what another replica wrote. Never throws. */
  public void check() {
    try {
      Material m = ensure(client, settings, clock.instant());
      if (!m.serving().certificatePem().equals(servingPem)) {
        keys.update(m.serving());
        servingPem = m.serving().certificatePem();
        LOG.info("serving certificate replaced; new handshakes present it");
      }
      if (!m.bundle().equals(bundle)) {
        bundle = m.bundle();
        patchWebhook(bundle);
        bundleListeners.forEach(l -> l.accept(bundle));
      }
      patchConversion(bundle); // also after a CRD was replaced without it

    } catch (RuntimeException e) {
      LOG.warn("certificate check failed (keeping the current certificate): {}", e.getMessage());
    }
  }

  /** What the Secret holds, usable. */
  record Material(Certificates.Pair serving, String bundle) {}

  static Material ensure(KubernetesClient client, Settings settings, Instant now) {
    for (int attempt = 1; ; attempt++) {
      Secret secret =
          client.secrets().inNamespace(settings.namespace()).withName(settings.secret()).get();
      Map<String, String> data = decode(secret);
      if (settings.external()) {
        return external(settings, data);
      }
      String caCert = data.get("ca.crt");
      String caKey = data.get("ca.key");
      List<String> caPems = caCert == null ? List.of() : splitPem(caCert);
      String currentCa = caPems.isEmpty() ? null : caPems.get(0);
      Certificates.Pair ca =
          currentCa == null || caKey == null || Certificates.needsRotation(currentCa, now)
              ? null
              : new Certificates.Pair(currentCa, caKey);
      boolean changed = false;
      if (ca == null) {
        ca = Certificates.authority("sluice-operator-ca", now, settings.caValidity());
        changed = true;
        LOG.info("created a new CA for the webhook and config service");
      }
      List<String> bundle = bundle(ca, caPems, now);
      String tlsCrt = data.get("tls.crt");
      String tlsKey = data.get("tls.key");
      Certificates.Pair serving =
          tlsCrt == null
                  || tlsKey == null
                  || Certificates.needsRotation(tlsCrt, now)
                  || !Certificates.signedBy(tlsCrt, ca.certificatePem())
              ? null
              : new Certificates.Pair(tlsCrt, tlsKey);
      if (serving == null) {
        serving = Certificates.serving(ca, names(settings), now, settings.servingValidity());
        changed = true;
        LOG.info("issued a new serving certificate for {}", settings.service());
      }
      String joined = String.join("\n", bundle) + "\n";
      if (!changed && joined.equals(caCert)) {
        return new Material(serving, joined);
      }
      Map<String, String> out = new LinkedHashMap<>();
      out.put("tls.crt", serving.certificatePem());
      out.put("tls.key", serving.privateKeyPem());
      out.put("ca.crt", joined);
      out.put("ca.key", ca.privateKeyPem());
      try {
        write(client, settings, secret, out);
        return new Material(serving, joined);
      } catch (KubernetesClientException e) {
        if ((e.getCode() != 409 && e.getCode() != 404) || attempt >= 5) {
          throw e;
        }
        // Another replica wrote first: use what it wrote.
      }
    }
  }

  /** The current CA first, then the earlier ones still valid. */
  private static List<String> bundle(Certificates.Pair ca, List<String> earlier, Instant now) {
    List<String> bundle = new ArrayList<>();
    bundle.add(ca.certificatePem().trim());
    for (String old : earlier) {
      if (!old.trim().equals(ca.certificatePem().trim()) && stillValid(old, now)) {
        bundle.add(old.trim()); // sidecars that trust the old CA keep connecting
      }
    }
    return bundle;
  }

  private static Material external(Settings settings, Map<String, String> data) {
    String crt = data.get("tls.crt");
    String key = data.get("tls.key");
    String ca = data.get("ca.crt");
    if (crt == null || key == null || ca == null) {
      throw new IllegalStateException(
          "Secret "
              + settings.namespace()
              + "/"
              + settings.secret()
              + " lacks tls.crt, tls.key or ca.crt (expected: the Secret cert-manager's"
              + " Certificate writes)");
    }
    return new Material(new Certificates.Pair(crt, key), ca);
  }

  private static void write(
      KubernetesClient client, Settings settings, Secret existing, Map<String, String> data) {
    Map<String, String> encoded = new LinkedHashMap<>();
    data.forEach(
        (k, v) ->
            encoded.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    Secret secret =
        new SecretBuilder()
            .withNewMetadata()
            .withName(settings.secret())
            .withNamespace(settings.namespace())
            .withResourceVersion(
                existing == null ? null : existing.getMetadata().getResourceVersion())
            .addToLabels(Labels.MANAGED_BY, Labels.MANAGED_BY_SLUICE)
            .endMetadata()
            .withType("kubernetes.io/tls")
            .withData(encoded)
            .build();
    if (existing == null) {
      client.secrets().inNamespace(settings.namespace()).resource(secret).create();
    } else {
      client.secrets().inNamespace(settings.namespace()).resource(secret).update();
    }
  }

  private void patchWebhook(String caBundle) {
    if (settings.webhookConfiguration() == null || settings.external()) {
      return;
    }
    String encoded = Base64.getEncoder().encodeToString(caBundle.getBytes(StandardCharsets.UTF_8));
    try {
      MutatingWebhookConfiguration config =
          client
              .admissionRegistration()
              .v1()
              .mutatingWebhookConfigurations()
              .withName(settings.webhookConfiguration())
              .get();
      if (config == null) {
        LOG.warn(
            "MutatingWebhookConfiguration {} not found; pods are not injected until it exists",
            settings.webhookConfiguration());
        return;
      }
      boolean stale = false;
      for (MutatingWebhook webhook : config.getWebhooks()) {
        if (!Objects.equals(encoded, webhook.getClientConfig().getCaBundle())) {
          webhook.getClientConfig().setCaBundle(encoded);
          stale = true;
        }
      }
      if (stale) {
        client
            .admissionRegistration()
            .v1()
            .mutatingWebhookConfigurations()
            .resource(config)
            .update();
        LOG.info("caBundle of {} updated", settings.webhookConfiguration());
      }
    } catch (KubernetesClientException e) {
      LOG.warn(
          "cannot patch the caBundle of {}: {}", settings.webhookConfiguration(), e.getMessage());
    }
  }

  /**
   * Keeps the caBundle of ProxyRoute's conversion webhook: the API server calls {@code /convert} on
   * this operator to serve v1alpha2, and trusts exactly this bundle. A CRD without a conversion
   * webhook (applied from elsewhere) is left as it is.
   */
  private void patchConversion(String caBundle) {
    if (settings.webhookConfiguration() == null || settings.external()) {
      return;
    }
    String encoded = Base64.getEncoder().encodeToString(caBundle.getBytes(StandardCharsets.UTF_8));
    try {
      var crds = client.apiextensions().v1().customResourceDefinitions();
      CustomResourceDefinition crd = crds.withName(PROXY_ROUTES_CRD).get();
      WebhookConversion webhook =
          crd == null || crd.getSpec().getConversion() == null
              ? null
              : crd.getSpec().getConversion().getWebhook();
      if (webhook == null || webhook.getClientConfig() == null) {
        LOG.warn(
            "CustomResourceDefinition {} has no conversion webhook; ProxyRoutes are not served as"
                + " sluice.dev/v1alpha2 until it has (apply crds/ or the chart)",
            PROXY_ROUTES_CRD);
        return;
      }
      if (!encoded.equals(webhook.getClientConfig().getCaBundle())) {
        webhook.getClientConfig().setCaBundle(encoded);
        crds.resource(crd).update();
        LOG.info("caBundle of {}'s conversion webhook updated", PROXY_ROUTES_CRD);
      }
    } catch (KubernetesClientException e) {
      LOG.warn("cannot patch the conversion caBundle of {}: {}", PROXY_ROUTES_CRD, e.getMessage());
    }
  }

  private static boolean stillValid(String pem, Instant now) {
    try {
      return Certificates.certificate(pem).getNotAfter().toInstant().isAfter(now);
    } catch (RuntimeException e) {
      return false;
    }
  }

  static List<String> splitPem(String bundle) {
    List<String> out = new ArrayList<>();
    String end = "-----END CERTIFICATE-----";
    int from = 0;
    for (int at = bundle.indexOf(end, from); at >= 0; at = bundle.indexOf(end, from)) {
      out.add(bundle.substring(from, at + end.length()).trim() + "\n");
      from = at + end.length();
    }
    return out;
  }

  private static Map<String, String> decode(Secret secret) {
    Map<String, String> out = new LinkedHashMap<>();
    if (secret != null && secret.getData() != null) {
      secret
          .getData()
          .forEach(
              (k, v) ->
                  out.put(
                      k, new String(Base64.getMimeDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    return out;
  }
}
