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
 * @param queryParams query parameter conditions (contract 4); left out of the document when empty,
 *     so a config that does not use them reads and hashes as before
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RequestMatch(
    @Nullable String host,
    @Nullable PathCondition path,
    List<String> methods,
    List<HeaderCondition> headers,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<QueryParamCondition> queryParams) {

  public RequestMatch {
    methods = methods == null ? List.of() : List.copyOf(methods);
    headers = headers == null ? List.of() : List.copyOf(headers);
    queryParams = queryParams == null ? List.of() : List.copyOf(queryParams);
  }

  /** A match without query parameter conditions (what contracts before 4 could say). */
  public RequestMatch(
      @Nullable String host,
      @Nullable PathCondition path,
      List<String> methods,
      List<HeaderCondition> headers) {
    this(host, path, methods, headers, List.of());
  }
}
