package dev.sluice.sidecar.downstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.testing.TestCertificates;
import org.junit.jupiter.api.Test;

/**
 * The identity header's value: Envoy's XFCC fields, quoted and escaped so that no certificate text
 * can end the header or smuggle another one.
 */
class ClientIdentityTest {
  @Test
  void subjectAndNamesThatNeedItAreQuotedAndEscaped() throws Exception {
    TestCertificates.Issued ca = TestCertificates.ca("ca");
    TestCertificates.Issued client =
        TestCertificates.client(
            ca, "CN=a\\\"b\\;c\u00e9\r\nInjected: 1", "spiffe://x/a;b=c", "plain.example");
    String value = ClientIdentity.of(client.certificate());
    // RFC 2253 escapes '"' and ';' with '\'; quoting escapes those again; CR LF and é as \\uXXXX.
    assertThat(value)
        .matches("Hash=[0-9a-f]{64};Subject=.*")
        .endsWith(
            ";Subject=\"CN=a\\\\\\\"b\\\\;c\\u00e9\\u000d\\u000aInjected: 1\""
                + ";URI=\"spiffe://x/a;b=c\";DNS=plain.example");
    assertThat(value.chars()).allMatch(c -> c >= 0x20 && c <= 0x7e);
  }
}
