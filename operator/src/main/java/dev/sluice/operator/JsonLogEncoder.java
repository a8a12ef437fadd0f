package dev.sluice.operator;

import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.util.List;
import java.util.Set;
import org.slf4j.event.KeyValuePair;

/**
 * logback's JSON lines ({@code SLUICE_LOG_FORMAT=JSON}) with a line's key-value pairs as fields of
 * its own, {@code "step":"assigned","route":"shop/web"}, where logback writes them as a list of
 * one-member objects ({@code "kvpList":[{"step":"assigned"},...]}) that log pipelines index poorly.
 * A key that is one of logback's own fields is written as {@code kv.<key>}; values are strings.
 */
public class JsonLogEncoder extends JsonEncoder {
  static final Set<String> LOGBACK_FIELDS =
      Set.of(
          SEQUENCE_NUMBER_ATTR_NAME,
          TIMESTAMP_ATTR_NAME,
          NANOSECONDS_ATTR_NAME,
          LEVEL_ATTR_NAME,
          THREAD_NAME_ATTR_NAME,
          LOGGER_ATTR_NAME,
          CONTEXT_ATTR_NAME,
          MARKERS_ATTR_NAME,
          MDC_ATTR_NAME,
          MESSAGE_ATTR_NAME,
          FORMATTED_MESSAGE_ATTR_NAME,
          ARGUMENT_ARRAY_ATTR_NAME,
          THROWABLE_ATTR_NAME);

  @Override
  protected void appendKeyValuePairs(StringBuilder out, ILoggingEvent event) {
    List<KeyValuePair> pairs = event.getKeyValuePairs();
    if (pairs == null) {
      return;
    }
    JsonStringEncoder json = JsonStringEncoder.getInstance();
    for (KeyValuePair pair : pairs) {
      String key = LOGBACK_FIELDS.contains(pair.key) ? "kv." + pair.key : pair.key;
      out.append(",\"").append(json.quoteAsString(key)).append("\":");
      if (pair.value == null) {
        out.append("null");
      } else {
        out.append('"').append(json.quoteAsString(String.valueOf(pair.value))).append('"');
      }
    }
  }
}
