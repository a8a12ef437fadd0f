package dev.sluice.api.v1alpha2;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.sluice.api.v1alpha1.Patterns;
import dev.sluice.api.v1alpha1.QueryParamMatch;
import dev.sluice.api.v1alpha1.RouteMatch.HttpMethod;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** As HTTPRoute's HTTPRouteMatch: conditions on a request, all present ones must hold. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RouteMatch(
    @JsonPropertyDescription("Request path condition.") @Nullable PathMatch path,
    @JsonPropertyDescription("Header conditions; all must hold.") @Size(max = 16)
        @Nullable List<HeaderMatch> headers,
    @JsonPropertyDescription(
            "Query parameter conditions; all must hold. Names are compared exactly, the first"
                + " occurrence of a repeated parameter decides.")
        @Size(max = 16)
        @Nullable List<QueryParamMatch> queryParams,
    @JsonPropertyDescription("The request's method; absent: any.") @Nullable HttpMethod method,
    @JsonPropertyDescription(
            "Sluice extension: the request's host (the :authority or Host header, without port),"
                + " exact and case-insensitive, or with a leading '*.' matching one or more"
                + " labels. Not with spec.hostnames.")
        @Size(max = 253)
        @Pattern(Patterns.HOST_MATCH)
        @Nullable String host) {}
