package dev.sluice.sidecar.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.ConsoleAppender;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The sidecar's logging without a logback.xml: the levels and the line it used to configure, and a
 * logback file on the class path (these tests have one) still wins.
 */
class SidecarLogConfiguratorTest {
  @Test
  void infoByDefaultNettyAtWarnOneLinePerEventOnStandardError() {
    LoggerContext context = new LoggerContext();
    SidecarLogConfigurator.apply(context, Map.of());
    assertThat(context.getLogger("ROOT").getLevel()).isEqualTo(Level.INFO);
    assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
    var appender = context.getLogger("ROOT").getAppender("STDERR");
    assertThat(appender).isInstanceOf(ConsoleAppender.class);
    assertThat(((ConsoleAppender<?>) appender).getTarget()).isEqualTo("System.err");
    assertThat(appender.isStarted()).isTrue();
  }

  @Test
  void theVariableSetsTheRootLevel() {
    LoggerContext context = new LoggerContext();
    SidecarLogConfigurator.apply(context, Map.of(SidecarLogConfigurator.LEVEL_VARIABLE, "DEBUG"));
    assertThat(context.getLogger("ROOT").getLevel()).isEqualTo(Level.DEBUG);
    assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
  }

  @Test
  void aLogbackFileOnTheClassPathIsLeftToLogback() {
    SidecarLogConfigurator configurator = new SidecarLogConfigurator();
    LoggerContext context = new LoggerContext();
    configurator.setContext(context);
    assertThat(configurator.configure(context))
        .isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
    assertThat(context.getLogger("ROOT").getAppender("STDERR")).isNull();
  }
}
