package dev.sluice.sidecar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.sidecar.config.SampleExpression.Kind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SampleExpressionTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "src | SRC | ''",
        "src_port | SRC_PORT | ''",
        "dst | DST | ''",
        "dst_port | DST_PORT | ''",
        "method | METHOD | ''",
        "path | PATH | ''",
        "query | QUERY | ''",
        "host | HOST | ''",
        "res.status | RES_STATUS | ''",
        "req.hdr(User-Agent) | REQ_HDR | user-agent",
        "res.hdr(Content-Type) | RES_HDR | content-type",
        "req.body(8192) | REQ_BODY | 8192",
        "str(hello world) | STR | hello world",
        "str() | STR | ''",
        "int(-5) | INT | -5",
        "bool(true) | BOOL | true",
      })
  void parses(String text, Kind kind, String parameter) {
    assertThat(SampleExpression.parse(text)).isEqualTo(new SampleExpression(kind, parameter));
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(
      strings = {
        "",
        "SRC",
        "req.hdr()",
        "req.hdr(a b)",
        "req.body(0)",
        "req.body(16777217)",
        "req.body(x)",
        "int(1.5)",
        "bool(yes)",
        "str(a(b))",
        "res.body",
        "src()"
      })
  void rejects(String text) {
    assertThatThrownBy(() -> SampleExpression.parse(text)).hasMessageStartingWith("expected: ");
  }

  @org.junit.jupiter.api.Test
  void knowsWhichSamplesNeedAResponse() {
    assertThat(Kind.RES_STATUS.responseOnly()).isTrue();
    assertThat(Kind.RES_HDR.responseOnly()).isTrue();
    assertThat(Kind.REQ_HDR.responseOnly()).isFalse();
    assertThat(SampleExpression.parse("req.body(10)").bodyLimit()).isEqualTo(10);
    assertThat(SampleExpression.parse("src").bodyLimit()).isZero();
  }
}
