package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import org.jspecify.annotations.Nullable;

/**
 * Set a header from a variable; when the variable is unset, the header is left alone (removed when
 * {@code removeWhenUnset}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SetHeaderAction(
    @JsonPropertyDescription("Header name.")
        @Required
        @Size(max = 256)
        @Pattern(Patterns.HEADER_NAME)
        String name,
    @JsonPropertyDescription(
            "Variable whose value becomes the header value, as <scope>.<prefix>.<name>, e.g."
                + " txn.iprep.score.")
        @Required
        @Size(max = 63)
        @Pattern(Patterns.VARIABLE)
        String fromVariable,
    @JsonPropertyDescription("Remove the header when the variable is unset.")
        @Nullable Boolean removeWhenUnset) {}
