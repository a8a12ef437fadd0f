package dev.sluice.sandbox;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Everything the sandbox prints, in one voice: numbered steps, what each step did, checks (counted;
 * a failed one is marked FAIL), status lines as conditions change, and at the end where to reach
 * the sidecars. The checks are the sandbox's verdict: {@link #failures} says how many failed.
 */
final class Narration {
  private static final String INDENT = "      ";

  private final PrintStream out;
  private final int steps;
  private final AtomicInteger failures = new AtomicInteger();
  private int step;

  /** A narration of {@code steps} numbered steps (the sandbox's, as the e2e README lists them). */
  Narration(PrintStream out, int steps) {
    this.out = out;
    this.steps = steps;
  }

  /** Starts the next numbered step. */
  void step(String what) {
    out.printf("%n[%d/%d] %s%n", ++step, steps, what);
  }

  /** What the current step did. */
  void say(String what) {
    out.println(INDENT + what);
  }

  /** A check: printed either way, counted when it failed. */
  void check(boolean ok, String what) {
    out.println(INDENT + (ok ? "ok   " : "FAIL ") + what);
    if (!ok) {
      failures.incrementAndGet();
    }
  }

  /** {@code who}'s conditions changed to {@code conditions} (called from watch threads). */
  void status(String who, String conditions) {
    out.println(INDENT + "status  " + who + ":" + conditions);
  }

  int failures() {
    return failures.get();
  }

  /**
   * Where to reach the sidecars, and how to look at the API, for the user; with {@code canary},
   * examples/canary's listener too, with {@code gateway} examples/httproute's.
   */
  void addresses(
      List<PodRunner.RunningPod> pods, Path kubeconfig, boolean canary, boolean gateway) {
    out.println();
    out.println(
        "Sluice is running. The sidecars (HTTPS on 8443"
            + (canary ? ", HTTP on 9080" : "")
            + ", Host shop.example.com"
            + (gateway ? "; HTTP on 8088, Host www.shop.example.com" : "")
            + "):");
    for (PodRunner.RunningPod pod : pods) {
      out.printf(
          "  %-14s https://%s:8443   admin http://%s:10090/ready%n",
          pod.name(), pod.ip(), pod.ip());
    }
    String first = pods.get(0).ip();
    out.println(
        "Try:  curl -k --resolve shop.example.com:8443:"
            + first
            + " https://shop.example.com:8443/");
    out.println(
        "      curl -k --resolve shop.example.com:8443:"
            + first
            + " --data-binary @/etc/hostname https://shop.example.com:8443/upload/x");
    if (canary) {
      String resolve = "curl -s --resolve shop.example.com:9080:" + first;
      out.println(
          "      "
              + resolve
              + " 'http://shop.example.com:9080/?n=[1-40]' | cut -d: -f1 | sort | uniq -c"
              + "   # the canary's 90/10 split");
      out.println(
          "      "
              + resolve
              + " -i -H 'x-canary: always' http://shop.example.com:9080/   # always the canary");
    }
    if (gateway) {
      String resolve = "curl -si --resolve www.shop.example.com:8088:" + first;
      out.println(
          "      "
              + resolve
              + " http://www.shop.example.com:8088/catalog/shoes   # HTTPRoute storefront's"
              + " redirect");
      out.println(
          "      "
              + resolve
              + " --data-binary @/etc/hostname http://www.shop.example.com:8088/upload/x   #"
              + " HTTPRoute uploads");
    }
    // The embedded API server serves no discovery documents, so kubectl works with --raw.
    out.println(
        "      KUBECONFIG="
            + shellWord(kubeconfig.toString())
            + " kubectl get --raw /apis/sluice.dev/v1alpha1/namespaces/shop/proxyroutes/shop");
    out.println(
        "Which pod runs which revision, the config a pod runs, the preflight checks (install the"
            + " plugin: cli/README.md; without kubectl, java -jar cli/target/kubectl-sluice.jar"
            + " takes the same arguments):");
    for (String command : kubectlSluice(pods.get(0).name(), kubeconfig)) {
      out.println("      " + command);
    }
    out.println("Ctrl-C stops everything.");
  }

  /**
   * The {@code kubectl sluice} commands to try on the sandbox, {@code pod} the one whose config is
   * shown: exactly what {@link #addresses} prints (KubectlSluiceIT runs them).
   */
  static List<String> kubectlSluice(String pod, Path kubeconfig) {
    String at = " --kubeconfig " + shellWord(kubeconfig.toString());
    return List.of(
        "kubectl sluice status -n " + ShopDemo.NS + at,
        "kubectl sluice config " + pod + " -n " + ShopDemo.NS + at,
        "kubectl sluice config " + pod + " -n " + ShopDemo.NS + " --diff" + at,
        "kubectl sluice check" + at);
  }

  /** {@code word} as a shell reads it back: as it is when plain, else in single quotes. */
  static String shellWord(String word) {
    if (word.matches("[A-Za-z0-9_./:=@%+,-]+")) {
      return word;
    }
    return "'" + word.replace("'", "'\\''") + "'";
  }
}
