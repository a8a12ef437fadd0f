package dev.sluice.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * charts/sluice rendered by Helm itself (helm-java bundles it; offline), for the chart's tests:
 * {@code helm template} with values, its objects, the operator's arguments in them.
 */
final class HelmChart {
  private HelmChart() {}

  static final Path ROOT = Path.of(System.getProperty("sluice.root", "..")).toAbsolutePath();

  static final Path CHART = ROOT.resolve("charts/sluice");

  static final String KUBE = "1.30.0";

  static List<HasMetadata> render(Map<String, Object> values) {
    return load(template(values));
  }

  /** {@code helm template sluice -n sluice-system} with {@code values}: the YAML it prints. */
  static String template(Map<String, Object> values) {
    var template =
        new Helm(CHART)
            .template()
            .withName("sluice")
            .withNamespace("sluice-system")
            .withKubeVersion(KUBE);
    values.forEach(template::set);
    return template.call();
  }

  /** The operator container's arguments in {@code rendered}. */
  static List<String> operatorArgs(List<HasMetadata> rendered) {
    return only(rendered, Deployment.class)
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .getArgs();
  }

  static List<HasMetadata> load(String yaml) {
    List<HasMetadata> out = new ArrayList<>();
    for (String doc : yaml.split("(?m)^---\\s*$")) {
      if (doc.lines().anyMatch(l -> l.startsWith("kind:"))) {
        Object parsed = Serialization.unmarshal(doc);
        if (parsed instanceof HasMetadata m) {
          out.add(m);
        }
      }
    }
    return out;
  }

  static <T> T only(List<HasMetadata> objects, Class<T> type) {
    List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
    assertThat(found).as(type.getSimpleName()).hasSize(1);
    return found.get(0);
  }
}
