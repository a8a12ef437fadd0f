package dev.sluice.operator.cluster;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Secrets and ConfigMaps as the renderer wants them: name → decoded data. */
public final class ReferencedData {
  private ReferencedData() {}

  public static Map<String, Map<String, String>> secrets(List<Secret> secrets) {
    Map<String, Map<String, String>> out = new HashMap<>();
    for (Secret secret : secrets) {
      out.put(secret.getMetadata().getName(), decode(secret.getStringData(), secret.getData()));
    }
    return out;
  }

  public static Map<String, Map<String, String>> configMaps(List<ConfigMap> configMaps) {
    Map<String, Map<String, String>> out = new HashMap<>();
    for (ConfigMap configMap : configMaps) {
      out.put(
          configMap.getMetadata().getName(),
          decode(configMap.getData(), configMap.getBinaryData()));
    }
    return out;
  }

  /** Text values as they are, base64 ones decoded (a Secret's data, a ConfigMap's binaryData). */
  private static Map<String, String> decode(
      @Nullable Map<String, String> text, @Nullable Map<String, String> base64) {
    Map<String, String> data = new HashMap<>();
    if (text != null) {
      data.putAll(text);
    }
    if (base64 != null) {
      base64.forEach(
          (k, v) ->
              data.put(k, new String(Base64.getMimeDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    return data;
  }
}
