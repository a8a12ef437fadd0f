package dev.sluice.sidecar.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Captures what the given logger, at the given level, and every WARN or worse logs while it is
 * open.
 */
public final class LogCapture implements AutoCloseable {
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private final Logger watched;
  private final Level before;

  public LogCapture(Class<?> source, Level level) {
    watched = (Logger) LoggerFactory.getLogger(source);
    before = watched.getLevel();
    watched.setLevel(level);
    appender.start();
    root.addAppender(appender);
  }

  public List<String> lines(Class<?> source, Level level) {
    return appender.list.stream()
        .filter(e -> e.getLoggerName().equals(source.getName()) && e.getLevel() == level)
        .map(e -> e.getFormattedMessage() + throwable(e))
        .toList();
  }

  public List<String> atOrAbove(Level level) {
    return appender.list.stream()
        .filter(e -> e.getLevel().isGreaterOrEqual(level))
        .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage() + throwable(e))
        .toList();
  }

  private static String throwable(ILoggingEvent event) {
    return event.getThrowableProxy() == null
        ? ""
        : "\n\tat " + event.getThrowableProxy().getClassName();
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    watched.setLevel(before);
  }
}
