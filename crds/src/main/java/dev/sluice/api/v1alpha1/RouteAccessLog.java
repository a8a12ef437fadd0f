package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Which of a route's exchanges the sidecar's access log writes, and what of them. Where the lines
 * go and their format are the sidecar's (the chart's {@code sidecar.accessLog.format}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.headers) || self.headers.all(h, self.headers.exists_one(g, g == h))",
    message = "accessLog.headers must not name a header twice",
    messageExpression =
        "'accessLog.headers: \"' + self.headers.filter(h, !self.headers.exists_one(g, g == h))[0]"
            + " + '\" (expected: each header once)'")
@ValidationRule(
    value =
        "!has(self.redactHeaders)"
            + " || self.redactHeaders.all(r, has(self.headers) && r in self.headers)",
    message = "accessLog.redactHeaders must name headers listed in accessLog.headers",
    messageExpression =
        "'accessLog.redactHeaders: \"' + self.redactHeaders.filter(r, !has(self.headers)"
            + " || !(r in self.headers))[0] + '\" (expected: a header of accessLog.headers; only"
            + " logged headers are written, and a misspelt name would leave the real one in the"
            + " clear)'")
public record RouteAccessLog(
    @JsonPropertyDescription("Log the route's exchanges. Default true.") @Default("true")
        @Nullable Boolean enabled,
    @JsonPropertyDescription(
            "Share of successful exchanges logged, a percentage with up to four decimals: 100%,"
                + " 12.5%, 0.01%. A failed one (any termination but --, or a 5xx) is always"
                + " logged. Default 100%.")
        @Default("100%")
        @Size(max = 9)
        @Pattern(Patterns.PERCENT)
        @Nullable String successSampling,
    @JsonPropertyDescription(
            "Request headers whose values each line carries (lowercase names, at most 16).")
        @Size(max = 16)
        @Nullable List<@Size(max = 256) @Pattern(Patterns.LOWERCASE_HEADER_NAME) String> headers,
    @JsonPropertyDescription(
            "Headers of 'headers' whose values are written as [redacted]. Absent: those that carry"
                + " credentials (authorization, cookie, proxy-authorization). Empty: none.")
        @Size(max = 16)
        @Nullable List<@Size(max = 256) @Pattern(Patterns.LOWERCASE_HEADER_NAME) String>
            redactHeaders,
    @JsonPropertyDescription(
            "Keep the query string in the logged path. Default false: queries often carry"
                + " tokens.")
        @Default("false")
        @Nullable Boolean includeQuery) {}
