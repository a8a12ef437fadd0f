package dev.sluice.operator.cluster;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Secrets as the renderer wants them: name → decoded data. */
public final class SecretData {
  private SecretData() {}

  public static Map<String, Map<String, String>> decode(List<Secret> secrets) {
    Map<String, Map<String, String>> out = new HashMap<>();
    for (Secret secret : secrets) {
      Map<String, String> data = new HashMap<>();
      if (secret.getStringData() != null) {
        data.putAll(secret.getStringData());
      }
      if (secret.getData() != null) {
        secret
            .getData()
            .forEach(
                (k, v) ->
                    data.put(
                        k, new String(Base64.getMimeDecoder().decode(v), StandardCharsets.UTF_8)));
      }
      out.put(secret.getMetadata().getName(), data);
    }
    return out;
  }
}
