package dev.sluice.operator.render;

import dev.sluice.sidecar.config.RequestMatch;
import java.util.ArrayList;
import java.util.List;

/**
 * A route's {@code spec.hostnames} (HTTPRoute's) as the contract says it: every match of every rule
 * once per hostname, with that host. The contract has only a match's host; the CRD refuses a match
 * host together with hostnames, so no match here has one of its own.
 */
final class RouteHostnames {
  private RouteHostnames() {}

  /**
   * The matches a rule renders with: {@code matches} unchanged without hostnames; with them, each
   * match per hostname, or one match per hostname for a rule that matches every request.
   */
  @SuppressWarnings("NullAway") // the contract's records read an absent field (null) as its default
  static List<RequestMatch> apply(List<String> hostnames, List<RequestMatch> matches) {
    if (hostnames.isEmpty()) {
      return matches;
    }
    List<RequestMatch> out = new ArrayList<>();
    if (matches.isEmpty()) {
      for (String host : hostnames) {
        out.add(new RequestMatch(host, null, null, null));
      }
      return List.copyOf(out);
    }
    for (RequestMatch match : matches) {
      for (String host : hostnames) {
        out.add(
            new RequestMatch(
                host, match.path(), match.methods(), match.headers(), match.queryParams()));
      }
    }
    return List.copyOf(out);
  }
}
