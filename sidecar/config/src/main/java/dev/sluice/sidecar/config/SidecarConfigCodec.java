package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.MapperBuilder;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Reads, validates and writes {@link SidecarConfig}s and {@link SidecarReport}s. YAML for people
 * (standalone files), JSON on the wire. What this reads is held to strict rules: unknown fields and
 * wrong types are problems with a field path, never silently dropped, since a person's typo is the
 * likeliest unknown field. Configs from the operator's config service are read by a {@link
 * ConfigDecoder} instead, which tolerates the fields of a newer operator where that is safe.
 */
public final class SidecarConfigCodec {
  private static final SimpleModule DURATIONS =
      new SimpleModule("sluice-durations")
          .addSerializer(Duration.class, new DurationSerializer())
          .addDeserializer(Duration.class, new DurationDeserializer());

  static final ObjectMapper JSON = configure(JsonMapper.builder()).build();
  static final ObjectMapper YAML =
      configure(
              YAMLMapper.builder(
                  YAMLFactory.builder()
                      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                      .build()))
          .build();

  private static <M extends ObjectMapper, B extends MapperBuilder<M, B>> B configure(B builder) {
    return builder
        .addModule(DURATIONS)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(MapperFeature.SORT_CREATOR_PROPERTIES_FIRST)
        .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
        .defaultPropertyInclusion(
            JsonInclude.Value.construct(
                JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL));
  }

  /** Reads a YAML (or JSON) file, validates it and fills in the revision when absent. */
  public static SidecarConfig read(Path file) throws InvalidConfigException {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new InvalidConfigException(
          file.toString(),
          List.of(ConfigProblem.of("", file.toString(), "a readable file (" + e + ")")));
    }
    return parse(YAML, text, file.toString());
  }

  /** Parses YAML (JSON is YAML too); {@code source} names the input in error messages. */
  public static SidecarConfig readYaml(String text, String source) throws InvalidConfigException {
    return parse(YAML, text, source);
  }

  /** Parses JSON as the config service sends it. */
  public static SidecarConfig readJson(String text, String source) throws InvalidConfigException {
    return parse(JSON, text, source);
  }

  private static SidecarConfig parse(ObjectMapper mapper, String text, String source)
      throws InvalidConfigException {
    SidecarConfig config;
    if (isBlank(text)) {
      throw new InvalidConfigException(
          source,
          List.of(new ConfigProblem("", "empty", "a SidecarConfig: version, listeners, rules")));
    }
    try {
      config = mapper.readValue(text, SidecarConfig.class);
    } catch (JsonProcessingException e) {
      throw new InvalidConfigException(source, List.of(BindingProblems.describe(e)));
    }
    return validated(config, ContractVersions.CURRENT, source);
  }

  /** {@code config} validated for a sidecar speaking {@code speaks}, its revision filled in. */
  static SidecarConfig validated(SidecarConfig config, int speaks, String source)
      throws InvalidConfigException {
    List<ConfigProblem> problems = SidecarConfigValidator.validate(config, speaks);
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(source, problems);
    }
    return config.revision() == null ? config.withRevision(Revisions.of(config)) : config;
  }

  static boolean isBlank(String text) {
    return text.lines().map(String::strip).allMatch(l -> l.isEmpty() || l.startsWith("#"));
  }

  /**
   * Parses the endpoints the config service sends (JSON) or a file holds (YAML), validates them and
   * fills in the version when absent.
   */
  public static ClusterEndpoints readEndpoints(String text, String source)
      throws InvalidConfigException {
    ClusterEndpoints endpoints;
    try {
      endpoints = YAML.readValue(text, ClusterEndpoints.class);
    } catch (JsonProcessingException e) {
      throw new InvalidConfigException(source, List.of(BindingProblems.describe(e)));
    }
    if (endpoints == null) {
      throw new InvalidConfigException(
          source, List.of(new ConfigProblem("", "empty", "endpoints: version, clusters")));
    }
    List<ConfigProblem> problems = ClusterEndpointsValidator.validate(endpoints);
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(source, problems);
    }
    return endpoints.version() == null ? endpoints.withVersion(Revisions.of(endpoints)) : endpoints;
  }

  /** Canonical JSON: field order fixed by the records, defaults filled, nulls left out. */
  public static byte[] canonicalJson(Object config) {
    try {
      return JSON.writeValueAsBytes(config);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A config (or any contract value) as a JSON tree, as {@link #canonicalJson} would write it. */
  static ObjectNode tree(Object value) {
    return JSON.valueToTree(value);
  }

  /** A tree as JSON text. */
  static String json(JsonNode tree) {
    try {
      return JSON.writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String toJson(Object configOrReport) {
    try {
      return JSON.writeValueAsString(configOrReport);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String toYaml(Object configOrReport) {
    try {
      return YAML.writeValueAsString(configOrReport);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses a report; reports are machine-written, so any problem is one exception. */
  public static SidecarReport readReport(String json) throws InvalidConfigException {
    try {
      return JSON.readValue(json, SidecarReport.class);
    } catch (JsonProcessingException e) {
      throw new InvalidConfigException("report", List.of(BindingProblems.describe(e)));
    }
  }

  /** Parses an {@link EndpointsReport} (JSON), as the config service receives it. */
  public static EndpointsReport readEndpointsReport(String json) throws InvalidConfigException {
    try {
      return JSON.readValue(json, EndpointsReport.class);
    } catch (JsonProcessingException e) {
      throw new InvalidConfigException("endpoints report", List.of(BindingProblems.describe(e)));
    }
  }

  private static final class DurationSerializer extends JsonSerializer<Duration> {
    @Override
    public void serialize(Duration value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeString(Durations.format(value));
    }
  }

  private static final class DurationDeserializer extends JsonDeserializer<Duration> {
    @Override
    public Duration deserialize(JsonParser parser, DeserializationContext context)
        throws IOException {
      String text = parser.getValueAsString();
      try {
        return Durations.parse(text == null ? parser.getText() : text);
      } catch (IllegalArgumentException e) {
        throw InvalidFormatException.from(
            parser, e.getMessage(), text == null ? parser.getText() : text, Duration.class);
      }
    }
  }

  private SidecarConfigCodec() {}
}
