package dev.sluice.operator.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.operator.testing.MutableClock;
import dev.sluice.testing.kubernetes.EmbeddedKubernetes;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Invariant: an event that happens again is counted on the Event it made before (count,
 * lastTimestamp) within ten minutes of its last occurrence — by this recorder, by another
 * replica's, by an operator that restarted — and starts a new series after; writes are the ones a
 * real API server takes (a JSON merge patch carrying the resourceVersion it was read at).
 */
class EventRecorderIT {
  static final String NS = "shop";

  EmbeddedKubernetes cluster;
  KubernetesClient client;
  MutableClock clock;
  ConfigMap object;

  @BeforeEach
  void setUp() throws Exception {
    cluster = new EmbeddedKubernetes();
    client = cluster.client();
    cluster.namespace(NS);
    clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    object = created("web");
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  ConfigMap created(String name) {
    return client
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .endMetadata()
                .build())
        .create();
  }

  List<Event> events() {
    return client.v1().events().inNamespace(NS).list().getItems();
  }

  @Test
  void theSameEventAgainCountsUpOneEventAndAnotherMessageIsAnotherEvent() {
    EventRecorder events = new EventRecorder(client, clock);
    for (int i = 0; i < 5; i++) {
      events.record(object, "Warning", "SidecarNotInjected", "hostNetwork pods are skipped.");
      clock.advance(Duration.ofSeconds(30));
    }
    events.record(object, "Warning", "SidecarNotInjected", "the pod opts out.");

    assertThat(events()).hasSize(2);
    Event counted =
        events().stream()
            .filter(e -> e.getMessage().startsWith("hostNetwork"))
            .findFirst()
            .orElseThrow();
    assertThat(counted.getCount()).isEqualTo(5);
    assertThat(counted.getFirstTimestamp()).isEqualTo("2026-12-01T10:00:00Z");
    assertThat(counted.getLastTimestamp()).isEqualTo("2026-12-01T10:02:00Z");
    assertThat(counted.getInvolvedObject().getUid()).isEqualTo(object.getMetadata().getUid());
    assertThat(counted.getMetadata().getName()).matches("web\\.[0-9a-f]{16}");
  }

  @Test
  void aRestartedOperatorOrAnotherReplicaContinuesTheCount() {
    new EventRecorder(client, clock).record(object, "Normal", "Test", "again");
    clock.advance(Duration.ofMinutes(9));
    new EventRecorder(client, clock).record(object, "Normal", "Test", "again");
    assertThat(events()).singleElement().extracting(Event::getCount).isEqualTo(2);
  }

  @Test
  void tenQuietMinutesStartANewSeries() {
    EventRecorder events = new EventRecorder(client, clock);
    events.record(object, "Normal", "Test", "again");
    events.record(object, "Normal", "Test", "again");
    clock.advance(Duration.ofMinutes(10).plusSeconds(1));
    events.record(object, "Normal", "Test", "again");
    Event event = events().get(0);
    assertThat(events()).hasSize(1);
    assertThat(event.getCount()).isEqualTo(1);
    assertThat(event.getFirstTimestamp()).isEqualTo("2026-12-01T10:10:01Z");
    assertThat(event.getLastTimestamp()).isEqualTo("2026-12-01T10:10:01Z");
  }

  @Test
  void anUpdateKeepsOneEventPerTopicWithTheLatestMessage() {
    EventRecorder events = new EventRecorder(client, clock);
    events.update(object, "Normal", "RolloutProgress", "rev-1", "1 of 3 pods");
    events.update(object, "Normal", "RolloutProgress", "rev-1", "2 of 3 pods");
    events.update(object, "Normal", "RolloutProgress", "rev-1", "3 of 3 pods");
    events.update(object, "Normal", "RolloutProgress", "rev-2", "1 of 3 pods");
    assertThat(events())
        .extracting(Event::getMessage, Event::getCount)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("3 of 3 pods", 3),
            org.assertj.core.groups.Tuple.tuple("1 of 3 pods", 1));
  }

  @Test
  void anotherObjectOfTheSameNameMadeAfterADeletionGetsItsOwnEvent() {
    EventRecorder events = new EventRecorder(client, clock);
    events.record(object, "Normal", "Test", "again");
    client.resource(object).delete();
    ConfigMap again = created("web");
    events.record(again, "Normal", "Test", "again");
    assertThat(events())
        .extracting(e -> e.getInvolvedObject().getUid(), Event::getCount)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(object.getMetadata().getUid(), 1),
            org.assertj.core.groups.Tuple.tuple(again.getMetadata().getUid(), 1));
  }

  @Test
  void aLongObjectNameIsCutSoTheEventNameIsValid() {
    ConfigMap longName = created("w" + "e".repeat(250));
    new EventRecorder(client, clock).record(longName, "Normal", "Test", "long");
    assertThat(events())
        .singleElement()
        .satisfies(e -> assertThat(e.getMetadata().getName()).hasSize(EventSeries.MAX_NAME));
  }

  @Test
  void aCountReadBeforeAnotherWriteIsRefusedNotLost() throws Exception {
    EventRecorder events = new EventRecorder(client, clock);
    events.record(object, "Normal", "Test", "again");
    Event read = events().get(0);
    events.record(object, "Normal", "Test", "again"); // another replica, in between
    String stale =
        JsonMapper.builder()
            .build()
            .writeValueAsString(EventSeries.next(read, "again", clock.instant()));
    assertThatThrownBy(
            () ->
                client
                    .v1()
                    .events()
                    .inNamespace(NS)
                    .withName(read.getMetadata().getName())
                    .patch(PatchContext.of(PatchType.JSON_MERGE), stale))
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    assertThat(events()).singleElement().extracting(Event::getCount).isEqualTo(2);
  }
}
