package dev.sluice.sidecar.upstream;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.jspecify.annotations.Nullable;

/** Socket addresses as logs write them: {@code 10.0.0.1:8080}, {@code [fd00::1]:8080}. */
final class Addresses {
  private Addresses() {}

  static @Nullable String hostPort(@Nullable SocketAddress address) {
    if (address instanceof InetSocketAddress inet) {
      String host =
          inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
    }
    return address == null ? null : address.toString();
  }
}
