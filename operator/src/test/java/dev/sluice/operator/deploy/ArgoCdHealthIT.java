package dev.sluice.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.api.v1alpha1.ConditionTypes;
import dev.sluice.api.v1alpha1.OffloadAgent;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.ProxyRouteStatus;
import dev.sluice.api.v1alpha1.Reasons;
import dev.sluice.operator.agent.AgentStatus;
import dev.sluice.operator.render.RenderProblem;
import dev.sluice.operator.rollout.RolloutState;
import dev.sluice.operator.route.RouteStatus;
import dev.sluice.operator.testing.Objects;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * operator/deploy/argocd-health.lua, run by a real Lua VM (fengari on Node, installed from the npm
 * registry on first use) on objects whose status the operator's own status code wrote: every state
 * maps to the Argo CD health a user would expect.
 */
class ArgoCdHealthIT {
  static final Path ROOT = Path.of(System.getProperty("sluice.root", ".."));
  static final Path SCRIPT = ROOT.resolve("operator/deploy/argocd-health.lua");
  static final Path WORK = Path.of("target/argocd-health");
  static final ObjectMapper JSON = JsonMapper.builder().findAndAddModules().build();
  static final String T0 = "2026-11-21T12:00:00Z";

  @BeforeAll
  static void installLua() throws Exception {
    Files.createDirectories(WORK);
    for (String file : List.of("package.json", "argocd-health.js")) {
      Files.copy(
          Path.of("src/test/js").resolve(file),
          WORK.resolve(file),
          StandardCopyOption.REPLACE_EXISTING);
    }
    if (!Files.exists(WORK.resolve("node_modules/fengari/package.json"))) {
      run(List.of("npm", "install", "--no-audit", "--no-fund", "--silent"), 180);
    }
  }

  static String run(List<String> command, int seconds) throws Exception {
    Process process =
        new ProcessBuilder(command).directory(WORK.toFile()).redirectErrorStream(true).start();
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(command + " took longer than " + seconds + "s");
    }
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw new IllegalStateException(command + " failed: " + out);
    }
    return out;
  }

  static JsonNode health(Object resource) throws Exception {
    Path object = Files.createTempFile(WORK, "object", ".json");
    Files.writeString(object, JSON.writeValueAsString(resource));
    String out =
        run(
            List.of(
                "node",
                "argocd-health.js",
                SCRIPT.toAbsolutePath().toString(),
                object.toAbsolutePath().toString()),
            60);
    return JSON.readTree(out);
  }

  static ProxyRoute route(long generation, ProxyRouteStatus status) throws IOException {
    ProxyRoute route = Objects.route("web", "web", 8080, "[{backend: {endpoints: [10.0.0.1:80]}}]");
    route.getMetadata().setGeneration(generation);
    route.setStatus(status);
    return route;
  }

  static RolloutState rollout(int selected, int updated, String stalled) {
    return new RolloutState(
        "a1b2c3d4e5f60718",
        null,
        selected,
        updated,
        updated,
        stalled == null ? 0 : 1,
        stalled,
        stalled == null ? null : "pod web-3 rejected revision a1b2c3d4e5f60718: port in use");
  }

  static ProxyRouteStatus status(List<RenderProblem> problems, RolloutState rollout) {
    return RouteStatus.compute(null, 2, problems, rollout, T0);
  }

  static String say(JsonNode health) {
    return health.get("status").asText() + " | " + health.get("message").asText();
  }

  @Test
  void proxyRouteStatesMapToArgoCdHealth() throws Exception {
    assertThat(say(health(route(1, null))))
        .isEqualTo("Progressing | Waiting for the Sluice operator to report status");
    ProxyRouteStatus old = RouteStatus.compute(null, 1, List.of(), rollout(4, 4, null), T0);
    assertThat(say(health(route(2, old))))
        .isEqualTo("Progressing | Waiting for the Sluice operator to observe generation 2");
    assertThat(say(health(route(2, status(List.of(), rollout(4, 1, null))))))
        .isEqualTo("Progressing | RolloutInProgress: Rolling out revision a1b2c3d4e5f60718.");
    assertThat(say(health(route(2, status(List.of(), rollout(4, 4, null))))))
        .isEqualTo("Healthy | All 4 selected pods applied revision a1b2c3d4e5f60718.");
    RolloutState scaledUp =
        new RolloutState("a1b2c3d4e5f60718", "a1b2c3d4e5f60718", 5, 4, 4, 0, null, null, true);
    assertThat(say(health(route(2, status(List.of(), scaledUp)))))
        .isEqualTo(
            "Healthy | 4 of 5 selected pods applied revision a1b2c3d4e5f60718; the others are new"
                + " and catching up.");
    assertThat(say(health(route(2, status(List.of(), rollout(4, 2, Reasons.CONFIG_REJECTED))))))
        .isEqualTo(
            "Degraded | ConfigRejected: pod web-3 rejected revision a1b2c3d4e5f60718: port in use");
    RenderProblem missing =
        new RenderProblem(
            RenderProblem.Kind.PROXY_ROUTE,
            "web",
            ConditionTypes.RESOLVED_REFS,
            Reasons.SERVICE_NOT_FOUND,
            "spec.rules[0].backend.service",
            "ghost:80",
            "a Service in namespace shop with that port");
    assertThat(say(health(route(2, status(List.of(missing), rollout(4, 0, null))))))
        .startsWith("Progressing | ServiceNotFound: Waiting for a reference: spec.rules[0]");
    RenderProblem conflict =
        new RenderProblem(
            RenderProblem.Kind.PROXY_ROUTE,
            "web",
            ConditionTypes.ACCEPTED,
            Reasons.PORT_CONFLICT,
            "spec.listener.port",
            "8080",
            "a port no other ProxyRoute selecting the same pods uses");
    assertThat(say(health(route(2, status(List.of(conflict), rollout(4, 0, null))))))
        .startsWith("Degraded | PortConflict: spec.listener.port: \"8080\"");
    assertThat(say(health(route(2, status(List.of(), rollout(0, 0, null))))))
        .isEqualTo("Healthy | NoPodsSelected: The selector picks no pod with a Sluice sidecar.");
  }

  @Test
  void offloadAgentStatesMapToArgoCdHealth() throws Exception {
    OffloadAgent agent =
        Objects.agent(
            """
            apiVersion: sluice.dev/v1alpha1
            kind: OffloadAgent
            metadata: {name: waf, namespace: shop, generation: 1}
            spec:
              endpoints: [10.2.0.1:12345]
              timeouts: {processing: 300ms}
              messages: [{name: check, args: [{name: src, value: src}]}]
            """);
    agent.setStatus(
        AgentStatus.compute(null, 1, List.of(), 1, 1, new AgentStatus.Health(1, 1), T0));
    assertThat(say(health(agent))).isEqualTo("Healthy | 1 agent endpoints resolved.");
    agent.setStatus(
        AgentStatus.compute(null, 1, List.of(), 1, 1, new AgentStatus.Health(2, 0), T0));
    assertThat(say(health(agent)))
        .isEqualTo(
            "Degraded | NoHealthyEndpoints: None of 1 endpoints passes SPOP health checks (2"
                + " sidecars reporting).");
  }
}
