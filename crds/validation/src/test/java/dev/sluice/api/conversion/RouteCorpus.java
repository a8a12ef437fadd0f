package dev.sluice.api.conversion;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Valid v1alpha1 ProxyRoutes drawn from a seeded random source over the fields whose conversion
 * differs: matches (absent, empty, hosts, several methods, header types), offload and actions
 * (absent, empty, several), Service or static backends with each protocol, partial timeouts,
 * spec-wide hostnames. As JSON text (which is YAML).
 */
final class RouteCorpus {
  private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE"};
  private static final String[] PATH_TYPES = {"Exact", "Prefix", "RegularExpression"};

  private RouteCorpus() {}

  static String v1alpha1(Random random, int index) {
    boolean hostnames = random.nextInt(4) == 0;
    List<String> rules = new ArrayList<>();
    int count = 1 + random.nextInt(3);
    for (int r = 0; r < count; r++) {
      rules.add(rule(random, r, !hostnames));
    }
    return "{\"apiVersion\": \"sluice.dev/v1alpha1\", \"kind\": \"ProxyRoute\", \"metadata\":"
        + " {\"name\": \"r"
        + index
        + "\", \"namespace\": \"shop\"}, \"spec\": {\"selector\": {\"matchLabels\": {\"app\":"
        + " \"shop\"}}, \"listener\": {\"port\": 8080}"
        + (hostnames ? ", \"hostnames\": [\"a.example\", \"*.b.example\"]" : "")
        + ", \"rules\": ["
        + String.join(", ", rules)
        + "]}}";
  }

  private static String rule(Random random, int index, boolean hosts) {
    List<String> fields = new ArrayList<>();
    if (random.nextBoolean()) {
      fields.add("\"name\": \"rule-" + index + "\"");
    }
    switch (random.nextInt(4)) {
      case 0 -> {}
      case 1 -> fields.add("\"matches\": []");
      default -> {
        List<String> matches = new ArrayList<>();
        int count = 1 + random.nextInt(3);
        for (int m = 0; m < count; m++) {
          matches.add(match(random, hosts));
        }
        fields.add("\"matches\": [" + String.join(", ", matches) + "]");
      }
    }
    boolean redirects = random.nextInt(6) == 0;
    if (redirects) {
      fields.add(
          "\"redirect\": {\"scheme\": \"https\""
              + (random.nextBoolean() ? ", \"statusCode\": 301" : "")
              + (random.nextBoolean()
                  ? ", \"path\": {\"type\": \"ReplaceFullPath\", \"replaceFullPath\": \"/moved\"}"
                  : "")
              + "}");
    } else if (random.nextInt(5) == 0) {
      fields.add(
          "\"backends\": [{\"weight\": 90, \"service\": {\"name\": \"web\", \"port\": 80}},"
              + " {\"weight\": "
              + random.nextInt(3)
              + ", \"endpoints\": [\"10.0.0.2:80\"], \"protocol\": \"h2c\"}]");
    } else {
      fields.add("\"backend\": " + backend(random));
      if (random.nextInt(3) == 0) {
        fields.add(
            "\"requestHeaders\": {\"set\": [{\"name\": \"x-env\", \"value\": \"prod\"}],"
                + " \"remove\": [\"x-debug\"]}");
      }
      if (random.nextInt(3) == 0) {
        fields.add(
            "\"responseHeaders\": {\"add\": [{\"name\": \"x-served-by\", \"value\":"
                + " \"sluice\"}]}");
      }
      if (random.nextInt(4) == 0) {
        fields.add(
            "\"mirrors\": [{\"endpoints\": [\"10.0.0.9:80\"]"
                + (random.nextBoolean() ? ", \"percent\": 10" : "")
                + "}"
                + (random.nextBoolean()
                    ? ", {\"service\": {\"name\": \"shadow\", \"port\": 80}, \"fraction\":"
                        + " {\"numerator\": 1}, \"maxBodyBytes\": 0}"
                    : "")
                + "]");
      }
      if (random.nextInt(3) == 0) {
        fields.add(
            "\"rewrite\": {\"hostname\": \"internal.example\", \"path\": {\"type\":"
                + " \"ReplaceFullPath\", \"replaceFullPath\": \"/v2\"}}");
      }
    }
    if (random.nextInt(4) == 0) {
      fields.add(
          "\"rateLimit\": {\"requests\": 10"
              + (random.nextBoolean() ? ", \"unit\": \"Minute\", \"burst\": 20" : "")
              + (random.nextBoolean() ? ", \"key\": \"ClientAddress\"" : "")
              + "}");
    }
    if (random.nextBoolean()) {
      fields.add(
          "\"timeouts\": {"
              + pick(
                  random,
                  "\"connect\": \"2s\"",
                  "\"request\": \"30s\"",
                  "\"idle\": \"1m\"",
                  "\"exchange\": \"10s\"",
                  "\"backendRequest\": \"2s\"")
              + "}");
    }
    switch (random.nextInt(3)) {
      case 0 -> {}
      case 1 -> fields.add("\"offload\": []");
      default ->
          fields.add(
              "\"offload\": [{\"agent\": \"waf\", \"messages\": [\"check\"]}"
                  + (random.nextBoolean() ? ", {\"agent\": \"iprep\"}" : "")
                  + "]");
    }
    switch (random.nextInt(3)) {
      case 0 -> {}
      case 1 -> fields.add("\"actions\": []");
      default ->
          fields.add(
              "\"actions\": [{\"deny\": {\"when\": {\"variable\": \"txn.waf.blocked\","
                  + " \"operator\": \"Equals\", \"value\": \"true\"}, \"status\": 403}},"
                  + " {\"setResponseHeader\": {\"name\": \"x-score\", \"fromVariable\":"
                  + " \"txn.iprep.score\"}}]");
    }
    if (random.nextInt(3) == 0) {
      fields.add("\"maxRequestBodyBytes\": " + random.nextInt(1 << 20));
    }
    if (random.nextInt(4) == 0) {
      fields.add("\"zeroCopy\": false");
    }
    if (random.nextInt(4) == 0) {
      fields.add("\"upgrades\": " + (random.nextBoolean() ? "[]" : "[\"websocket\"]"));
    }
    if (random.nextInt(4) == 0) {
      fields.add("\"loadBalancer\": \"RoundRobin\"");
    }
    if (random.nextInt(4) == 0) {
      fields.add("\"retry\": {\"attempts\": 2, \"codes\": [503]}");
    }
    return "{" + String.join(", ", fields) + "}";
  }

