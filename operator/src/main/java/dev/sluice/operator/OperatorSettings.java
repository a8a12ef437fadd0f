package dev.sluice.operator;

import static java.util.Objects.requireNonNull;

import dev.sluice.operator.configservice.TokenReviewer;
import dev.sluice.operator.inject.SidecarAccessLog;
import dev.sluice.operator.inject.SidecarTracing;
import dev.sluice.operator.render.Renderer;
import dev.sluice.sidecar.config.ContractFields;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * How {@link OperatorRuntime} runs: {@link #defaults()} are the command line's defaults (what a
 * replica in the cluster runs with), and each {@code withX} returns a copy with one thing changed,
 * so an entry point names only what it changes. Immutable once handed out.
 */
public final class OperatorSettings {
  private Set<String> namespaces = Set.of();
  private String operatorNamespace = "sluice-system";
  private String service = "sluice-operator";
  private InetSocketAddress configService = new InetSocketAddress(8443);
  private InetSocketAddress webhook = new InetSocketAddress(9443);
  private InetSocketAddress admin = new InetSocketAddress(8080);
  private @Nullable String configServiceHost; // null: the Service's in-cluster name
  private Duration hold = Duration.ofSeconds(60);
  private boolean leaderElection = true;
  private String lease = "sluice-operator";
  private String identity = System.getenv("HOSTNAME");
  private Runnable onLeaseLost = () -> System.exit(1);
  private @Nullable SSLContext tls; // null: the operator's own (or cert-manager's) certificates
  private String tlsSecret = "sluice-operator-tls";
  private boolean certManager;
  private String webhookConfiguration = "sluice-sidecar-injector";
  private List<String> extraDnsNames = List.of();
  private String caConfigMap = "sluice-ca";
  private String sidecarImage = "ghcr.io/sluice/sidecar:" + OperatorVersion.VERSION;
  private String sidecarCpuRequest = "100m";
  private String sidecarMemoryRequest = "128Mi";
  private String sidecarMemoryLimit = "256Mi";
  private NativeSidecars nativeSidecars = NativeSidecars.AUTO;
  private SidecarAccessLog sidecarAccessLog = SidecarAccessLog.JSON;
  private SidecarTracing sidecarTracing = SidecarTracing.OFF;
  private boolean sidecarScrapeAnnotations;
  private Renderer.Defaults rendererDefaults = Renderer.Defaults.STANDARD;
  private Clock clock = Clock.systemUTC();
  private @Nullable TokenReviewer tokens; // null: the API server's TokenReview

  private OperatorSettings() {}

  /** What {@code java -jar sluice-operator.jar} runs with when given no flags. */
  public static OperatorSettings defaults() {
    return new OperatorSettings();
  }

  private OperatorSettings with(Consumer<OperatorSettings> change) {
    OperatorSettings copy = new OperatorSettings();
    copy.namespaces = namespaces;
    copy.operatorNamespace = operatorNamespace;
    copy.service = service;
    copy.configService = configService;
    copy.webhook = webhook;
    copy.admin = admin;
    copy.configServiceHost = configServiceHost;
    copy.hold = hold;
    copy.leaderElection = leaderElection;
    copy.lease = lease;
    copy.identity = identity;
    copy.onLeaseLost = onLeaseLost;
    copy.tls = tls;
    copy.tlsSecret = tlsSecret;
    copy.certManager = certManager;
    copy.webhookConfiguration = webhookConfiguration;
    copy.extraDnsNames = extraDnsNames;
    copy.caConfigMap = caConfigMap;
    copy.sidecarImage = sidecarImage;
    copy.sidecarCpuRequest = sidecarCpuRequest;
    copy.sidecarMemoryRequest = sidecarMemoryRequest;
    copy.sidecarMemoryLimit = sidecarMemoryLimit;
    copy.nativeSidecars = nativeSidecars;
    copy.sidecarAccessLog = sidecarAccessLog;
    copy.sidecarTracing = sidecarTracing;
    copy.sidecarScrapeAnnotations = sidecarScrapeAnnotations;
    copy.rendererDefaults = rendererDefaults;
    copy.clock = clock;
    copy.tokens = tokens;
    change.accept(copy);
    return copy;
  }

  /** The namespaces to reconcile; empty (the default): all. */
  public OperatorSettings withNamespaces(Set<String> namespaces) {
    Set<String> copy = Set.copyOf(requireNonNull(namespaces, "namespaces"));
    return with(s -> s.namespaces = copy);
  }

  /** Where the operator's Secret, Service and Lease live. */
  public OperatorSettings withOperatorNamespace(String namespace) {
    return with(s -> s.operatorNamespace = requireNonNull(namespace, "operatorNamespace"));
  }

  /** The operator's Service: the serving certificate's names and the sidecars' URL. */
  public OperatorSettings withService(String service) {
    return with(s -> s.service = requireNonNull(service, "service"));
  }

