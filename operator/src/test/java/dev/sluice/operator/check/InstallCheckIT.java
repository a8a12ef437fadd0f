package dev.sluice.operator.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.operator.NativeSidecars;
import dev.sluice.operator.OperatorMain;
import dev.sluice.operator.OperatorRuntime;
import dev.sluice.operator.OperatorSettings;
import dev.sluice.operator.certs.Certificates;
import dev.sluice.testing.kubernetes.ClusterFixtures;
import dev.sluice.testing.kubernetes.EmbeddedKubernetes;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code sluice-operator check-install} (the chart's helm test) passes against a real operator that
 * made its own CA, and fails, naming what it saw and what it expected, when the CA is not the
 * install's, when the Service's name is not the certificate's, and when readiness never comes; a CA
 * file that is not PEM is a bad flag.
 */
class InstallCheckIT {
  static EmbeddedKubernetes cluster;
  static OperatorRuntime operator;
  static Path caFile;

  @TempDir static Path dir;

  @BeforeAll
  static void startOperator() throws IOException {
    cluster = new EmbeddedKubernetes();
    cluster.namespace("sluice-system");
    cluster.client().resource(ClusterFixtures.injectorWebhook()).create();
    operator =
        OperatorRuntime.start(
            cluster.client(),
            OperatorSettings.defaults()
                .onLoopback()
                .withOperatorNamespace("sluice-system")
                .withLeaderElection(false)
                .withNativeSidecars(NativeSidecars.ON));
    String caPem =
        new String(
            Base64.getDecoder()
                .decode(
                    cluster
                        .client()
                        .secrets()
                        .inNamespace("sluice-system")
                        .withName("sluice-operator-tls")
                        .get()
                        .getData()
                        .get("ca.crt")),
            StandardCharsets.UTF_8);
    caFile = Files.writeString(dir.resolve("ca.crt"), caPem);
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  record Ran(int exit, String out, String err) {}

  static Ran check(String... flags) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine command =
        new CommandLine(new OperatorMain())
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true));
    List<String> args = new ArrayList<>(List.of("check-install"));
    args.addAll(List.of(flags));
    int exit = command.execute(args.toArray(String[]::new));
    return new Ran(exit, out.toString(), err.toString());
  }

  static List<String> ports() {
    return List.of(
        "--connect-to=127.0.0.1",
        "--admin-port=" + operator.adminAddress().getPort(),
        "--webhook-port=" + operator.webhookAddress().getPort(),
        "--config-service-port=" + operator.configService().address().getPort());
  }

  static String[] flags(String... more) {
    List<String> all = new ArrayList<>(ports());
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  @Test
  void aWorkingInstallPassesEveryCheck() {
    Ran ran = check(flags("--ca-file=" + caFile, "--namespace=sluice-system"));
    assertThat(ran.exit()).as(ran.out() + ran.err()).isZero();
    assertThat(ran.out().lines().toList())
        .hasSize(3)
        .allMatch(l -> l.startsWith("ok   "))
        .anySatisfy(l -> assertThat(l).contains("/readyz answered 200 ready"))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("ok   webhook: sluice-operator.sluice-system.svc:")
                    .contains(
                        "serves TLS for sluice-operator.sluice-system.svc signed by the CA in"))
        .anySatisfy(l -> assertThat(l).startsWith("ok   config service: "));
  }

  @Test
  void anotherCaFailsTheTlsChecks() throws IOException {
    Path other =
        Files.writeString(
            dir.resolve("other-ca.crt"),
            Certificates.authority("not-the-install", Instant.now(), Duration.ofDays(1))
                .certificatePem());
    Ran ran = check(flags("--ca-file=" + other, "--namespace=sluice-system"));
    assertThat(ran.exit()).isEqualTo(1);
    assertThat(ran.out())
        .contains("ok   readiness:")
        .contains("FAIL webhook: sluice-operator.sluice-system.svc:")
        .contains("FAIL config service: ")
        .contains(
            "(expected: a TLS server whose certificate names sluice-operator.sluice-system.svc"
                + " and is signed by the CA in "
                + other
                + ")");
  }

  @Test
  void aNameTheCertificateDoesNotHaveFailsTheTlsChecks() {
    Ran ran = check(flags("--ca-file=" + caFile, "--namespace=elsewhere"));
    assertThat(ran.exit()).isEqualTo(1);
    assertThat(ran.out())
        .contains("FAIL webhook: sluice-operator.elsewhere.svc:")
        .contains("sluice-operator.elsewhere.svc");
  }

  @Test
  void noReadinessWithinTheTimeoutFails() throws IOException {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    List<String> all = new ArrayList<>(ports());
    all.set(1, "--admin-port=" + closed);
    all.add("--ca-file=" + caFile);
    all.add("--timeout=2s");
    Ran ran = check(all.toArray(String[]::new));
    assertThat(ran.exit()).isEqualTo(1);
    assertThat(ran.out())
        .contains("FAIL readiness: http://127.0.0.1:" + closed + "/readyz answered ")
        .contains("(expected: 200 within 2s)");
  }

  @Test
  void aCaFileThatIsNotPemIsABadFlag() throws IOException {
    Path notPem = Files.writeString(dir.resolve("not.pem"), "hello");
    Ran ran = check(flags("--ca-file=" + notPem));
    assertThat(ran.exit()).isEqualTo(2);
    assertThat(ran.err())
        .contains("check-install: --ca-file " + notPem)
        .contains("(expected: a readable PEM bundle of CA certificates)");
    assertThat(check(flags("--ca-file=" + caFile, "--timeout=soon")).err())
        .contains("check-install: --timeout soon (expected: a duration like 60s)");
  }
}
