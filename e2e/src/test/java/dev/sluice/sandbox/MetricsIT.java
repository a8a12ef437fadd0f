package dev.sluice.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.marcnuri.helm.Helm;
import dev.sluice.operator.certs.Certificates;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant: every panel of the dashboard the chart installs has data — each series its queries
 * select has samples in the sidecars' or the operator's {@code /metrics}, carrying the labels the
 * panel groups by — once the whole system ran with traffic of each kind the panels show; and
 * docs/metrics.md lists exactly the families the code exports, with their types, labels and the
 * panels that use them.
 */
class MetricsIT {
  static final Path ROOT = Path.of("..");
  static final ObjectMapper JSON = JsonMapper.builder().build();

  /** The path of the upload the stopped store fails: no label may carry it. */
  static final String FAILED_UPLOAD = "/upload/after-the-store-stopped";

  @TempDir static Path work;
  static Sandbox sandbox;
  static final ByteArrayOutputStream narration = new ByteArrayOutputStream();

  /** The dashboard as {@code helm template --set grafana.dashboard.enabled=true} renders it. */
  static JsonNode dashboard;

  static Exposition sidecars;
  static Exposition operator;

  @BeforeAll
  static void runTheSystemWithTrafficOfEveryKindThePanelsShow() throws Exception {
    SandboxMain.allowHostHeaderAndIpTargets();
    dashboard = renderedDashboard();
    sandbox =
        new Sandbox(
            new PrintStream(narration, true, StandardCharsets.UTF_8),
            ROOT.resolve("examples/shop"),
            work,
            SandboxNetwork.random());
    // requests through every sidecar, offload calls to both agents, a rolling reload
    sandbox.run();
    assertThat(sandbox.failures()).as("failed checks in:\n" + said()).isZero();
    refusedConfigToken();
    upstreamRefusingConnections();
    sidecars = scrapeSidecars();
    operator = Exposition.parse(get(sandbox.operatorAdmin().resolve("/metrics")));
  }

  @AfterAll
  static void stop() {
    if (sandbox != null) {
      sandbox.close();
    }
  }

  static String said() {
    return narration.toString(StandardCharsets.UTF_8);
  }

  /** A request to the config service without a token, as a misconfigured client sends it. */
  static void refusedConfigToken() throws Exception {
    HttpClient https =
        HttpClient.newBuilder().sslContext(Certificates.trusting(sandbox.operatorCa())).build();
    HttpResponse<String> refused =
        https.send(
            HttpRequest.newBuilder(sandbox.configService().resolve("/v1/pods/shop/nobody/config"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
  }

  /** The upload store stops with its endpoint in place: an upload finds it refusing. */
  static void upstreamRefusingConnections() throws Exception {
    sandbox.stopUploadStore();
    String ip = sandbox.pods().get(0).ip();
    HttpResponse<String> failed =
        Sandbox.send(
            sandbox.trafficClient(),
            Sandbox.request(ip, FAILED_UPLOAD)
                .POST(HttpRequest.BodyPublishers.ofString("body"))
                .build());
    assertThat(failed.statusCode()).as(failed.body()).isBetween(502, 504);
  }

  /**
   * Every sidecar's {@code /metrics}, once the failed upload is counted (just after its answer).
   */
  static Exposition scrapeSidecars() {
    return Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              Exposition all = null;
              for (PodRunner.RunningPod pod : sandbox.pods()) {
                var address = pod.sidecar().adminAddress();
                Exposition one =
                    Exposition.parse(
                        get(
                            URI.create(
                                "http://"
                                    + address.getAddress().getHostAddress()
                                    + ":"
                                    + address.getPort()
                                    + "/metrics")));
                all = all == null ? one : all.and(one);
              }
              return all;
            },
            all -> !all.samples("sluice_upstream_errors_total").isEmpty());
  }

  static String get(URI uri) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("GET " + uri).isEqualTo(200);
    return response.body();
  }

  /** The chart's dashboard ConfigMap, rendered by Helm: its {@code sluice.json}. */
  static JsonNode renderedDashboard() throws Exception {
    String yaml =
        new Helm(ROOT.resolve("charts/sluice"))
            .template()
            .withName("sluice")
            .withNamespace("sluice-system")
            .withKubeVersion("1.30.0")
            .set("grafana.dashboard.enabled", true)
            .call();
    for (String doc : yaml.split("(?m)^---\\s*$")) {
      if (doc.contains("kind: ConfigMap")
          && Serialization.unmarshal(doc) instanceof ConfigMap map
          && map.getData() != null
          && map.getData().containsKey("sluice.json")) {
        return JSON.readTree(map.getData().get("sluice.json"));
      }
    }
    throw new AssertionError("no ConfigMap with sluice.json in the rendered chart:\n" + yaml);
  }

  /** Each panel's title and the series its queries select. */
  static Map<String, List<PromQl.Selector>> panels() {
    Map<String, List<PromQl.Selector>> out = new LinkedHashMap<>();
    for (JsonNode panel : dashboard.path("panels")) {
      List<PromQl.Selector> selectors = new ArrayList<>();
      for (JsonNode target : panel.path("targets")) {
        selectors.addAll(PromQl.selectors(target.path("expr").asText()));
      }
      out.put(panel.path("title").asText(), selectors);
    }
    return out;
  }

