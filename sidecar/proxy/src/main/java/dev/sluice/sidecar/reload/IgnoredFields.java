package dev.sluice.sidecar.reload;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fields a config from the config service carried that this sidecar does not know and ignored
 * (a newer operator's optional fields), by revision: logged once per revision, shown on {@code GET
 * /config} and counted on {@code /metrics} for the revision that runs.
 */
public final class IgnoredFields {
  private static final Logger log = LoggerFactory.getLogger(IgnoredFields.class);

  /** The newest revision read with fields ignored, and those fields. */
  private record Read(String revision, List<String> fields) {}

  private volatile @Nullable Read last;

  /** {@code revision} was read with {@code fields} ignored (none: nothing to say). */
  public void read(@Nullable String revision, int speaks, List<String> fields) {
    if (revision == null || fields.isEmpty()) {
      return;
    }
    Read before = last;
    if (before != null && before.revision().equals(revision)) {
      return; // said once for this revision already
    }
    last = new Read(revision, List.copyOf(fields));
    log.info(
        "config revision {}: ignoring {} field(s) this sidecar (contract {}) does not know: {}",
        revision,
        fields.size(),
        speaks,
        String.join(", ", fields));
  }

  /** The fields ignored in {@code revision} (the running one); empty when none. */
  public List<String> of(@Nullable String revision) {
    Read read = last;
    return read != null && Objects.equals(read.revision(), revision) ? read.fields() : List.of();
  }
}
