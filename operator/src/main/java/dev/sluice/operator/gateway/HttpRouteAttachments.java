package dev.sluice.operator.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.api.v1alpha1.ProxyRoute;
import dev.sluice.api.v1alpha1.RouteMatch;
import dev.sluice.api.v1alpha1.Rule;
import dev.sluice.operator.render.AttachedRule;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * A namespace's HTTPRoutes attached to its ProxyRoutes, as a pure function of what the informers
 * hold: the rules each ProxyRoute gets from them, in Gateway API's precedence ({@link Precedence}),
 * and what each HTTPRoute's parent status says of each of its ProxyRoute parents. One HTTPRoute
 * never breaks another or its ProxyRoute: a rule that cannot be served is left out (its route says
 * {@code PartiallyInvalid}, or {@code Accepted=False} when no rule is left), a backendRef that does
 * not resolve gets its share of the requests answered 500.
 */
public final class HttpRouteAttachments {
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private HttpRouteAttachments() {}

  /**
   * The pass's result.
   *
   * @param rules the attached rules by ProxyRoute name, each list in precedence order
   * @param parents per HTTPRoute name, the outcome of each of its ProxyRoute parentRefs in order
   */
  public record Result(
      Map<String, List<AttachedRule>> rules, Map<String, List<ParentOutcome>> parents) {
    public static final Result NONE = new Result(Map.of(), Map.of());

    /** How many HTTPRoutes the ProxyRoute {@code parent} accepted. */
    public int attachedTo(String parent) {
      return (int)
          parents.values().stream()
              .filter(
                  outcomes ->
                      outcomes.stream()
                          .anyMatch(o -> o.accepted() == null && parent.equals(o.ref().getName())))
              .count();
    }
  }

  /**
   * What one ProxyRoute parentRef of an HTTPRoute came to.
   *
   * @param ref the parentRef as the route gives it
   * @param accepted null when accepted, else why not
   * @param invalid rules left out (PartiallyInvalid when some are left)
   * @param unresolved backendRefs and mirrors that did not resolve
   * @param served how many rules the ProxyRoute serves of the route
   * @param unweighted served rules whose backendRefs all weigh 0 (Gateway API: every request 500)
   */
  public record ParentOutcome(
      ParentReference ref,
      @Nullable Problem accepted,
      List<Problem> invalid,
      List<Problem> unresolved,
      int served,
      List<String> unweighted) {}

  public static Result attach(
      String namespace,
      List<ProxyRoute> proxyRoutes,
      List<HTTPRoute> httpRoutes,
      List<Service> services) {
    Map<String, ProxyRoute> parents = new LinkedHashMap<>();
    proxyRoutes.forEach(r -> parents.put(r.getMetadata().getName(), r));
    Map<String, Service> byName = new LinkedHashMap<>();
    services.forEach(s -> byName.put(s.getMetadata().getName(), s));
    Map<String, List<Entry>> entries = new TreeMap<>();
    Map<String, List<ParentOutcome>> outcomes = new TreeMap<>();
    List<HTTPRoute> sorted =
        httpRoutes.stream()
            .filter(r -> r.getMetadata().getDeletionTimestamp() == null)
            .sorted(Comparator.comparing(r -> r.getMetadata().getName()))
            .toList();
    for (HTTPRoute route : sorted) {
      List<ParentReference> refs =
          route.getSpec() == null || route.getSpec().getParentRefs() == null
              ? List.of()
              : route.getSpec().getParentRefs();
      if (refs.stream().noneMatch(ParentRefs::ours)) {
        if (ParentStatuses.hasOurs(route)) {
          // Detached from every ProxyRoute: the entries this controller wrote go.
          outcomes.put(route.getMetadata().getName(), List.of());
        }
        continue;
      }
      List<RuleTranslation.Translated> rules = translate(namespace, route, byName);
      List<ParentOutcome> out = new ArrayList<>();
      for (int i = 0; i < refs.size(); i++) {
        ParentReference ref = refs.get(i);
        if (ParentRefs.ours(ref)) {
          out.add(
              attachTo(
                  namespace, route, ref, "spec.parentRefs[" + i + "]", rules, parents, entries));
        }
      }
      outcomes.put(route.getMetadata().getName(), List.copyOf(out));
    }
    Map<String, List<AttachedRule>> rules = new TreeMap<>();
    entries.forEach((parent, list) -> rules.put(parent, ordered(list)));
    return new Result(rules, outcomes);
  }

  /**
   * Entries in precedence order, each name unique (HTTPRoute names may hold dots, so two routes'
   * rule names could meet: a later one gets a suffix).
   */
  private static List<AttachedRule> ordered(List<Entry> entries) {
    java.util.Set<String> names = new java.util.HashSet<>();
    List<AttachedRule> out = new ArrayList<>();
    for (Entry entry :
        entries.stream().sorted(Comparator.comparing(Entry::key, Precedence.ORDER)).toList()) {
      AttachedRule rule = entry.rule();
      String name = rule.name();
      for (int n = 2; !names.add(name); n++) {
        name = rule.name() + "-" + n;
      }
      out.add(
          name.equals(rule.name())
              ? rule
              : new AttachedRule(name, rule.rule(), rule.unavailable()));
    }
    return List.copyOf(out);
  }