  /** Where the config service listens (HTTPS). */
  public OperatorSettings withConfigService(InetSocketAddress address) {
    return with(s -> s.configService = requireNonNull(address, "configService"));
  }

  /** Where the injection webhook listens (HTTPS). */
  public OperatorSettings withWebhook(InetSocketAddress address) {
    return with(s -> s.webhook = requireNonNull(address, "webhook"));
  }

  /** Where {@code /healthz}, {@code /readyz} and {@code /metrics} listen (HTTP). */
  public OperatorSettings withAdmin(InetSocketAddress address) {
    return with(s -> s.admin = requireNonNull(address, "admin"));
  }

  /** Every listener on the loopback address, on any free port (tests, the sandbox). */
  public OperatorSettings onLoopback() {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    return withConfigService(new InetSocketAddress(loopback, 0))
        .withWebhook(new InetSocketAddress(loopback, 0))
        .withAdmin(new InetSocketAddress(loopback, 0));
  }

  /**
   * The host injected sidecars reach the config service at (with the port it listens on); default
   * {@code <service>.<operator namespace>.svc}.
   */
  public OperatorSettings withConfigServiceHost(String host) {
    return with(s -> s.configServiceHost = requireNonNull(host, "configServiceHost"));
  }

  /** How long the config service holds a sidecar's poll before answering 204. */
  public OperatorSettings withHold(Duration hold) {
    return with(s -> s.hold = requireNonNull(hold, "hold"));
  }

  /** Reconcile only while holding the Lease (the default); off only with one replica. */
  public OperatorSettings withLeaderElection(boolean on) {
    return with(s -> s.leaderElection = on);
  }

  /** The leader-election Lease's name (in the operator's namespace). */
  public OperatorSettings withLease(String name) {
    return with(s -> s.lease = requireNonNull(name, "lease"));
  }

  /** Who holds the Lease; default {@code $HOSTNAME} (the pod's name). */
  public OperatorSettings withIdentity(String identity) {
    return with(s -> s.identity = requireNonNull(identity, "identity"));
  }

  /**
   * What happens when the Lease is lost while running; default: the process exits (a restart
   * rejoins the election, so two leaders never roll out at once). Tests must not exit their JVM.
   */
  public OperatorSettings withOnLeaseLost(Runnable onLeaseLost) {
    return with(s -> s.onLeaseLost = requireNonNull(onLeaseLost, "onLeaseLost"));
  }

  /**
   * The servers present {@code serverContext} and the operator keeps no certificates: no Secret, no
   * caBundle, no CA ConfigMap (tests with TLS of their own).
   */
  public OperatorSettings withTls(SSLContext serverContext) {
    return with(s -> s.tls = requireNonNull(serverContext, "tls"));
  }

  /** The operator keeps its certificates in its Secret (the default; undoes {@link #withTls}). */
  public OperatorSettings withManagedTls() {
    return with(s -> s.tls = null);
  }

  /** The Secret with the serving certificate and the CA. */
  public OperatorSettings withTlsSecret(String name) {
    return with(s -> s.tlsSecret = requireNonNull(name, "tlsSecret"));
  }

  /** cert-manager writes the TLS Secret and injects the caBundle: the operator only reads. */
  public OperatorSettings withCertManager(boolean on) {
    return with(s -> s.certManager = on);
  }

  /** The MutatingWebhookConfiguration whose caBundle the operator keeps. */
  public OperatorSettings withWebhookConfiguration(String name) {
    return with(s -> s.webhookConfiguration = requireNonNull(name, "webhookConfiguration"));
  }

  /** More names for the serving certificate than the Service's (the sandbox's localhost). */
  public OperatorSettings withExtraDnsNames(List<String> names) {
    List<String> copy = List.copyOf(requireNonNull(names, "extraDnsNames"));
    return with(s -> s.extraDnsNames = copy);
  }

  /** The ConfigMap with {@code ca.crt} published to namespaces with sidecars. */
  public OperatorSettings withCaConfigMap(String name) {
    return with(s -> s.caConfigMap = requireNonNull(name, "caConfigMap"));
  }

  /** The injected sidecar's image. */
  public OperatorSettings withSidecarImage(String image) {
    return with(s -> s.sidecarImage = requireNonNull(image, "sidecarImage"));
  }

  /** The injected sidecar's CPU and memory requests and memory limit (pods may override). */
  public OperatorSettings withSidecarResources(
      String cpuRequest, String memoryRequest, String memoryLimit) {
    return with(
        s -> {
          s.sidecarCpuRequest = requireNonNull(cpuRequest, "sidecarCpuRequest");
          s.sidecarMemoryRequest = requireNonNull(memoryRequest, "sidecarMemoryRequest");
          s.sidecarMemoryLimit = requireNonNull(memoryLimit, "sidecarMemoryLimit");
        });
  }

