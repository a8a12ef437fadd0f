package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import org.jspecify.annotations.Nullable;

/** As Gateway API's HTTPPathModifier: the whole path, or the prefix the rule's match matched. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "self.type == 'ReplaceFullPath' ? has(self.replaceFullPath) : !has(self.replaceFullPath)",
    message = "replaceFullPath must be set when type is ReplaceFullPath, and only then")
@ValidationRule(
    value =
        "self.type == 'ReplacePrefixMatch' ? has(self.replacePrefixMatch) :"
            + " !has(self.replacePrefixMatch)",
    message = "replacePrefixMatch must be set when type is ReplacePrefixMatch, and only then")
public record PathModifier(
    @JsonPropertyDescription(
            "ReplaceFullPath: the path becomes replaceFullPath. ReplacePrefixMatch: the prefix the"
                + " rule's PathPrefix match matched becomes replacePrefixMatch.")
        @Required
        Type type,
    @JsonPropertyDescription("The new path.") @Size(max = 1024) @Nullable String replaceFullPath,
    @JsonPropertyDescription("What replaces the matched prefix.") @Size(max = 1024)
        @Nullable String replacePrefixMatch) {

  /** What is replaced. */
  public enum Type {
    ReplaceFullPath,
    ReplacePrefixMatch
  }
}
