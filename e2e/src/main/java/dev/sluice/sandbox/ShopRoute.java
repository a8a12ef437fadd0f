package dev.sluice.sandbox;

import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.RouteTimeouts;
import dev.sluice.api.v1alpha1.Rule;
import dev.sluice.operator.status.Conditions;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A ProxyRoute of namespace shop ({@code shop/shop} unless named otherwise) as the sandbox reads
 * and edits it, in the stored version: the resource, whether it is Ready on its latest generation,
 * waiting (on API events) until it is, and the rule edit that starts a rollout.
 */
final class ShopRoute {
  static final String NAME = "shop";

  private final KubernetesClient client;
  private final String name;

  ShopRoute(KubernetesClient client) {
    this(client, NAME);
  }

  ShopRoute(KubernetesClient client, String name) {
    this.client = client;
    this.name = name;
  }

  /** The route as the API has it now (null when it does not exist). */
  ProxyRoute get() {
    return client.resources(ProxyRoute.class).inNamespace(ShopDemo.NS).withName(name).get();
  }

  /** Replaces the route with {@code edited}, as kubectl replace would. */
  void update(ProxyRoute edited) {
    client.resource(edited).update();
  }

  /**
   * Reads the route, changes it and writes it back, as a user's edit does: a status write of the
   * operator's in between makes the API server refuse the stale version (409), and the edit is made
   * again on the fresh one, at most five times.
   */
  void edit(UnaryOperator<ProxyRoute> change) {
    for (int attempt = 1; ; attempt++) {
      ProxyRoute route = get();
      route.setStatus(null);
      try {
        update(change.apply(route));
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 5) {
          throw e;
        }
      }
    }
  }

  /** The route observed its latest generation and is Ready. */
  boolean isReady() {
    return isReady(get());
  }

  static boolean isReady(ProxyRoute r) {
    return r != null
        && r.getStatus() != null
        && Objects.equals(r.getStatus().observedGeneration(), r.getMetadata().getGeneration())
        && Conditions.isTrue(r.getStatus().conditions(), "Ready");
  }

  /** Whether the route is (or becomes) {@linkplain #isReady() Ready} within {@code within}. */
  boolean awaitReady(Duration within) {
    if (isReady()) {
      return true;
    }
    try {
      client
          .resources(ProxyRoute.class)
          .inNamespace(ShopDemo.NS)
          .withName(name)
          .waitUntilCondition(ShopRoute::isReady, within.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (KubernetesClientException e) {
      return false; // not Ready within the time
    }
  }

  /**
   * Whether the route rolls out a revision other than {@code before} within {@code within}: Ready
   * on it, every selected pod updated. A change outside the route (an HTTPRoute attached or
   * detached) keeps its generation, so Ready alone would say nothing.
   */
  boolean awaitRolledOut(@Nullable String before, Duration within) {
    try {
      client
          .resources(ProxyRoute.class)
          .inNamespace(ShopDemo.NS)
          .withName(name)
          .waitUntilCondition(
              r ->
                  isReady(r)
                      && !Objects.equals(r.getStatus().revision(), before)
                      && r.getStatus().rollout() != null
                      && Objects.equals(
                          r.getStatus().rollout().updatedPods(),
                          r.getStatus().rollout().selectedPods()),
              within.toMillis(),
              TimeUnit.MILLISECONDS);
      return true;
    } catch (KubernetesClientException e) {
      return false; // not rolled out within the time
    }
  }

  /** {@code rule} with its request timeout set to {@code request}: an edit every pod must apply. */
  static Rule withRequestTimeout(Rule rule, String request) {
    RouteTimeouts t = rule.timeouts();
    return new Rule(
        rule.name(),
        rule.matches(),
        rule.backend(),
        t == null
            ? new RouteTimeouts(null, request, null, null, null, null)
            : new RouteTimeouts(
                t.connect(), request, t.idle(), t.tunnelIdle(), t.exchange(), t.backendRequest()),
        rule.maxRequestBodyBytes(),
        rule.zeroCopy(),
        rule.offload(),
        rule.actions(),
        rule.upgrades(),
        rule.loadBalancer(),
        rule.retry(),
        rule.outlierDetection(),
        rule.requestHeaders(),
        rule.responseHeaders(),
        rule.rewrite(),
        rule.redirect(),
        rule.rateLimit(),
        rule.backends(),
        rule.mirrors(),
        rule.cors());
  }
}
