package dev.sluice.sidecar.filters;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.config.PathCondition;
import dev.sluice.sidecar.config.PathModifier;
import dev.sluice.sidecar.config.RequestRedirect;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Location of a redirect as Gateway API's RequestRedirect builds it: scheme, host and path
 * replaced or kept, the query kept, and the port rules (the redirect's; else the scheme's
 * well-known one when it names a scheme; else the port the client named; never a scheme's
 * well-known port written).
 */
class RedirectLocationTest {
  private static final PathCondition PREFIX = new PathCondition(PathCondition.Type.Prefix, "/old");

  @ParameterizedTest(name = "{0}://{1}{2}, redirect {3} {4} {5} -> {6}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      value = {
        // request scheme | authority | path | redirect scheme | hostname | port | location
        "http  | shop.example       | /old/a | https | -            | -    | https://shop.example/old/a",
        "http  | shop.example:8080  | /old/a | https | -            | -    | https://shop.example/old/a",
        "http  | shop.example:8080  | /old/a | -     | -            | -    | http://shop.example:8080/old/a",
        "https | shop.example:8443  | /old/a | -     | -            | -    | https://shop.example:8443/old/a",
        "https | shop.example:443   | /old/a | -     | -            | -    | https://shop.example/old/a",
        "http  | shop.example       | /old/a | -     | -            | -    | http://shop.example/old/a",
        "https | shop.example       | /old/a | http  | -            | -    | http://shop.example/old/a",
        "http  | shop.example       | /old/a | https | -            | 8443 | https://shop.example:8443/old/a",
        "http  | shop.example       | /old/a | http  | -            | 80   | http://shop.example/old/a",
        "http  | shop.example       | /old/a | -     | -            | 443  | http://shop.example:443/old/a",
        "http  | shop.example:9000  | /old/a | -     | other.example| -    | http://other.example:9000/old/a",
        "http  | [::1]:8080         | /old/a | -     | -            | -    | http://[::1]:8080/old/a",
        "http  | [::1]              | /old/a | https | -            | -    | https://[::1]/old/a",
      })
  void schemeHostAndPortFollowGatewayApi(
      String requestScheme,
      String authority,
      String path,
      String scheme,
      String hostname,
      Integer port,
      String location) {
    RequestRedirect redirect =
        new RequestRedirect(
            scheme == null ? null : RequestRedirect.Scheme.valueOf(scheme.toUpperCase()),
            hostname,
            port,
            null,
            null);
    assertThat(RedirectLocation.of(redirect, requestScheme, authority, path, null, PREFIX))
        .isEqualTo(location);
  }

  @ParameterizedTest(name = "{0}?{1} -> {3}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      value = {
        "/old/a/b | q=1&r=2 | ReplacePrefixMatch:/new | https://shop.example/new/a/b?q=1&r=2",
        "/old     | -       | ReplacePrefixMatch:/new | https://shop.example/new",
        "/old/a   | q=1     | ReplacePrefixMatch:/    | https://shop.example/a?q=1",
        "/old/a   | q=1     | ReplaceFullPath:/       | https://shop.example/?q=1",
        "/old/a   | -       | -                       | https://shop.example/old/a",
      })
  void thePathIsReplacedAndTheQueryKept(
      String path, String query, String modifier, String location) {
    PathModifier paths =
        modifier == null
            ? null
            : new PathModifier(
                PathModifier.Type.valueOf(modifier.substring(0, modifier.indexOf(':'))),
                modifier.substring(modifier.indexOf(':') + 1));
    RequestRedirect redirect =
        new RequestRedirect(RequestRedirect.Scheme.HTTPS, null, null, paths, 301);
    assertThat(RedirectLocation.of(redirect, "http", "shop.example", path, query, PREFIX))
        .isEqualTo(location);
  }
}
