package dev.sluice.operator.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events, so {@code kubectl describe} tells the story: one whenever {@code Ready} or
 * {@code Stalled} changes status or reason (Warning when the new state needs a human: Stalled, or
 * Ready=False for anything but an ongoing rollout), and what the other parts record through it.
 * Events aggregate as client-go's do ({@link EventSeries}): what happens again counts up the Event
 * it made before rather than adding one. Failing to record an event never fails a reconcile.
 */
public final class EventRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  static final String COMPONENT = "sluice-operator";

  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private final KubernetesClient client;
  private final Clock clock;

  public EventRecorder(KubernetesClient client) {
    this(client, Clock.systemUTC());
  }

  public EventRecorder(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /** Records the transitions between two condition lists of {@code object}. */
  public void transitions(
      HasMetadata object,
      @Nullable List<Condition> before,
      @Nullable List<Condition> after,
      String normalReason) {
    for (String type : List.of("Ready", "Stalled")) {
      Condition was = Conditions.find(before, type);
      Condition now = Conditions.find(after, type);
      if (now == null) {
        continue;
      }
      boolean changed =
          was == null
              ? !"False".equals(now.getStatus()) || "Ready".equals(type)
              : !Objects.equals(was.getStatus(), now.getStatus())
                  || !Objects.equals(was.getReason(), now.getReason());
      if (!changed) {
        continue;
      }
      boolean warning =
          "Stalled".equals(type)
              ? "True".equals(now.getStatus())
              : "False".equals(now.getStatus()) && !normalReason.equals(now.getReason());
      record(
          object,
          warning ? "Warning" : "Normal",
          now.getReason(),
          type + "=" + now.getStatus() + ": " + now.getMessage());
    }
  }

  /**
   * One occurrence of an event about {@code object}: the same type, reason and message on the same
   * object within {@link EventSeries#WINDOW} count up one Event.
   */
  public void record(HasMetadata object, String type, String reason, String message) {
    occurred(object, type, reason, "message:" + message, message);
  }

  /**
   * The latest word on something that runs over a while, such as a rollout's progress: one Event
   * per object, type, reason and {@code topic} counts the updates and says {@code message}, the
   * latest.
   */
  public void update(HasMetadata object, String type, String reason, String topic, String message) {
    occurred(object, type, reason, "topic:" + topic, message);
  }

  /**
   * Creates the series' Event or patches the next occurrence into it; a conflict (another writer
   * came first) or a vanished Event is tried once more on a fresh read.
   */
  private void occurred(
      HasMetadata object, String type, String reason, String key, String message) {
    String namespace = object.getMetadata().getNamespace();
    String name = EventSeries.name(object, type, reason, key);
    for (int attempt = 1; ; attempt++) {
      try {
        write(object, namespace, name, type, reason, message);
        return;
      } catch (KubernetesClientException e) {
        if (attempt < 2 && (e.getCode() == 409 || e.getCode() == 404)) {
          continue;
        }
        LOG.warn(
            "could not record event {} on {}/{}: {}",
            reason,
            object.getKind(),
            object.getMetadata().getName(),
            e.getMessage());
        return;
      }
    }
  }

  private void write(
      HasMetadata object,
      String namespace,
      String name,
      String type,
      String reason,
      String message) {
    Resource<Event> stored = client.v1().events().inNamespace(namespace).withName(name);
    Event existing = stored.get();
    Instant now = clock.instant();
    if (existing == null) {
      client
          .v1()
          .events()
          .inNamespace(namespace)
          .resource(EventSeries.first(object, name, type, reason, message, now))
          .create();
      return;
    }
    String patch;
    try {
      patch = JSON.writeValueAsString(EventSeries.next(existing, message, now));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    stored.patch(PatchContext.of(PatchType.JSON_MERGE), patch);
  }
}
