package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** One named argument of a message. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MessageArgument(
    @JsonPropertyDescription(
            "Argument name (always sent: several agent libraries drop unnamed arguments).")
        @Required
        @Size(min = 1, max = 63)
        @Pattern("^[A-Za-z0-9_.-]+$")
        String name,
    @JsonPropertyDescription(
            "Sample expression: src (client IP, IPV4/IPV6), src_port, dst, dst_port (INT64),"
                + " method, path, query, host (STRING), trace_id (STRING, the request's W3C trace"
                + " id as 32 hex digits, NULL when it has none), req.hdr(<name>) (STRING, all values"
                + " joined with ', '), res.status (INT64), res.hdr(<name>), req.body(<maxBytes>)"
                + " (BINARY, the first maxBytes bytes; the request waits for them), or a constant"
                + " str(<text>), int(<n>), bool(true|false). Unavailable values are sent as NULL.")
        @Required
        @Size(max = 300)
        @Pattern(Patterns.SAMPLE)
        String value) {}
