package dev.sluice.cli.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.sluice.cli.ApiCalls;
import dev.sluice.cli.CliFailure;
import dev.sluice.cli.ClusterOptions;
import dev.sluice.cli.Session;
import dev.sluice.operator.pods.PodRecord;
import dev.sluice.operator.pods.PodRollout;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kubectl sluice config POD [--diff]}: the rendered config the pod's sidecar runs (its
 * applied revision; the assigned one when it has applied none yet), secrets redacted; with {@code
 * --diff}, a unified diff of the YAML from the applied to the assigned revision.
 */
@Command(
    name = "config",
    description = {
      "The rendered config a pod's sidecar runs (its applied revision), secrets redacted.",
      "--diff: what changes from the applied to the assigned revision (unified diff of the YAML)."
    })
public final class ConfigCommand implements Callable<Integer> {
  /** {@code -o} for a config: it is a document, not rows. */
  enum Format {
    yaml,
    json
  }

  private static final ObjectMapper YAML =
      YAMLMapper.builder()
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .build();
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  @Mixin ClusterOptions cluster = new ClusterOptions();

  @Parameters(paramLabel = "POD", description = "A pod with a Sluice sidecar.")
  String pod = "";

  @Option(names = "--diff", description = "Diff the applied revision against the assigned one.")
  boolean diff;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "yaml (default) or json.")
  Format output = Format.yaml;

  private final Session session;

  public ConfigCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() {
    try (KubernetesClient client = cluster.connect()) {
      String namespace = cluster.namespace(client);
      Pod found =
          ApiCalls.read(
              client,
              "pod " + namespace + "/" + pod,
              () -> client.pods().inNamespace(namespace).withName(pod).get());
      if (found == null) {
        throw new CliFailure(
            CliFailure.FAILED,
            "pod \"" + pod + "\" not found in namespace " + namespace + " (expected: a pod name)");
      }
      PodRollout rollout = PodRecord.of(found).rollout();
      String applied = rollout.applied();
      String assigned = rollout.assigned();
      String revision = applied != null ? applied : assigned;
      if (revision == null) {
        throw new CliFailure(
            CliFailure.FAILED,
            "pod "
                + namespace
                + "/"
                + pod
                + ": no sluice.dev/assigned-revision or sluice.dev/applied-revision (expected: a pod"
                + " with a Sluice sidecar that a ProxyRoute's rollout reached; see: kubectl sluice"
                + " status -n "
                + namespace
                + ")");
      }
      StoredRevisions revisions = new StoredRevisions(client);
      PrintWriter out = session.out();
      if (diff) {
        return diff(namespace, rollout, revisions, out);
      }
      JsonNode config = Redaction.redact(revisions.load(namespace, revision));
      if (output == Format.json) {
        out.println(write(JSON, config));
      } else {
        out.println(
            "# pod "
                + namespace
                + "/"
                + pod
                + ": revision "
                + revision
                + (applied != null
                    ? " (applied)"
                    : " (assigned; its sidecar has not reported applying any revision)"));
        out.print(write(YAML, config));
      }
      return 0;
    }
  }

  private int diff(
      String namespace, PodRollout rollout, StoredRevisions revisions, PrintWriter out) {
    String applied = rollout.applied();
    String assigned = rollout.assigned();
    if (assigned == null || Objects.equals(applied, assigned)) {
      out.println(
          "pod "
              + namespace
              + "/"
              + pod
              + " runs its assigned revision "
              + applied
              + ": nothing to diff.");
      return 0;
    }
    String before =
        applied == null ? "" : write(YAML, Redaction.redact(revisions.load(namespace, applied)));
    String after = write(YAML, Redaction.redact(revisions.load(namespace, assigned)));
    out.print(
        UnifiedDiff.of(
            applied == null
                ? "/dev/null (nothing applied yet)"
                : "revision " + applied + " (applied)",
            before,
            "revision " + assigned + " (assigned)",
            after));
    return 0;
  }

  private static String write(ObjectMapper mapper, JsonNode node) {
    try {
      return mapper.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
