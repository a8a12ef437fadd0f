package dev.sluice.operator.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/** The lines one logger writes, as logback hands them to appenders, key-value pairs included. */
public final class CapturedLog implements AutoCloseable {
  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  public CapturedLog(Class<?> of) {
    logger = (Logger) LoggerFactory.getLogger(of);
    appender.setContext(logger.getLoggerContext());
    appender.start();
    logger.addAppender(appender);
  }

  /** Every line so far, oldest first. */
  public List<ILoggingEvent> lines() {
    synchronized (appender) {
      return List.copyOf(appender.list);
    }
  }

  /** A line's key-value pairs, in order. */
  public static Map<String, String> fields(ILoggingEvent line) {
    Map<String, String> out = new LinkedHashMap<>();
    List<KeyValuePair> pairs = line.getKeyValuePairs();
    if (pairs != null) {
      pairs.forEach(p -> out.put(p.key, String.valueOf(p.value)));
    }
    return out;
  }

  /** Every line's key-value pairs. */
  public List<Map<String, String>> fields() {
    return lines().stream().map(CapturedLog::fields).toList();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}
