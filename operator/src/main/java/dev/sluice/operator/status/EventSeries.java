package dev.sluice.operator.status;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One Event counting the occurrences of one thing about one object, as client-go's EventCorrelator
 * keeps them: the same object (UID), type, reason and key within {@link #WINDOW} of the last
 * occurrence add one to {@code count} and move {@code lastTimestamp}; later, the series starts over
 * ({@code count} 1, {@code firstTimestamp} now). Its name is the object's name and a hash of what
 * identifies the series, so any replica, and an operator that restarted, finds and continues it.
 */
final class EventSeries {
  /** How long after its last occurrence a series still counts up. */
  static final Duration WINDOW = Duration.ofMinutes(10);

  /** An object name is at most 253 characters (a DNS subdomain). */
  static final int MAX_NAME = 253;

  private static final int HASH = 16;

  private EventSeries() {}

  /** {@code <object name>.<16 hex digits of the series' identity>}. */
  static String name(HasMetadata object, String type, String reason, String key) {
    String identity =
        String.join(
            "\n",
            String.valueOf(object.getMetadata().getUid()),
            object.getKind(),
            object.getMetadata().getName(),
            type,
            reason,
            key);
    String hash;
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
      hash = HexFormat.of().formatHex(digest).substring(0, HASH);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
    String head = object.getMetadata().getName();
    int room = MAX_NAME - HASH - 1;
    return (head.length() > room ? head.substring(0, room) : head) + "." + hash;
  }

  /** The series' first occurrence: a new Event named {@code name}. */
  static Event first(
      HasMetadata object, String name, String type, String reason, String message, Instant now) {
    String time = Timestamps.of(now);
    return new EventBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(object.getMetadata().getNamespace())
        .endMetadata()
        .withNewInvolvedObject()
        .withApiVersion(object.getApiVersion())
        .withKind(object.getKind())
        .withName(object.getMetadata().getName())
        .withNamespace(object.getMetadata().getNamespace())
        .withUid(object.getMetadata().getUid())
        .endInvolvedObject()
        .withType(type)
        .withReason(reason)
        .withMessage(message)
        .withNewSource()
        .withComponent(EventRecorder.COMPONENT)
        .endSource()
        .withReportingComponent(EventRecorder.COMPONENT)
        .withFirstTimestamp(time)
        .withLastTimestamp(time)
        .withCount(1)
        .build();
  }

  /**
   * The JSON merge patch for the next occurrence of {@code existing}'s series: the count one up (or
   * a new series, past the window), the latest message and time. It carries the resourceVersion it
   * was read at, so a write in between fails it with 409 instead of losing a count.
   */
  static Map<String, Object> next(Event existing, String message, Instant now) {
    String time = Timestamps.of(now);
    Instant last = Timestamps.parse(existing.getLastTimestamp());
    boolean continues = last != null && !now.isAfter(last.plus(WINDOW));
    int count = existing.getCount() == null ? 1 : existing.getCount();
    Map<String, Object> patch = new LinkedHashMap<>();
    patch.put("metadata", Map.of("resourceVersion", existing.getMetadata().getResourceVersion()));
    patch.put("message", message);
    patch.put("count", continues ? count + 1 : 1);
    if (!continues) {
      patch.put("firstTimestamp", time);
    }
    patch.put("lastTimestamp", time);
    return patch;
  }
}
