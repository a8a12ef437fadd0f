package dev.sluice.operator;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.operator.rollout.PodStep;
import dev.sluice.operator.rollout.RolloutLog;
import dev.sluice.operator.rollout.RolloutStep;
import dev.sluice.operator.testing.CapturedLog;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The operator's own logback.xml, as the jar runs it: with {@code SLUICE_LOG_FORMAT=JSON} a rollout
 * step is one JSON object whose key-value pairs are fields of their own; with the default text
 * format the line shows them as {@code key=value}.
 */
class JsonLogEncoderTest {
  static final String R1 = "a645b41c2617ba3a";
  static final String R2 = "47e9e6722c0778d1";

  /** A rollout step as the operator logs it. */
  static ILoggingEvent rejection() {
    try (CapturedLog log = new CapturedLog(RolloutLog.class)) {
      RolloutLog.write(
          "shop",
          List.of("shop/web"),
          new PodStep(RolloutStep.REJECTED, "web-1", R2, R1, "listener 0.0.0.0:8080: in use"));
      return log.lines().get(0);
    }
  }

  /** What the appender of {@code format} in the shipped logback.xml writes for {@code line}. */
  static String encoded(String format, ILoggingEvent line) throws JoranException {
    LoggerContext context = new LoggerContext();
    context.putProperty("SLUICE_LOG_FORMAT", format);
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(JsonLogEncoderTest.class.getResource("/logback.xml"));
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    OutputStreamAppender<ILoggingEvent> appender =
        (OutputStreamAppender<ILoggingEvent>) root.getAppender(format);
    try {
      return new String(appender.getEncoder().encode(line), StandardCharsets.UTF_8);
    } finally {
      context.stop();
    }
  }

  @Test
  void aJsonLineCarriesTheStepsFieldsAsFieldsOfItsOwn() throws Exception {
    String text = encoded("JSON", rejection());
    assertThat(text).endsWith("\n").doesNotContain("kvpList");
    JsonNode json = JsonMapper.builder().build().readTree(text);
    assertThat(json.path("level").asText()).isEqualTo("WARN");
    assertThat(json.path("loggerName").asText()).isEqualTo(RolloutLog.class.getName());
    assertThat(json.path("step").asText()).isEqualTo("rejected");
    assertThat(json.path("route").asText()).isEqualTo("shop/web");
    assertThat(json.path("pod").asText()).isEqualTo("shop/web-1");
    assertThat(json.path("revision").asText()).isEqualTo(R2);
    assertThat(json.path("previousRevision").asText()).isEqualTo(R1);
    assertThat(json.path("reason").asText()).isEqualTo("listener 0.0.0.0:8080: in use");
    assertThat(json.path("formattedMessage").asText()).startsWith("rollout step=rejected ");
  }

  @Test
  void aKeyNamedLikeOneOfLogbacksFieldsKeepsLogbacksField() throws Exception {
    org.slf4j.Logger logger = org.slf4j.LoggerFactory.getLogger(JsonLogEncoderTest.class);
    ILoggingEvent line;
    try (CapturedLog log = new CapturedLog(JsonLogEncoderTest.class)) {
      logger
          .atWarn()
          .setMessage("a \"quoted\" line")
          .addKeyValue("level", "mine")
          .addKeyValue("note", "tab\there")
          .log();
      line = log.lines().get(0);
    }
    JsonNode json = JsonMapper.builder().build().readTree(encoded("JSON", line));
    assertThat(json.path("level").asText()).isEqualTo("WARN");
    assertThat(json.path("kv.level").asText()).isEqualTo("mine");
    assertThat(json.path("note").asText()).isEqualTo("tab\there");
    assertThat(json.path("formattedMessage").asText()).isEqualTo("a \"quoted\" line");
  }

  @Test
  void aTextLineShowsTheStepsFields() throws Exception {
    assertThat(encoded("TEXT", rejection()))
        .contains(" WARN  [")
        .contains(
            "] RolloutLog - rollout step=rejected route=shop/web pod=shop/web-1"
                + " revision="
                + R2
                + " previousRevision="
                + R1
                + " reason=\"listener 0.0.0.0:8080: in use\"");
  }
}
