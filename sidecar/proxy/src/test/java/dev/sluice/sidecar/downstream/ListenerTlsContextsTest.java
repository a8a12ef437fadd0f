package dev.sluice.sidecar.downstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.config.ServerTls;
import dev.sluice.sidecar.testing.TestTls;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.Test;

/**
 * Invariant: on linux-x86_64 (the sidecar image) TLS runs on BoringSSL through netty-tcnative, not
 * on the JDK's engine, which costs about a third more CPU per record; elsewhere Netty falls back to
 * the JDK. A packaging change that drops the native library fails here, not in a benchmark.
 */
class ListenerTlsContextsTest {
  @Test
  void listenersUseOpenSslWhereTheNativeLibraryLoads() {
    String platform = System.getProperty("os.name") + "/" + System.getProperty("os.arch");
    if (!platform.equals("Linux/amd64")) {
      return; // only linux-x86_64 ships the native library
    }
    assertThat(OpenSsl.isAvailable())
        .as("netty-tcnative loads: %s", OpenSsl.unavailabilityCause())
        .isTrue();
    assertThat(SslProvider.isAlpnSupported(SslProvider.OPENSSL)).isTrue();
    SslContext context =
        ListenerTlsContexts.build(
                "listeners[0]",
                new ServerTls(
                    null,
                    null,
                    TestTls.certificateFile().getPath(),
                    TestTls.privateKeyFile().getPath(),
                    null))
            .context();
    assertThat(context.getClass().getSimpleName()).contains("OpenSsl");
    assertThat(context.applicationProtocolNegotiator().protocols())
        .containsExactly("h2", "http/1.1");
  }
}
