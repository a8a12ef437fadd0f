package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * One weighted backend of a rule (Gateway API's {@code backendRefs[]} entry): an upstream, or one
 * the operator could not resolve, whose share of the requests is answered {@code 500} naming why.
 *
 * @param weight its share: requests go to it with probability weight / sum of the rule's weights
 *     (0..1,000,000; default 1; 0: never chosen)
 * @param upstream where its requests go (as a rule's {@code upstream}); either this or {@code
 *     unavailable}
 * @param unavailable why the backend could not be resolved (Gateway API: an invalid backendRef's
 *     requests get 500); either this or {@code upstream}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Backend(Integer weight, @Nullable Upstream upstream, @Nullable String unavailable) {
  /** Gateway API's default weight. */
  public static final int DEFAULT_WEIGHT = 1;

  /** The largest weight (Gateway API's bound). */
  public static final int MAX_WEIGHT = 1_000_000;

  public Backend {
    weight = weight == null ? DEFAULT_WEIGHT : weight;
  }
}
