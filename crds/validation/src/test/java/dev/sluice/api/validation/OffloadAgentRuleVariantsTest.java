package dev.sluice.api.validation;

import static dev.sluice.api.validation.RuleVariants.AGENT;
import static dev.sluice.api.validation.RuleVariants.agent;
import static dev.sluice.api.validation.RuleVariants.assertRefusedByItsRule;
import static dev.sluice.api.validation.RuleVariants.base;
import static dev.sluice.api.validation.RuleVariants.merge;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.api.validation.RuleVariants.Variant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every CEL rule of the OffloadAgent refuses its invalid variant of the valid agent, with its own
 * message at its own node; the trace_id sample is an argument of either phase.
 */
class OffloadAgentRuleVariantsTest {
  static List<Variant> variants() {

    return List.of(
        agent(
            "a Request message using res.status",
            "{messages: [{name: check, args: [{name: s, value: res.status}]}]}",
            "spec.messages[0]: Invalid value: \"object\": a Request message cannot use res.*"
                + " samples: the response does not exist yet"),
        agent(
            "a Response message using req.body",
            "{messages: [{name: check, event: Response, args: [{name: b, value: req.body(10)}]}]}",
            "spec.messages[0]: Invalid value: \"object\": a Response message cannot use req.body:"
                + " the request body has been forwarded"),
        agent(
            "two args named s",
            "{messages: [{name: check, args: [{name: s, value: src}, {name: s, value: dst}]}]}",
            "spec.messages[0]: Invalid value: \"object\": args[].name must be unique within the"
                + " message"),
        agent(
            "processing 0s",
            "{timeouts: {processing: 0s}}",
            "spec.timeouts: Invalid value: \"object\": timeouts.processing must be greater than"
                + " 0"),
        agent(
            "processing above the default idle",
            "{timeouts: {processing: 1m}}",
            "spec.timeouts: Invalid value: \"object\": timeouts.processing must not be above"
                + " timeouts.idle"),
        agent(
            "hello 0s",
            "{timeouts: {processing: 1s, hello: 0s}}",
            "spec.timeouts: Invalid value: \"object\": timeouts.hello must be greater than 0"),
        agent(
            "neither service nor endpoints",
            "{endpoints: null}",
            "spec: Invalid value: \"object\": an OffloadAgent needs exactly one of service and"
                + " endpoints"),
        agent(
            "two messages named check",
            "{messages: [{name: check, args: [{name: s, value: src}]},"
                + " {name: check, args: [{name: s, value: src}]}]}",
            "spec: Invalid value: \"object\": messages[].name must be unique within the"
                + " OffloadAgent"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void eachVariantIsRefusedByItsRule(Variant variant) {
    assertRefusedByItsRule(variant);
  }

  @Test
  void theTraceIdSampleIsAnArgumentOfEitherPhaseAndAMisspeltOneIsNot() {
    for (String event : List.of("Request", "Response")) {
      ObjectNode agent = base(AGENT);
      merge(
          (ObjectNode) agent.get("spec"),
          Objects.yaml(
              "{messages: [{name: check, event: "
                  + event
                  + ", args: [{name: trace_id, value: trace_id}]}]}"));
      assertThat(SluiceCrds.forKind("OffloadAgent").admit(agent, null, false).errors())
          .as(event)
          .isEmpty();
    }
    ObjectNode misspelt = base(AGENT);
    merge(
        (ObjectNode) misspelt.get("spec"),
        Objects.yaml("{messages: [{name: check, args: [{name: t, value: traceid}]}]}"));
    assertThat(SluiceCrds.forKind("OffloadAgent").admit(misspelt, null, false).errors())
        .extracting(FieldError::toString)
        .singleElement()
        .asString()
        .startsWith("spec.messages[0].args[0].value: Invalid value: \"traceid\"");
  }
}