  /** One attached rule and what orders it. */
  private record Entry(Precedence.Key key, AttachedRule rule) {}

  private static List<RuleTranslation.Translated> translate(
      String namespace, HTTPRoute route, Map<String, Service> services) {
    List<RuleTranslation.Translated> out = new ArrayList<>();
    var rules = route.getSpec().getRules() == null ? List.<Object>of() : route.getSpec().getRules();
    for (int i = 0; i < rules.size(); i++) {
      JsonNode rule = JSON.valueToTree(rules.get(i));
      out.add(RuleTranslation.translate(namespace, rule, "spec.rules[" + i + "]", services));
    }
    return out;
  }

  private static ParentOutcome attachTo(
      String namespace,
      HTTPRoute route,
      ParentReference ref,
      String field,
      List<RuleTranslation.Translated> rules,
      Map<String, ProxyRoute> parents,
      Map<String, List<Entry>> entries) {
    List<Problem> invalid = new ArrayList<>();
    List<Problem> unresolved = new ArrayList<>();
    for (RuleTranslation.Translated rule : rules) {
      if (rule.invalid() != null) {
        invalid.add(rule.invalid());
      }
      unresolved.addAll(rule.unresolved());
    }
    Problem refused = ParentRefs.refusal(namespace, ref, field, parents);
    ProxyRoute parent = refused == null ? parents.get(ref.getName()) : null;
    List<String> listenerHosts =
        parent == null || parent.getSpec().hostnames() == null
            ? List.of()
            : parent.getSpec().hostnames();
    List<String> routeHosts =
        route.getSpec().getHostnames() == null ? List.of() : route.getSpec().getHostnames();
    if (refused == null && !Hostnames.intersects(listenerHosts, routeHosts)) {
      refused =
          new Problem(
              GatewayReasons.NO_MATCHING_LISTENER_HOSTNAME,
              "spec.hostnames",
              String.join(",", routeHosts),
              "a hostname that intersects with ProxyRoute "
                  + ref.getName()
                  + "'s spec.hostnames "
                  + listenerHosts);
    }
    if (refused == null && invalid.size() == rules.size() && !rules.isEmpty()) {
      refused = invalid.get(0);
    }
    if (refused != null || parent == null) {
      return new ParentOutcome(ref, refused, invalid, unresolved, 0, List.of());
    }
    List<String> hosts = Hostnames.effective(listenerHosts, routeHosts);
    List<Entry> added = entries.computeIfAbsent(ref.getName(), k -> new ArrayList<>());
    int served = 0;
    List<String> unweighted = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      Rule rule = rules.get(i).rule();
      List<RuleTranslation.BackendShare> shares = rules.get(i).backends();
      if (rule != null) {
        added.addAll(entries(route, i, rule, shares, hosts));
        served++;
        if (!shares.isEmpty() && shares.stream().allMatch(s -> s.weight() == 0)) {
          unweighted.add("spec.rules[" + i + "].backendRefs");
        }
      }
    }
    return new ParentOutcome(ref, null, invalid, unresolved, served, unweighted);
  }

  /** A rule's entries: one per match and hostname, named after the route and the rule. */
  private static List<Entry> entries(
      HTTPRoute route,
      int index,
      Rule rule,
      List<RuleTranslation.BackendShare> shares,
      List<String> hosts) {
    List<AttachedRule.Unavailable> unavailable = new ArrayList<>();
    for (RuleTranslation.BackendShare share : shares) {
      if (share.backend() == null && share.problem() != null) {
        unavailable.add(new AttachedRule.Unavailable(share.weight(), share.problem().message()));
      }
    }
    String name = route.getMetadata().getName();
    String label = rule.name() != null ? rule.name() : Integer.toString(index);
    if (shares.isEmpty() && rule.redirect() == null) {
      unavailable.add(
          new AttachedRule.Unavailable(
              1,
              "HTTPRoute "
                  + name
                  + " spec.rules["
                  + index
                  + "]: no backendRefs (Gateway API: 500)"));
    }
    List<RouteMatch> matches = rule.matches() == null ? List.of() : rule.matches();
    List<@Nullable String> each = hosts.isEmpty() ? nullHost() : new ArrayList<>(hosts);
    int count = matches.size() * each.size();
    List<Entry> out = new ArrayList<>();
    int k = 0;
    for (int m = 0; m < matches.size(); m++) {
      for (String host : each) {
        RouteMatch match = withHost(matches.get(m), host);
        String entryName = count > 1 ? name + "." + label + "." + k : name + "." + label;
        k++;
        out.add(
            new Entry(
                new Precedence.Key(
                    host,
                    match,
                    String.valueOf(route.getMetadata().getCreationTimestamp()),
                    route.getMetadata().getNamespace() + "/" + name,
                    index,
                    m),
                new AttachedRule(
                    entryName, RuleTranslation.with(rule, match, shares), unavailable)));
      }
    }
    return out;
  }

  private static List<@Nullable String> nullHost() {
    List<@Nullable String> one = new ArrayList<>();
    one.add(null);
    return one;
  }

  private static RouteMatch withHost(RouteMatch match, @Nullable String host) {
    return new RouteMatch(
        host, match.path(), match.methods(), match.headers(), match.queryParams());
  }
}
