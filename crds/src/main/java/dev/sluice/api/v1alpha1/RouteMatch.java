package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Conditions on a request; all present fields must hold. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RouteMatch(
    @JsonPropertyDescription(
            "Host (the :authority or Host header, without port), exact and case-insensitive, or"
                + " with a leading '*.' matching one or more labels (*.example.com).")
        @Size(max = 253)
        @Pattern(Patterns.HOST_MATCH)
        @Nullable String host,
    @JsonPropertyDescription("Request path condition.") @Nullable PathMatch path,
    @JsonPropertyDescription("HTTP methods accepted; absent: any.") @Size(max = 9)
        @Nullable List<HttpMethod> methods,
    @JsonPropertyDescription("Header conditions; all must hold.") @Size(max = 16)
        @Nullable List<HeaderMatch> headers,
    @JsonPropertyDescription(
            "As Gateway API's queryParams: query parameter conditions; all must hold. Names are"
                + " compared exactly, the first occurrence of a repeated parameter decides.")
        @Size(max = 16)
        @Nullable List<QueryParamMatch> queryParams) {

  /** HTTP methods a route can match. */
  public enum HttpMethod {
    GET,
    HEAD,
    POST,
    PUT,
    DELETE,
    PATCH,
    OPTIONS,
    CONNECT,
    TRACE
  }
}
