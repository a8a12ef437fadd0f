package dev.sluice.sidecar.config;

import java.util.regex.Pattern;

/**
 * A socket address as written in the config: {@code host:port}, IPv6 in brackets ({@code
 * [::1]:8080}).
 *
 * @param host name or literal address (IPv6 without brackets)
 * @param port 1..65535
 */
public record HostPort(String host, int port) {
  static final String EXPECTED = "host:port with port 1..65535";
  private static final Pattern HOST =
      Pattern.compile(
          "[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]+(%[A-Za-z0-9]+)?");

  /** Parses {@code text}; throws {@link IllegalArgumentException} naming what was expected. */
  public static HostPort parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("expected: " + EXPECTED);
    }
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("expected: " + EXPECTED);
    }
    String host = text.substring(0, colon);
    String portText = text.substring(colon + 1);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
      if (!IPV6.matcher(host).matches() || !host.contains(":")) {
        throw new IllegalArgumentException("expected: " + EXPECTED + " (bad IPv6 literal)");
      }
    } else if (host.contains(":") || !HOST.matcher(host).matches()) {
      throw new IllegalArgumentException(
          "expected: " + EXPECTED + " (IPv6 addresses go in brackets: [::1]:8080)");
    }
    if (portText.length() > 5 || !portText.chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException("expected: " + EXPECTED);
    }
    int port = Integer.parseInt(portText);
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("expected: " + EXPECTED);
    }
    return new HostPort(host, port);
  }

  @Override
  public String toString() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }
}
