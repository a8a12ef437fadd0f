package dev.sluice.sidecar.config;

import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A socket address as written in the config: {@code host:port}, IPv6 in brackets ({@code
 * [::1]:8080}).
 *
 * @param host name or literal address (IPv6 without brackets)
 * @param port 1..65535
 */
public record HostPort(String host, int port) {
  static final String EXPECTED = "host:port with port 1..65535";
  static final String EXPECTED_BIND = "host:port with port 0..65535 (0: any free port)";
  private static final Pattern HOST =
      Pattern.compile(
          "[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]+(%[A-Za-z0-9]+)?");

  /** Parses a target address; throws {@link IllegalArgumentException} naming what was expected. */
  public static HostPort parse(@Nullable String text) {
    return parse(text, 1, EXPECTED);
  }

  /** Parses an address to listen on, where port 0 asks the OS for a free port. */
  public static HostPort parseBindable(@Nullable String text) {
    return parse(text, 0, EXPECTED_BIND);
  }

  private static HostPort parse(@Nullable String text, int minPort, String expected) {
    if (text == null) {
      throw new IllegalArgumentException("expected: " + expected);
    }
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("expected: " + expected);
    }
    String host = text.substring(0, colon);
    String portText = text.substring(colon + 1);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
      if (!IPV6.matcher(host).matches() || !host.contains(":")) {
        throw new IllegalArgumentException("expected: " + expected + " (bad IPv6 literal)");
      }
    } else if (host.contains(":") || !HOST.matcher(host).matches()) {
      throw new IllegalArgumentException(
          "expected: " + expected + " (IPv6 addresses go in brackets: [::1]:8080)");
    }
    if (portText.length() > 5 || !portText.chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException("expected: " + expected);
    }
    int port = Integer.parseInt(portText);
    if (port < minPort || port > 65535) {
      throw new IllegalArgumentException("expected: " + expected);
    }
    return new HostPort(host, port);
  }

  @Override
  public String toString() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }
}
