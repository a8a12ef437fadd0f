package dev.sluice.operator.inject;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.operator.certs.CaPublisher;
import dev.sluice.operator.status.EventRecorder;
import dev.sluice.testing.kubernetes.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * What follows an admission, on the mock API server: an injected pod's namespace gets the CA bundle
 * its sidecar mounts (and a new bundle reaches it); a pod left alone for a reason worth knowing
 * gets an event on its owner, counted up for its owner's next pods; a dry run changes nothing;
 * plain not-opted-in pods make no noise; a pod that keeps its own prometheus.io/* annotations is
 * named in the log.
 */
class InjectionFollowUpIT {
  EmbeddedKubernetes cluster;
  KubernetesClient client;
  CaPublisher ca;
  AdmissionWebhook webhook;
  InjectionFollowUp followUp;

  @BeforeEach
  void setUp() throws Exception {
    cluster = new EmbeddedKubernetes();
    client = cluster.client();
    cluster.namespace("shop");
    ca = new CaPublisher(client, "sluice-ca");
    ca.bundle("-----BEGIN CERTIFICATE-----\nfirst\n-----END CERTIFICATE-----\n");
    webhook =
        new AdmissionWebhook(
            InjectorGoldenTest.NATIVE,
            ns -> ns.equals("shop") ? Map.of("sluice.dev/inject", "enabled") : Map.of());
    followUp = new InjectionFollowUp(ca, new EventRecorder(client));
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  String review(Pod pod, boolean dryRun) {
    return AdmissionWebhook.reviewOfCreate(pod, "u-1", dryRun);
  }

  static Pod pod(Map<String, String> labels, boolean hostNetwork) {
    return new PodBuilder()
        .withNewMetadata()
        .withGenerateName("web-7d9c-")
        .withNamespace("shop")
        .withLabels(labels)
        .addNewOwnerReference()
        .withApiVersion("apps/v1")
        .withKind("ReplicaSet")
        .withName("web-7d9c")
        .withUid("rs-uid-1")
        .withController(true)
        .endOwnerReference()
        .endMetadata()
        .withNewSpec()
        .withHostNetwork(hostNetwork)
        .addNewContainer()
        .withName("app")
        .withImage("shop/web:1")
        .endContainer()
        .endSpec()
        .build();
  }

  List<Event> events() {
    return client.v1().events().inNamespace("shop").list().getItems();
  }

  ConfigMap bundle() {
    return client.configMaps().inNamespace("shop").withName("sluice-ca").get();
  }

  @Test
  void anInjectedPodsNamespaceGetsTheBundleAndLaterOnesToo() throws Exception {
    followUp.accept(webhook.review(review(pod(Map.of("app", "web"), false), true)));
    assertThat(bundle()).as("a dry run has no side effects").isNull();

    AdmissionWebhook.Answer answer =
        webhook.review(review(pod(Map.of("app", "web"), false), false));
    assertThat(answer.injected()).isTrue();
    followUp.accept(answer);
    assertThat(bundle().getData().get("ca.crt")).contains("first");

    ca.bundle("-----BEGIN CERTIFICATE-----\nsecond\n-----END CERTIFICATE-----\n");
    assertThat(bundle().getData().get("ca.crt")).contains("second");
    assertThat(events()).isEmpty();
  }

  @Test
  void podsOfOneOwnerSkippedForOneReasonAreOneEventCounted() throws Exception {
    for (int i = 0; i < 3; i++) {
      followUp.accept(webhook.review(review(pod(Map.of("app", "web"), true), false)));
    }
    assertThat(events())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getCount()).isEqualTo(3);
              assertThat(e.getInvolvedObject().getName()).isEqualTo("web-7d9c");
            });
  }

  @Test
  void aSkippedPodLeavesAnEventOnItsOwner() throws Exception {
    followUp.accept(webhook.review(review(pod(Map.of("app", "web"), true), false)));
    assertThat(events())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getInvolvedObject().getKind()).isEqualTo("ReplicaSet");
              assertThat(e.getInvolvedObject().getName()).isEqualTo("web-7d9c");
              assertThat(e.getInvolvedObject().getUid()).isEqualTo("rs-uid-1");
              assertThat(e.getReason()).isEqualTo("SidecarNotInjected");
              assertThat(e.getType()).isEqualTo("Normal");
              assertThat(e.getMessage())
                  .isEqualTo(
                      "Sluice did not inject a sidecar into a new pod: hostNetwork pods share the"
                          + " node's ports; a sidecar listener could collide.");
            });
    assertThat(bundle()).isNull();
  }

  @Test
  void anOptOutIsRecordedButAPodNobodyAskedAboutIsNot() throws Exception {
    followUp.accept(
        webhook.review(
            review(pod(Map.of("app", "web", "sluice.dev/inject", "false"), false), false)));
    assertThat(events())
        .extracting(Event::getMessage)
        .singleElement()
        .asString()
        .contains("opts out");

    AdmissionWebhook quiet = new AdmissionWebhook(InjectorGoldenTest.NATIVE, ns -> Map.of());
    followUp.accept(quiet.review(review(pod(Map.of("app", "web"), false), false)));
    assertThat(events()).hasSize(1);
  }

  @Test
  void aPodThatKeepsItsOwnScrapeAnnotationsIsNamedInTheLog() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(InjectionFollowUp.class);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    logger.addAppender(logged);
    try {
      AdmissionWebhook scraping =
          new AdmissionWebhook(
              InjectorGoldenTest.SCRAPED, ns -> Map.of("sluice.dev/inject", "enabled"));
      followUp.accept(scraping.review(review(pod(Map.of("app", "web"), false), false)));
      assertThat(logged.list).as("annotated: nothing to say").isEmpty();

      Pod own =
          new PodBuilder(pod(Map.of("app", "web"), false))
              .editMetadata()
              .addToAnnotations("prometheus.io/port", "9102")
              .endMetadata()
              .build();
      AdmissionWebhook.Answer answer = scraping.review(review(own, false));
      assertThat(answer.injected()).isTrue();
      followUp.accept(answer);
      assertThat(logged.list)
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.getLevel()).isEqualTo(Level.INFO);
                assertThat(e.getFormattedMessage())
                    .startsWith(
                        "injected a sidecar into pod shop/web-7d9c-*: kept the pod's own"
                            + " prometheus.io/port and added no prometheus.io/* annotation");
              });
    } finally {
      logger.detachAppender(logged);
    }
  }
}
