package dev.sluice.sidecar.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** The agents part of {@link SidecarConfigValidator}. */
final class AgentValidator {
  private static final Pattern VARIABLE_PART = Pattern.compile("[A-Za-z0-9_]{1,32}");

  static void validate(List<Agent> agents, Problems problems) {
    for (int i = 0; i < agents.size(); i++) {
      validate("agents[" + i + "]", agents.get(i), problems);
    }
    problems.unique("agents", agents, Agent::name, "name");
  }

  private static void validate(String path, Agent agent, Problems problems) {
    SidecarConfigValidator.name(path + ".name", agent.name(), problems);
    problems.endpointsOrCluster(path, agent.endpoints(), agent.cluster());
    problems.range(path + ".maxConnections", agent.maxConnections(), 1, 1024);
    problems.range(path + ".maxInFlightPerConnection", agent.maxInFlightPerConnection(), 1, 1000);
    problems.range(path + ".maxFrameSize", agent.maxFrameSize(), 256, 1024 * 1024);
    problems.range(path + ".denyStatus", agent.denyStatus(), 400, 599);
    validateTimeouts(path + ".timeouts", agent.timeouts(), problems);
    validateVariables(path + ".variables", agent.variables(), problems);
    if (agent.messages().isEmpty()) {
      problems.add(path + ".messages", null, "at least one message");
    }
    for (int m = 0; m < agent.messages().size(); m++) {
      validateMessage(path + ".messages[" + m + "]", agent.messages().get(m), problems);
    }
    problems.unique(path + ".messages", agent.messages(), AgentMessage::name, "name");
  }

  private static void validateTimeouts(String path, SpopTimeouts timeouts, Problems problems) {
    if (!problems.required(path, timeouts, "hello, idle and processing timeouts")) {
      return;
    }
    problems.positive(path + ".hello", timeouts.hello());
    problems.positive(path + ".idle", timeouts.idle());
    if (problems.required(path + ".processing", timeouts.processing(), "a duration like 500ms")) {
      problems.positive(path + ".processing", timeouts.processing());
      if (timeouts.processing().compareTo(timeouts.idle()) > 0) {
        problems.add(
            path + ".processing",
            Durations.format(timeouts.processing()),
            "at most timeouts.idle (" + Durations.format(timeouts.idle()) + ")");
      }
    }
  }

  private static void validateVariables(String path, AgentVariables variables, Problems problems) {
    part(path + ".prefix", variables.prefix(), true, problems);
    part(path + ".onError", variables.onError(), false, problems);
    part(path + ".processTime", variables.processTime(), false, problems);
  }

  private static void part(
      String path, @Nullable String value, boolean required, Problems problems) {
    String expected = "letters, digits and '_', 1 to 32 characters";
    if (value == null) {
      if (required) {
        problems.add(path, null, expected);
      }
    } else if (!VARIABLE_PART.matcher(value).matches()) {
      problems.add(path, value, expected);
    }
  }

  private static void validateMessage(String path, AgentMessage message, Problems problems) {
    SidecarConfigValidator.name(path + ".name", message.name(), problems);
    if (message.args().size() > 255) {
      problems.add(path + ".args", message.args().size() + " arguments", "at most 255 (SPOP)");
    }
    for (int a = 0; a < message.args().size(); a++) {
      String argPath = path + ".args[" + a + "]";
      AgentMessage.Argument arg = message.args().get(a);
      SidecarConfigValidator.name(argPath + ".name", arg.name(), problems);
      if (!problems.required(argPath + ".value", arg.value(), SampleExpression.EXPECTED)) {
        continue;
      }
      try {
        SampleExpression sample = SampleExpression.parse(arg.value());
        if (message.event() == AgentMessage.Event.Request && sample.kind().responseOnly()) {
          problems.add(argPath + ".value", arg.value(), "a request sample in a Request message");
        }
        if (message.event() == AgentMessage.Event.Response
            && sample.kind() == SampleExpression.Kind.REQ_BODY) {
          problems.add(argPath + ".value", arg.value(), "no req.body in a Response message");
        }
      } catch (IllegalArgumentException e) {
        problems.add(
            argPath + ".value",
            arg.value(),
            requireNonNull(e.getMessage()).substring("expected: ".length()));
      }
    }
    problems.unique(path + ".args", message.args(), AgentMessage.Argument::name, "name");
  }

  private AgentValidator() {}
}
