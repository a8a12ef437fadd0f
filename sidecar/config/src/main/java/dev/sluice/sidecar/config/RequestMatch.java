package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Conditions on a request; all present ones must hold.
 *
 * @param host exact host (case-insensitive) or {@code *.suffix}
 * @param path path condition
 * @param methods accepted methods (upper case); empty: any
 * @param headers header conditions
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RequestMatch(
    @Nullable String host,
    @Nullable PathCondition path,
    List<String> methods,
    List<HeaderCondition> headers) {

  public RequestMatch {
    methods = methods == null ? List.of() : List.copyOf(methods);
    headers = headers == null ? List.of() : List.copyOf(headers);
  }
}
