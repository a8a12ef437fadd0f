package dev.sluice.sandbox;

import dev.sluice.api.v1alpha2.ProxyRoute;
import dev.sluice.operator.gateway.GatewayApi;
import dev.sluice.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeader;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * examples/httproute through the pods' sidecars, each outcome a check: the HTTPRoutes {@code
 * storefront} and {@code uploads} attached to the ProxyRoute {@code shop-gateway} (their {@code
 * status.parents[0]}: this controller's, Accepted and ResolvedRefs), then on the parent's plain
 * HTTP listener, each request through another pod: the storefront's redirect, its catch-all with
 * the response header it sets, an upload to upload-store (h2c) whose digest the backend confirms
 * and which saw the request header the uploads route adds, and a host outside the parent's
 * hostnames answered 404. Then the uploads route detached (deleted: its uploads fall to the
 * storefront's catch-all, which matches every path) and attached again (re-created from its file:
 * uploads reach upload-store again), each a rollout of the parent. What each check expects is read
 * from the routes as the API serves them.
 */
final class HttpRouteTraffic {
  static final String PARENT = "shop-gateway";
  static final String STOREFRONT = "storefront";
  static final String UPLOADS = "uploads";
  static final int UPLOAD_BYTES = 1024 * 1024;

  /** A host no hostname of the parent's ({@code *.shop.example.com}) takes. */
  static final String OUTSIDE = "www.example.org";

  private static final Duration ROLLOUT = Duration.ofSeconds(90);

  private final Narration narration;
  private final ShopDemo shop;
  private final ShopRoute parent;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @SuppressWarnings("NullAway.Init") // set by run() before anything reads it
  private ProxyRoute gateway;

  @SuppressWarnings("NullAway.Init") // set by run() before anything reads it
  private String host;

  HttpRouteTraffic(Narration narration, ShopDemo shop) {
    this.narration = narration;
    this.shop = shop;
    this.parent = new ShopRoute(shop.client(), PARENT);
  }

  void run() throws Exception {
    gateway =
        shop.client().resources(ProxyRoute.class).inNamespace(ShopDemo.NS).withName(PARENT).get();
    HTTPRoute storefront = httpRoute(STOREFRONT);
    host = storefront.getSpec().getHostnames().get(0);
    narration.say(
        "ProxyRoute "
            + PARENT
            + " (rules: [], hostnames "
            + gateway.getSpec().hostnames()
            + ") HTTP on :"
            + port()
            + " of every pod; HTTPRoutes "
            + STOREFRONT
            + " and "
            + UPLOADS
            + " attached to it, Host "
            + host);
    attached(STOREFRONT);
    attached(UPLOADS);
    redirect(pod(0), rule(storefront, "old-catalog"));
    page(pod(1), "/", rule(storefront, "pages"));
    upload(pod(2));
    outside(pod(3));
    detachAndAttach(storefront);
  }

  /** The route's status.parents[0], once it names its generation: ours, Accepted, ResolvedRefs. */
  private void attached(String name) {
    HTTPRoute route = awaitAttached(name);
    RouteParentStatus status =
        route.getStatus() == null || route.getStatus().getParents().isEmpty()
            ? null
            : route.getStatus().getParents().get(0);
    List<Condition> conditions = status == null ? List.of() : status.getConditions();
    narration.check(
        attached(route),
        "HTTPRoute "
            + name
            + " status.parents[0]: controllerName "
            + (status == null ? "<none>" : status.getControllerName())
            + ", "
            + said(conditions, "Accepted")
            + ", "
            + said(conditions, "ResolvedRefs"));
  }

  private HTTPRoute awaitAttached(String name) {
    try {
      return shop.client()
          .resources(HTTPRoute.class)
          .inNamespace(ShopDemo.NS)
          .withName(name)
          .waitUntilCondition(HttpRouteTraffic::attached, 30, TimeUnit.SECONDS);
    } catch (KubernetesClientException e) {
      return httpRoute(name); // not attached within the time: the check says how it stands
    }
  }

  private static boolean attached(@Nullable HTTPRoute route) {
    if (route == null || route.getStatus() == null || route.getStatus().getParents().isEmpty()) {
      return false;
    }
    RouteParentStatus status = route.getStatus().getParents().get(0);
    List<Condition> conditions = status.getConditions();
    return GatewayApi.CONTROLLER_NAME.equals(status.getControllerName())
        && Conditions.isTrue(conditions, "Accepted")
        && Conditions.isTrue(conditions, "ResolvedRefs")
        && conditions.stream()
            .allMatch(
                c ->
                    Objects.equals(c.getObservedGeneration(), route.getMetadata().getGeneration()));
  }

  private static String said(List<Condition> conditions, String type) {
    Condition c = Conditions.find(conditions, type);
    return c == null ? type + " <none>" : type + "=" + c.getStatus() + " (" + c.getReason() + ")";
  }

  private void redirect(PodRunner.RunningPod pod, HTTPRouteRule moved) throws Exception {
    HTTPRouteFilter filter = filter(moved, "RequestRedirect");
    String prefix = moved.getMatches().get(0).getPath().getValue();
    String replaced = filter.getRequestRedirect().getPath().getReplacePrefixMatch();
    int status = filter.getRequestRedirect().getStatusCode();
    HttpResponse<String> r = send(get(pod, host, prefix + "/shoes"));
    String location = r.headers().firstValue("location").orElse("");
    narration.check(
        r.statusCode() == status && location.endsWith(replaced + "/shoes"),
        "redirect: GET "
            + prefix
            + "/shoes via "
            + pod.name()
            + " -> "
            + r.statusCode()
            + " Location: "
            + location
            + " (rule "
            + moved.getName()
            + ": "
            + status
            + ", ending "
            + replaced
            + "/shoes)");
  }

  /** {@code GET path}, answered by the storefront through the catch-all with its header. */
  private void page(PodRunner.RunningPod pod, String path, HTTPRouteRule pages) throws Exception {
    page(pod, get(pod, host, path), "GET " + path, pages);
  }

  /** {@code request} answered by the storefront through the catch-all with its header. */
  private void page(
      PodRunner.RunningPod pod, HttpRequest request, String shown, HTTPRouteRule pages)
      throws Exception {
    HTTPHeader set =
        filter(pages, "ResponseHeaderModifier").getResponseHeaderModifier().getSet().get(0);
    HttpResponse<String> r = send(request);
    String header = r.headers().firstValue(set.getName()).orElse(null);
    narration.check(
        r.statusCode() == 200
            && r.body()
                .startsWith(StorefrontReplicas.SERVICE + ": hello, " + request.uri().getPath())
            && set.getValue().equals(header),
        shown
            + " via "
            + pod.name()
            + " -> "
            + r.statusCode()
            + " "
            + r.body().trim()
            + ", "
            + set.getName()
            + ": "
            + header
            + " (rule "
            + pages.getName()
            + ")");
  }

  /**
   * A POST the uploads route sends to upload-store over h2c: the digest of what arrived, and the
   * request header the route adds, as the backend saw them.
   */
  private void upload(PodRunner.RunningPod pod) throws Exception {
    HTTPRouteRule upload = rule(httpRoute(UPLOADS), "upload");
    HTTPHeader added =
        filter(upload, "RequestHeaderModifier").getRequestHeaderModifier().getAdd().get(0);
    byte[] body = new byte[UPLOAD_BYTES];
    new SecureRandom().nextBytes(body);
    String digest = HexFormat.of().formatHex(DemoBackends.sha256().digest(body));
    HttpResponse<String> r =
        send(
            request(pod, host, "/upload/gateway.bin")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build());
    String saw = DemoBackends.SAW + added.getName() + "=" + added.getValue();
    narration.check(
        r.statusCode() == 200
            && r.body().startsWith("upload-store: ")
            && r.body().contains("sha256=" + digest)
            && r.body().contains("bytes=" + UPLOAD_BYTES)
            && r.body().contains(saw),
        "POST /upload/gateway.bin (1 MiB) via "
            + pod.name()
            + " -> "
            + r.statusCode()
            + " from upload-store (h2c): digest "
            + (r.body().contains("sha256=" + digest) ? "matches" : "differs")
            + ", "
            + (r.body().contains(saw) ? "it saw " : "it did not see ")
            + added.getName()
            + ": "
            + added.getValue()
            + " (rule "
            + upload.getName()
            + ")");
  }

  private void outside(PodRunner.RunningPod pod) throws Exception {
    HttpResponse<String> r = send(get(pod, OUTSIDE, "/"));
    narration.check(
        r.statusCode() == 404,
        "GET / with Host "
            + OUTSIDE
            + " via "
            + pod.name()
            + " -> "
            + r.statusCode()
            + " (outside "
            + gateway.getSpec().hostnames()
            + ")");
  }

  /**
   * HTTPRoute uploads deleted: the parent rolls out without its rule, and an upload falls to the
   * storefront's catch-all; re-created from its file: the parent rolls out with it again, it is
   * attached again and uploads reach upload-store.
   */
  private void detachAndAttach(HTTPRoute storefront) throws Exception {
    HTTPRoute uploads = httpRoute(UPLOADS);
    String before = parent.get().getStatus().revision();
    shop.client().resource(uploads).delete();
    rolledOut("HTTPRoute " + UPLOADS + " deleted", before);
    page(
        pod(0),
        request(pod(0), host, "/upload/gateway.bin")
            .POST(HttpRequest.BodyPublishers.ofString("detached"))
            .build(),
        "POST /upload/gateway.bin",
        rule(storefront, "pages"));

    String detached = parent.get().getStatus().revision();
    shop.client().resource(shop.asWritten("HTTPRoute", UPLOADS)).create();
    rolledOut("HTTPRoute " + UPLOADS + " created again from its file", detached);
    attached(UPLOADS);
    upload(pod(1));
  }

  private void rolledOut(String what, @Nullable String before) {
    boolean rolled = parent.awaitRolledOut(before, ROLLOUT);
    narration.check(
        rolled,
        what
            + ": ProxyRoute "
            + PARENT
            + " Ready on revision "
            + parent.get().getStatus().revision()
            + " (was "
            + before
            + "), every pod applied it");
  }

  private HTTPRoute httpRoute(String name) {
    return shop.client().resources(HTTPRoute.class).inNamespace(ShopDemo.NS).withName(name).get();
  }

  private static HTTPRouteRule rule(HTTPRoute route, String name) {
    return route.getSpec().getRules().stream()
        .filter(r -> name.equals(r.getName()))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "HTTPRoute "
                        + route.getMetadata().getName()
                        + ": no rule "
                        + name
                        + " (expected: the example's)"));
  }

  private static HTTPRouteFilter filter(HTTPRouteRule rule, String type) {
    return rule.getFilters().stream()
        .filter(f -> type.equals(f.getType()))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "rule "
                        + rule.getName()
                        + ": no "
                        + type
                        + " filter (expected: the example's)"));
  }

  /** The pod {@code i} (modulo their number), so that the checks go through every pod. */
  private PodRunner.RunningPod pod(int i) {
    List<PodRunner.RunningPod> pods = shop.pods();
    return pods.get(i % pods.size());
  }

  private int port() {
    return gateway.getSpec().listener().port();
  }

  private HttpRequest.Builder request(PodRunner.RunningPod pod, String host, String path) {
    return HttpRequest.newBuilder(URI.create("http://" + pod.ip() + ":" + port() + path))
        .header("Host", host + ":" + port())
        .timeout(Duration.ofSeconds(30));
  }

  private HttpRequest get(PodRunner.RunningPod pod, String host, String path) {
    return request(pod, host, path).GET().build();
  }

  private HttpResponse<String> send(HttpRequest request) throws Exception {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
