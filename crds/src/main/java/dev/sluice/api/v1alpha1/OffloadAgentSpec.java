package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** What an OffloadAgent describes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.service) != has(self.endpoints)",
    message = "an OffloadAgent needs exactly one of service and endpoints")
@ValidationRule(
    value = "self.messages.all(m, self.messages.exists_one(n, n.name == m.name))",
    message = "messages[].name must be unique within the OffloadAgent")
public record OffloadAgentSpec(
    @JsonPropertyDescription("A Service whose ready endpoints run the agent.")
        @Nullable ServiceReference service,
    @JsonPropertyDescription("Static agent endpoints as host:port (IPv6 in brackets).")
        @Size(min = 1, max = 64)
        @Nullable List<@Pattern(Patterns.HOST_PORT) String> endpoints,
    @JsonPropertyDescription("SPOP connection settings.") @Nullable SpopSettings spop,
    @JsonPropertyDescription("Timeouts; 'processing' is required.") @Required
        AgentTimeouts timeouts,
    @JsonPropertyDescription(
            "Messages the sidecar can send (routes pick them by name). A NOTIFY carries all"
                + " messages of one event that a route asks for.")
        @Required
        @Size(min = 1, max = 32)
        List<Message> messages,
    @JsonPropertyDescription(
            "How variables the agent sets are named and which bookkeeping variables the sidecar"
                + " sets.")
        @Nullable Variables variables,
    @JsonPropertyDescription(
            "What a request does when the agent errs, disconnects or misses the processing"
                + " timeout. Allow: forward it without the agent's answer. Deny: answer it with"
                + " denyStatus.")
        @Default("Allow")
        @Nullable FailurePolicy failurePolicy,
    @JsonPropertyDescription("Status answered under failurePolicy Deny (400-599).")
        @Default("503")
        @Min(400)
        @Max(599)
        @Nullable Integer denyStatus) {

  /** What to do when an offload request fails. */
  public enum FailurePolicy {
    Allow,
    Deny
  }
}
