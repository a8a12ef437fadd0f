package dev.sluice.sidecar.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.joran.spi.ConsoleTarget;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.NopStatusListener;
import java.util.List;
import java.util.Map;

/**
 * Logback's configuration, in code rather than a {@code logback.xml}: reading XML would load the
 * JDK's XML parser and logback's configuration machinery, about 300 classes that every sidecar of a
 * node would hold in memory only to read one file at startup
 * (docs/design/20261206-sidecar-footprint.md).
 *
 * <p>One line per event on standard error, {@code HH:mm:ss.SSS LEVEL [thread] Logger - message};
 * the root level from {@code SLUICE_LOG_LEVEL} (default INFO), Netty's at WARN. A {@code
 * logback.xml} or {@code logback-test.xml} on the class path (an application embedding the sidecar,
 * the tests) still wins: this configurator then leaves it to logback's own.
 */
public final class SidecarLogConfigurator extends ContextAwareBase implements Configurator {
  /** The variable that sets the root level. */
  public static final String LEVEL_VARIABLE = "SLUICE_LOG_LEVEL";

  static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    ClassLoader loader = SidecarLogConfigurator.class.getClassLoader();
    for (String file : List.of("logback-test.xml", "logback.xml")) {
      if (loader.getResource(file) != null) {
        return ExecutionStatus.INVOKE_NEXT_IF_ANY;
      }
    }
    apply(context, System.getenv());
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** Sets {@code context} up as the sidecar logs, the root level from {@code environment}. */
  static void apply(LoggerContext context, Map<String, String> environment) {
    // a shaded jar has no manifest of logback's: its version check would print a warning
    NopStatusListener quiet = new NopStatusListener();
    context.getStatusManager().add(quiet);
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget(ConsoleTarget.SystemErr.getName());
    stderr.setEncoder(encoder);
    stderr.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(environment.get(LEVEL_VARIABLE), Level.INFO));
    root.addAppender(stderr);
    context.getLogger("io.netty").setLevel(Level.WARN);
  }
}
