package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import org.jspecify.annotations.Nullable;

/**
 * Variable naming, as HAProxy does it: a variable the agent sets as {@code name} in scope {@code
 * txn} is visible to routes as {@code txn.<prefix>.<name>}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Variables(
    @JsonPropertyDescription(
            "Prefix of every variable of this agent; default: the agent's name"
                + " with '-' replaced by '_'.")
        @Size(max = 32)
        @Pattern(Patterns.VARIABLE_PART)
        @Nullable String prefix,
    @JsonPropertyDescription(
            "If set, txn.<prefix>.<onError> holds the error of a failed event like HAProxy's"
                + " set-on-error: 1 timeout, 3 frame too big, 5 interrupted, 256+N SPOP status N.")
        @Size(max = 24)
        @Pattern(Patterns.VARIABLE_PART)
        @Nullable String onError,
    @JsonPropertyDescription(
            "If set, txn.<prefix>.<processTime> holds the milliseconds the last event took, like"
                + " HAProxy's set-process-time.")
        @Size(max = 24)
        @Pattern(Patterns.VARIABLE_PART)
        @Nullable String processTime) {}
