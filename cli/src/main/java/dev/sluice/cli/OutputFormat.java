package dev.sluice.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.PrintWriter;

/** {@code -o}: a table for people, JSON or YAML (the same report) for scripts. */
public enum OutputFormat {
  table,
  json,
  yaml;

  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
  private static final ObjectMapper YAML =
      YAMLMapper.builder()
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .build();

  /** Writes {@code report} as JSON or YAML (not for {@link #table}). */
  public void write(Object report, PrintWriter out) {
    try {
      switch (this) {
        case json -> out.println(JSON.writeValueAsString(report));
        case yaml -> out.print(YAML.writeValueAsString(report));
        case table -> throw new IllegalStateException("a table is rendered by its command");
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
