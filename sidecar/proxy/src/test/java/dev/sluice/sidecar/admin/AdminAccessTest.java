package dev.sluice.sidecar.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * In a pod the admin port listens on every address so the kubelet can probe it; only the pod itself
 * (loopback) may change the config through it.
 */
class AdminAccessTest {
  @Test
  void onlyLoopbackPeersMayReload() {
    assertThat(AdminServer.fromThisHost(new InetSocketAddress("127.0.0.1", 40000))).isTrue();
    assertThat(AdminServer.fromThisHost(new InetSocketAddress("::1", 40000))).isTrue();
    assertThat(AdminServer.fromThisHost(new InetSocketAddress("10.1.2.3", 40000))).isFalse();
    assertThat(AdminServer.fromThisHost(new InetSocketAddress("fd00::5", 40000))).isFalse();
    assertThat(AdminServer.fromThisHost(null)).isFalse();
  }
}