  @Test
  void theRenderedDashboardIsTheChartsFile() throws Exception {
    assertThat(dashboard)
        .isEqualTo(JSON.readTree(ROOT.resolve("charts/sluice/dashboards/sluice.json").toFile()));
    assertThat(panels())
        .hasSize(10)
        .allSatisfy((title, selectors) -> assertThat(selectors).isNotEmpty());
  }

  @Test
  void everyPanelsSeriesHasSamplesWithTheLabelsItGroupsBy() {
    Exposition all = sidecars.and(operator);
    List<String> problems = new ArrayList<>();
    panels()
        .forEach(
            (title, selectors) -> {
              for (PromQl.Selector selector : selectors) {
                List<Exposition.Sample> samples = all.samples(selector.series());
                if (samples.isEmpty()) {
                  problems.add(title + ": no sample of " + selector.series());
                }
                for (String label : selector.labels()) {
                  if (!samples.stream().allMatch(s -> s.labels().containsKey(label))) {
                    problems.add(
                        title + ": samples of " + selector.series() + " without label " + label);
                  }
                }
              }
            });
    assertThat(problems).as("panels without data").isEmpty();
  }

  @Test
  void noLabelCarriesWhatARequestSentOrWhereItCameFrom() {
    List<String> leaks = new ArrayList<>();
    for (String series :
        List.of("sluice_request_duration_seconds_count", "sluice_upstream_errors_total")) {
      assertThat(sidecars.samples(series)).as(series).isNotEmpty();
    }
    Exposition all = sidecars.and(operator);
    for (Exposition.Sample sample : all.samples()) {
      sample
          .labels()
          .forEach(
              (name, value) -> {
                if (value.contains(FAILED_UPLOAD) || value.startsWith("127.")) {
                  leaks.add(sample.series() + "{" + name + "=\"" + value + "\"}");
                }
              });
    }
    assertThat(leaks).as("labels holding a request's path or an address").isEmpty();
  }

  @Test
  void theMetricsTableListsExactlyTheFamiliesTheCodeExports() throws Exception {
    EveryMeter.checkEveryMethodIsCalled();
    List<MetricsTable.Row> rows = MetricsTable.read(ROOT.resolve("docs/metrics.md"));
    Exposition sidecarFamilies = Exposition.parse(EveryMeter.sidecar()).and(sidecars);
    Exposition operatorFamilies = Exposition.parse(EveryMeter.operator()).and(operator);
    Map<String, Set<String>> usedBy = panelsByFamily(sidecars.and(operator));
    List<String> problems = new ArrayList<>();
    problems.addAll(compare("Sidecar", rows, sidecarFamilies, usedBy));
    problems.addAll(compare("Operator", rows, operatorFamilies, usedBy));
    assertThat(problems).as("docs/metrics.md against the registries").isEmpty();
  }

  /** Family to the titles of the panels whose queries read it. */
  static Map<String, Set<String>> panelsByFamily(Exposition exported) {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    panels()
        .forEach(
            (title, selectors) -> {
              for (PromQl.Selector selector : selectors) {
                String family = exported.familyOf(selector.series());
                out.computeIfAbsent(
                        family == null ? selector.series() : family, f -> new LinkedHashSet<>())
                    .add(title);
              }
            });
    return out;
  }

  static List<String> compare(
      String section,
      List<MetricsTable.Row> allRows,
      Exposition exported,
      Map<String, Set<String>> usedBy) {
    List<MetricsTable.Row> rows =
        allRows.stream().filter(r -> r.section().equals(section)).toList();
    List<String> problems = new ArrayList<>();
    if (rows.isEmpty()) {
      problems.add("no table under ## " + section);
    }
    Set<String> documented = new TreeSet<>();
    List<String> prefixes = new ArrayList<>();
    for (MetricsTable.Row row : rows) {
      for (String name : row.names()) {
        if (name.endsWith("*")) {
          prefixes.add(name.substring(0, name.length() - 1));
        } else {
          documented.add(name);
        }
      }
    }
    Set<String> families = new TreeSet<>(exported.types().keySet());
    for (String family : families) {
      if (!documented.contains(family) && prefixes.stream().noneMatch(family::startsWith)) {
        problems.add(section + ": " + family + " is exported but not in docs/metrics.md");
      }
    }
    for (String name : documented) {
      if (!families.contains(name)) {
        problems.add(section + ": " + name + " is in docs/metrics.md but not exported");
      }
    }
    for (String prefix : prefixes) {
      if (families.stream().noneMatch(f -> f.startsWith(prefix))) {
        problems.add(section + ": no exported family starts with " + prefix);
      }
    }
    for (MetricsTable.Row row : rows) {
      if (row.isPrefix()) {
        continue;
      }
      String family = row.names().get(0);
      if (!families.contains(family)) {
        continue; // said above
      }
      if (!row.type().equals(exported.types().get(family))) {
        problems.add(
            family + ": documented " + row.type() + ", exported " + exported.types().get(family));
      }
      for (String name : row.names()) {
        if (families.contains(name) && !exported.labelsOf(name).equals(row.labels())) {
          problems.add(
              name
                  + ": documented labels "
                  + row.labels()
                  + ", exported "
                  + exported.labelsOf(name));
        }
      }
      Set<String> panels = usedBy.getOrDefault(family, Set.of());
      if (!row.panels().equals(panels)) {
        problems.add(family + ": documented for panels " + row.panels() + ", used by " + panels);
      }
    }
    return problems;
  }
}
