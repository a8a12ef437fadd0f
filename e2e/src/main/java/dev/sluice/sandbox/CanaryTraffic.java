package dev.sluice.sandbox;

import dev.sluice.api.v1alpha1.LocalRateLimit;
import dev.sluice.api.v1alpha1.PathModifier;
import dev.sluice.api.v1alpha1.RequestRedirect;
import dev.sluice.api.v1alpha2.BackendRef;
import dev.sluice.api.v1alpha2.Filter;
import dev.sluice.api.v1alpha2.ProxyRoute;
import dev.sluice.api.v1alpha2.Rule;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * examples/canary's route through the pods' sidecars, on its plain HTTP listener, each outcome a
 * check (step 7). What each check expects is read from the route as the API serves it in
 * sluice.dev/v1alpha2, so the checks follow the example:
 *
 * <ul>
 *   <li>the split: {@value #SPLIT_REQUESTS} GETs from {@value #SPLIT_CLIENTS} client addresses over
 *       every pod; the canary's count must lie within {@value #SIGMAS} standard deviations of the
 *       binomial mean its weight gives, and no response is anything but a greeting of either
 *       release;
 *   <li>the opt-in: {@value #OPT_IN_REQUESTS} GETs with {@code x-canary: always}, every one
 *       answered by the canary with the rule's {@code x-release: canary};
 *   <li>the redirect: the rule's status and a {@code Location} built as Gateway API's
 *       RequestRedirect says (the listener's scheme and port, the request's host, the matched
 *       prefix replaced, the query kept);
 *   <li>the rate limit: from a client address of its own to one pod, GETs until the first 429: at
 *       least the burst admitted, at most the burst plus what refilled meanwhile, and the 429 with
 *       a {@code Retry-After} of at least one second.
 * </ul>
 */
final class CanaryTraffic {
  static final String ROUTE = "storefront-canary";
  static final int SPLIT_REQUESTS = 1_000;
  static final int SPLIT_CLIENTS = 10;
  static final int SIGMAS = 5;
  static final int OPT_IN_REQUESTS = 20;

  /** Client addresses after the split's: the opt-in's and redirect's, then the rate limit's. */
  private static final int OPT_IN_CLIENT = SPLIT_CLIENTS + 1;

  private static final int RATE_LIMITED_CLIENT = SPLIT_CLIENTS + 2;

  private static final String CANARY = StorefrontCanary.SERVICE + ": hello, ";
  private static final String CURRENT = StorefrontReplicas.SERVICE + ": hello, ";

  private final Narration narration;
  private final ShopDemo shop;
  private final SandboxNetwork network;

  @SuppressWarnings("NullAway.Init") // set by run() before anything reads it
  private ProxyRoute route;

  CanaryTraffic(Narration narration, ShopDemo shop) {
    this.narration = narration;
    this.shop = shop;
    this.network = shop.network();
  }

  void run() throws Exception {
    route =
        shop.client().resources(ProxyRoute.class).inNamespace(ShopDemo.NS).withName(ROUTE).get();
    narration.say(
        "ProxyRoute "
            + ROUTE
            + " read back as sluice.dev/v1alpha2 (stored as v1alpha1), HTTP on :"
            + port()
            + " of every pod, Host "
            + host());
    split(rule("split"));
    optIn();
    redirect(rule("catalog-moved"));
    rateLimit(rule("split"));
  }

  private void split(Rule split) throws Exception {
    long canaryWeight = 0;
    long total = 0;
    for (BackendRef ref : Objects.requireNonNull(split.backendRefs(), "split.backendRefs")) {
      long weight = ref.weight() == null ? 1 : ref.weight();
      total += weight;
      canaryWeight += StorefrontCanary.SERVICE.equals(ref.name()) ? weight : 0;
    }
    double p = (double) canaryWeight / total;
    double mean = SPLIT_REQUESTS * p;
    double sigma = Math.sqrt(SPLIT_REQUESTS * p * (1 - p));
    int[] counts = splitCounts(); // canary, current, anything else
    narration.check(
        counts[2] == 0 && Math.abs(counts[0] - mean) <= SIGMAS * sigma,
        String.format(
            "split: %d GETs from %d client addresses over %d pods: %d to %s (%.1f %%), %d to %s,"
                + " %d other; weight %d of %d expects %.0f ± %.0f (%d σ, σ = √(n·p·(1−p)) = %.1f)",
            SPLIT_REQUESTS,
            SPLIT_CLIENTS,
            shop.pods().size(),
            counts[0],
            StorefrontCanary.SERVICE,
            100.0 * counts[0] / SPLIT_REQUESTS,
            counts[1],
            StorefrontReplicas.SERVICE,
            counts[2],
            canaryWeight,
            total,
            mean,
            SIGMAS * sigma,
            SIGMAS,
            sigma));
  }

  /**
   * {@value #SPLIT_REQUESTS} GETs, each client address on a thread of its own sending in turn to
   * every pod: how many the canary answered, the current release, and anything else (another
   * status, another body, or a response the opt-in rule's header modifier touched).
   */
  private int[] splitCounts() throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(SPLIT_CLIENTS);
    try {
      List<Future<int[]>> futures = new ArrayList<>();
      for (int c = 1; c <= SPLIT_CLIENTS; c++) {
        String from = network.client(c);
        futures.add(clients.submit(() -> sendSplit(from, SPLIT_REQUESTS / SPLIT_CLIENTS)));
      }
      int[] counts = new int[3];
      for (Future<int[]> future : futures) {
        int[] one = future.get();
        for (int i = 0; i < counts.length; i++) {
          counts[i] += one[i];
        }
      }
      return counts;
    } finally {
      clients.shutdownNow();
    }
  }

  private int[] sendSplit(String from, int requests) throws Exception {
    int[] counts = new int[3];
    List<AddressedClient> toPods = clients(from);
    try {
      for (int i = 0; i < requests; i++) {
        AddressedClient.Response r = toPods.get(i % toPods.size()).get(host(), "/");
        boolean plain = r.status() == 200 && r.header("x-release") == null;
        counts[
            !plain ? 2 : r.body().startsWith(CANARY) ? 0 : r.body().startsWith(CURRENT) ? 1 : 2]++;
      }
    } finally {
      for (AddressedClient client : toPods) {
        client.close();
      }
    }
    return counts;
  }

  private void optIn() throws Exception {
    int canary = 0;
    List<AddressedClient> toPods = clients(network.client(OPT_IN_CLIENT));
    try {
      for (int i = 0; i < OPT_IN_REQUESTS; i++) {
        AddressedClient.Response r =
            toPods.get(i % toPods.size()).get(host(), "/", "x-canary: always");
        if (r.status() == 200
            && r.body().startsWith(CANARY)
            && "canary".equals(r.header("x-release"))) {
          canary++;
        }
      }
    } finally {
      for (AddressedClient client : toPods) {
        client.close();
      }
    }
    narration.check(
        canary == OPT_IN_REQUESTS,
        "opt-in: "
            + OPT_IN_REQUESTS
            + " GETs with x-canary: always -> "
            + canary
            + " answered by "
            + StorefrontCanary.SERVICE
            + " with x-release: canary (rule canary-opt-in)");
  }

  private void redirect(Rule moved) throws Exception {
    RequestRedirect redirect =
        Objects.requireNonNull(
            filterOf(moved, Filter.Type.RequestRedirect).requestRedirect(), "requestRedirect");
    String prefix =
        Objects.requireNonNull(
                Objects.requireNonNull(moved.matches(), "matches").get(0).path(), "path")
            .value();
    String path = prefix + "/shoes";
    String expected = location(redirect, Objects.requireNonNull(prefix), path, "color=red");
    int status = redirect.statusCode() == null ? 302 : redirect.statusCode();
    AddressedClient.Response r;
    try (AddressedClient client =
        new AddressedClient(
            network.client(OPT_IN_CLIENT),
            new InetSocketAddress(shop.pods().get(0).ip(), port()))) {
      r = client.get(host(), path + "?color=red");
    }
    narration.check(
        r.status() == status && expected.equals(r.header("location")),
        "redirect: GET http://"
            + host()
            + path
            + "?color=red -> "
            + r.status()
            + " Location: "
            + r.header("location")
            + " (expected: "
            + status
            + " "
            + expected
            + ", by Gateway API's RequestRedirect)");
  }

  /**
   * The Location Gateway API's RequestRedirect gives a request for {@code path?query} to {@link
   * #host()}: the redirect's scheme, else the listener's (http); its hostname, else the request's;
   * its port, else its scheme's well-known port when it names a scheme, else the listener's; left
   * out when it is the scheme's well-known one; the path with the matched {@code prefix} replaced
   * (or replaced whole); the query kept.
   */
  private String location(RequestRedirect redirect, String prefix, String path, String query) {
    String scheme =
        redirect.scheme() == null ? "http" : redirect.scheme().name().toLowerCase(Locale.ROOT);
    int wellKnown = scheme.equals("https") ? 443 : 80;
    int port =
        redirect.port() != null ? redirect.port() : redirect.scheme() != null ? wellKnown : port();
    String host =
        redirect.hostname() != null ? redirect.hostname() : host().replaceFirst(":\\d+$", "");
    PathModifier modifier = redirect.path();
    String newPath =
        modifier == null
            ? path
            : modifier.type() == PathModifier.Type.ReplaceFullPath
                ? modifier.replaceFullPath()
                : modifier.replacePrefixMatch() + path.substring(prefix.length());
    return scheme + "://" + host + (port == wellKnown ? "" : ":" + port) + newPath + "?" + query;
  }

  private void rateLimit(Rule limited) throws Exception {
    LocalRateLimit limit =
        Objects.requireNonNull(
            filterOf(limited, Filter.Type.LocalRateLimit).localRateLimit(), "localRateLimit");
    long burst = limit.burst() == null ? limit.requests() : limit.burst();
    double perSecond = limit.requests() / (double) unitSeconds(limit.unit());
    String from = network.client(RATE_LIMITED_CLIENT);
    PodRunner.RunningPod pod = shop.pods().get(0);
    int admitted = 0;
    AddressedClient.Response refused = null;
    long started = System.nanoTime();
    try (AddressedClient client =
        new AddressedClient(from, new InetSocketAddress(pod.ip(), port()))) {
      while (refused == null && admitted <= burst + 1_000) {
        AddressedClient.Response r = client.get(host(), "/");
        if (r.status() == 200) {
          admitted++;
        } else {
          refused = r;
        }
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    long most = burst + (long) Math.ceil(perSecond * seconds) + 1;
    String retryAfter = refused == null ? null : refused.header("retry-after");
    narration.check(
        refused != null
            && refused.status() == 429
            && admitted >= burst
            && admitted <= most
            && retryAfter != null
            && retryAfter.matches("[1-9][0-9]*"),
        String.format(
            "rate limit (%d/%s, burst %d, per client address) from %s via %s: %d admitted in"
                + " %.2f s (expected: %d to %d), then %s with Retry-After: %s",
            limit.requests(),
            limit.unit() == null ? "Second" : limit.unit(),
            burst,
            from,
            pod.name(),
            admitted,
            seconds,
            burst,
            most,
            refused == null ? "no refusal" : String.valueOf(refused.status()),
            retryAfter));
  }

  private static long unitSeconds(LocalRateLimit.@Nullable Unit unit) {
    return unit == null
        ? 1
        : switch (unit) {
          case Second -> 1;
          case Minute -> 60;
          case Hour -> 3600;
        };
  }

  /** A client at {@code from} for each pod's listener, in pod order. */
  private List<AddressedClient> clients(String from) {
    return shop.pods().stream()
        .map(p -> new AddressedClient(from, new InetSocketAddress(p.ip(), port())))
        .toList();
  }

  private int port() {
    return route.getSpec().listener().port();
  }

  /** The Host a client sends that asked for {@code http://<first hostname>:<port>/}. */
  private String host() {
    List<String> hostnames = Objects.requireNonNull(route.getSpec().hostnames(), "hostnames");
    return hostnames.get(0) + ":" + port();
  }

  private Rule rule(String name) {
    return route.getSpec().rules().stream()
        .filter(r -> name.equals(r.name()))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "ProxyRoute " + ROUTE + ": no rule " + name + " (expected: the example's)"));
  }

  private static Filter filterOf(Rule rule, Filter.Type type) {
    return Objects.requireNonNull(rule.filters(), "filters").stream()
        .filter(f -> f.type() == type)
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "ProxyRoute "
                        + ROUTE
                        + " rule "
                        + rule.name()
                        + ": no "
                        + type
                        + " filter (expected: the example's)"));
  }
}