  private static String match(Random random, boolean hosts) {
    List<String> fields = new ArrayList<>();
    if (hosts && random.nextInt(3) == 0) {
      fields.add(
          "\"host\": \"" + (random.nextBoolean() ? "shop.example" : "*.shop.example") + "\"");
    }
    if (random.nextBoolean()) {
      String type = PATH_TYPES[random.nextInt(PATH_TYPES.length)];
      String value = type.equals("RegularExpression") ? "/items/[0-9]+" : "/items";
      fields.add(
          "\"path\": {"
              + (random.nextBoolean() ? "\"type\": \"" + type + "\", " : "")
              + "\"value\": \""
              + (random.nextBoolean() || type.equals("RegularExpression") ? value : "/")
              + "\"}");
    }
    int methods = random.nextInt(4);
    if (methods > 0) {
      List<String> listed = new ArrayList<>();
      for (int i = 0; i < methods; i++) {
        listed.add("\"" + METHODS[(i + random.nextInt(2)) % METHODS.length] + "\"");
      }
      fields.add("\"methods\": [" + String.join(", ", listed.stream().distinct().toList()) + "]");
    }
    if (random.nextInt(3) == 0) {
      fields.add(
          "\"queryParams\": [{\"name\": \"v\", \"value\": \"2\"}"
              + (random.nextBoolean()
                  ? ", {\"name\": \"t\", \"type\": \"RegularExpression\", \"value\": \"[a-z]+\"}"
                  : "")
              + "]");
    }
    if (random.nextBoolean()) {
      fields.add(
          "\"headers\": ["
              + pick(
                  random,
                  "{\"name\": \"x-canary\", \"value\": \"1\"}",
                  "{\"name\": \"x-user\", \"type\": \"RegularExpression\", \"value\": \"a.*\"}",
                  "{\"name\": \"x-debug\", \"type\": \"Present\"}")
              + "]");
    }
    return "{" + String.join(", ", fields) + "}";
  }

  private static String backend(Random random) {
    String protocol = new String[] {"http1", "h2c", "h2"}[random.nextInt(3)];
    String target =
        random.nextBoolean()
            ? "\"service\": {\"name\": \"web\", \"port\": 8080}"
            : "\"endpoints\": [\"10.0.0.1:80\", \"[::1]:8080\"]";
    String tls =
        protocol.equals("h2") && random.nextBoolean()
            ? ", \"tls\": {\"serverName\": \"web.shop\"}"
            : "";
    return "{"
        + target
        + (random.nextBoolean() || protocol.equals("h2")
            ? ", \"protocol\": \"" + protocol + "\""
            : "")
        + tls
        + "}";
  }

  /** One to all of {@code options}, comma-separated, in order. */
  private static String pick(Random random, String... options) {
    List<String> out = new ArrayList<>();
    for (String option : options) {
      if (random.nextBoolean()) {
        out.add(option);
      }
    }
    return out.isEmpty() ? options[random.nextInt(options.length)] : String.join(", ", out);
  }
}
