package dev.sluice.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** An SPOP message: a name and arguments computed from the request or response. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.event == 'Response' || self.args.all(a, !a.value.startsWith('res.'))",
    message = "a Request message cannot use res.* samples: the response does not exist yet")
@ValidationRule(
    value = "self.event == 'Request' || self.args.all(a, !a.value.startsWith('req.body'))",
    message = "a Response message cannot use req.body: the request body has been forwarded")
@ValidationRule(
    value = "self.args.all(a, self.args.exists_one(b, b.name == a.name))",
    message = "args[].name must be unique within the message")
public record Message(
    @JsonPropertyDescription("Message name as the agent expects it (e.g. check-client-ip).")
        @Required
        @Size(min = 1, max = 63)
        @Pattern("^[A-Za-z0-9_.-]+$")
        String name,
    @JsonPropertyDescription(
            "Request: sent before the request is forwarded upstream. Response: sent before the"
                + " response goes downstream.")
        @Default("Request")
        @Nullable Event event,
    @JsonPropertyDescription("Arguments, in order (at most 255, SPOP's limit; here 32).")
        @Required
        @Size(max = 32)
        List<MessageArgument> args) {

  /** When a message is sent. */
  public enum Event {
    Request,
    Response
  }
}