  /** Native sidecars or regular containers; default: by the API server's version. */
  public OperatorSettings withNativeSidecars(NativeSidecars mode) {
    return with(s -> s.nativeSidecars = requireNonNull(mode, "nativeSidecars"));
  }

  /** The access-log format of injected sidecars; default JSON. */
  public OperatorSettings withSidecarAccessLog(SidecarAccessLog format) {
    return with(s -> s.sidecarAccessLog = requireNonNull(format, "sidecarAccessLog"));
  }

  /** The span export of injected sidecars; default none ({@link SidecarTracing#OFF}). */
  public OperatorSettings withSidecarTracing(SidecarTracing tracing) {
    return with(s -> s.sidecarTracing = requireNonNull(tracing, "sidecarTracing"));
  }

  /**
   * Whether injected pods are annotated {@code prometheus.io/scrape}, {@code /port} and {@code
   * /path} for the sidecar's metrics (default: no).
   */
  public OperatorSettings withSidecarScrapeAnnotations(boolean annotate) {
    return with(s -> s.sidecarScrapeAnnotations = annotate);
  }

  /** The sidecar settings the renderer puts in every config. */
  public OperatorSettings withRendererDefaults(Renderer.Defaults defaults) {
    return with(s -> s.rendererDefaults = requireNonNull(defaults, "rendererDefaults"));
  }

  /**
   * The contract's version table the operator renders by (default {@link ContractFields#CURRENT}):
   * tests give one with a later version's fields, as a newer operator would have.
   */
  public OperatorSettings withContract(ContractFields table) {
    return with(
        s ->
            s.rendererDefaults =
                s.rendererDefaults.withContract(requireNonNull(table, "contract")));
  }

  /**
   * Service backends render as clusters whose endpoints the config service pushes to every sidecar
   * at once ({@code GET .../endpoints}), never as a new revision (the default); off, for sidecars
   * that do not read clusters: their ready endpoints are written into the config.
   */
  public OperatorSettings withLiveEndpoints(boolean on) {
    return with(
        s ->
            s.rendererDefaults =
                s.rendererDefaults.withServiceBackends(
                    on ? Renderer.ServiceBackends.CLUSTERS : Renderer.ServiceBackends.INLINE));
  }

  /** The clock (tests drive progress deadlines and certificate lifetimes with their own). */
  public OperatorSettings withClock(Clock clock) {
    return with(s -> s.clock = requireNonNull(clock, "clock"));
  }

  /** Who checks the sidecars' tokens; default: the API server's TokenReview. */
  public OperatorSettings withTokenReviewer(TokenReviewer tokens) {
    return with(s -> s.tokens = requireNonNull(tokens, "tokenReviewer"));
  }

  Set<String> namespaces() {
    return namespaces;
  }

  String operatorNamespace() {
    return operatorNamespace;
  }

  String service() {
    return service;
  }

  InetSocketAddress configService() {
    return configService;
  }

  InetSocketAddress webhook() {
    return webhook;
  }

  InetSocketAddress admin() {
    return admin;
  }

  String configServiceHost() {
    return configServiceHost != null
        ? configServiceHost
        : service + "." + operatorNamespace + ".svc";
  }

  Duration hold() {
    return hold;
  }

  boolean leaderElection() {
    return leaderElection;
  }

  String lease() {
    return lease;
  }

  String identity() {
    return identity;
  }

  Runnable onLeaseLost() {
    return onLeaseLost;
  }

  Optional<SSLContext> tls() {
    return Optional.ofNullable(tls);
  }

  String tlsSecret() {
    return tlsSecret;
  }

  boolean certManager() {
    return certManager;
  }

  String webhookConfiguration() {
    return webhookConfiguration;
  }

  List<String> extraDnsNames() {
    return extraDnsNames;
  }

  String caConfigMap() {
    return caConfigMap;
  }

  String sidecarImage() {
    return sidecarImage;
  }

  String sidecarCpuRequest() {
    return sidecarCpuRequest;
  }

  String sidecarMemoryRequest() {
    return sidecarMemoryRequest;
  }

  String sidecarMemoryLimit() {
    return sidecarMemoryLimit;
  }

  NativeSidecars nativeSidecars() {
    return nativeSidecars;
  }

  SidecarAccessLog sidecarAccessLog() {
    return sidecarAccessLog;
  }

  SidecarTracing sidecarTracing() {
    return sidecarTracing;
  }

  boolean sidecarScrapeAnnotations() {
    return sidecarScrapeAnnotations;
  }

  Renderer.Defaults rendererDefaults() {
    return rendererDefaults;
  }

  Clock clock() {
    return clock;
  }

  Optional<TokenReviewer> tokenReviewer() {
    return Optional.ofNullable(tokens);
  }
}
