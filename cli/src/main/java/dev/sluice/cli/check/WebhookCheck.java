package dev.sluice.cli.check;

import dev.sluice.operator.certs.Certificates;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ServiceReference;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The injection webhook can be called: its configuration exists, the Service it names exists and
 * has ready endpoints, and its caBundle is PEM certificates, not about to expire, and the CA in the
 * operator's TLS Secret (when the Secret is readable).
 */
final class WebhookCheck implements Check {
  @Override
  public List<CheckResult> run(KubernetesClient client, Installation install, Instant now) {
    String check = "webhook " + install.webhook();
    MutatingWebhookConfiguration config =
        client
            .admissionRegistration()
            .v1()
            .mutatingWebhookConfigurations()
            .withName(install.webhook())
            .get();
    if (config == null || config.getWebhooks() == null || config.getWebhooks().isEmpty()) {
      return List.of(
          CheckResult.fail(
              check,
              "MutatingWebhookConfiguration "
                  + install.webhook()
                  + " not found (expected: installed with the operator; pods are not injected)",
              install.reinstall()));
    }
    List<CheckResult> out = new ArrayList<>();
    out.add(CheckResult.pass(check, config.getWebhooks().size() + " webhooks: " + names(config)));
    ServiceReference service = config.getWebhooks().get(0).getClientConfig().getService();
    if (service == null) {
      out.add(
          CheckResult.fail(
              "webhook service",
              "the webhook calls a URL, not a Service (expected: the operator's Service)",
              install.reinstall()));
    } else {
      out.add(endpoints(client, install, service));
    }
    out.add(caBundle(client, install, config, now));
    return out;
  }

  private static String names(MutatingWebhookConfiguration config) {
    return String.join(", ", config.getWebhooks().stream().map(MutatingWebhook::getName).toList());
  }

  private static CheckResult endpoints(
      KubernetesClient client, Installation install, ServiceReference ref) {
    String check = "webhook service " + ref.getNamespace() + "/" + ref.getName();
    Service service =
        client.services().inNamespace(ref.getNamespace()).withName(ref.getName()).get();
    if (service == null) {
      return CheckResult.fail(
          check, "Service not found (expected: the operator's Service)", install.reinstall());
    }
    int ready = 0;
    for (EndpointSlice slice :
        client
            .discovery()
            .v1()
            .endpointSlices()
            .inNamespace(ref.getNamespace())
            .withLabel("kubernetes.io/service-name", ref.getName())
            .list()
            .getItems()) {
      for (Endpoint e : slice.getEndpoints()) {
        boolean isReady =
            e.getConditions() == null || !Boolean.FALSE.equals(e.getConditions().getReady());
        if (isReady && e.getAddresses() != null) {
          ready += e.getAddresses().size();
        }
      }
    }
    if (ready == 0) {
      return CheckResult.fail(
          check,
          "no ready endpoints (expected: a running, ready operator; with failurePolicy Fail, pods"
              + " that want a sidecar cannot be created)",
          "kubectl get pods -n " + install.namespace() + "; " + install.operatorLogs());
    }
    return CheckResult.pass(check, ready + " ready endpoint" + (ready == 1 ? "" : "s"));
  }

  private static CheckResult caBundle(
      KubernetesClient client,
      Installation install,
      MutatingWebhookConfiguration config,
      Instant now) {
    String check = "webhook caBundle";
    Set<String> bundles = new HashSet<>();
    for (MutatingWebhook w : config.getWebhooks()) {
      String b = w.getClientConfig().getCaBundle();
      bundles.add(b == null ? "" : b);
    }
    if (bundles.size() > 1) {
      return CheckResult.fail(
          check,
          "the webhooks carry different caBundles (expected: one, patched by the operator)",
          install.restartOperator());
    }
    String encoded = bundles.iterator().next();
    if (encoded.isEmpty()) {
      return CheckResult.fail(
          check,
          "empty (expected: the CA the operator patches in at start, or cert-manager's CA"
              + " injector)",
          install.restartOperator());
    }
    String pem;
    List<X509Certificate> certificates;
    try {
      pem = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
      certificates = Certificates.bundle(pem);
    } catch (IllegalArgumentException e) {
      certificates = List.of();
      pem = "";
    }
    if (certificates.isEmpty()) {
      return CheckResult.fail(
          check,
          "does not hold a PEM certificate (expected: base64 of PEM CA certificates)",
          install.restartOperator());
    }
    Instant notAfter = Expiry.soonest(certificates);
    String found =
        certificates.size()
            + " CA certificate"
            + (certificates.size() == 1 ? "" : "s")
            + ", "
            + Expiry.describe(notAfter, now);
    if (Expiry.tooSoon(notAfter, now)) {
      return CheckResult.fail(
          check,
          found + " (expected: more than " + Expiry.MARGIN.toDays() + " days left)",
          install.restartOperator() + "; " + install.operatorLogs());
    }
    return matchesSecret(client, install, pem, found);
  }

  private static CheckResult matchesSecret(
      KubernetesClient client, Installation install, String pem, String found) {
    String check = "webhook caBundle";
    String where = TlsSecret.where(install);
    Secret secret;
    try {
      secret = TlsSecret.read(client, install);
    } catch (TlsSecret.Unreadable e) {
      return CheckResult.warn(check, found + "; cannot compare: " + e.sentence(), e.fix());
    }
    String ca = secret == null ? null : TlsSecret.text(secret, "ca.crt");
    if (ca == null) {
      return CheckResult.warn(
          check, found + "; " + where + " has no ca.crt to compare", install.restartOperator());
    }
    if (!TlsSecret.sameCertificates(pem, ca)) {
      return CheckResult.fail(
          check,
          "does not match ca.crt of "
              + where
              + " (expected: the same CAs; the API server would not trust the webhook's"
              + " certificate)",
          install.restartOperator());
    }
    return CheckResult.pass(check, found + "; matches ca.crt of " + where);
  }
}
