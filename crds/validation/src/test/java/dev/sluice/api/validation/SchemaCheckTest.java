package dev.sluice.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/**
 * The structural checks refuse what the API server's openAPIV3Schema validation refuses, in its
 * words; unknown fields are dropped and named; defaults are applied before the rules run; a type
 * error keeps the CEL rules from running, as on the API server.
 */
class SchemaCheckTest {
  private final CrdValidator routes = SluiceCrds.forKind("ProxyRoute");

  private ObjectNode route(String spec) {
    return Objects.yaml(
        "{apiVersion: sluice.dev/v1alpha1, kind: ProxyRoute, metadata: {name: web}, spec: "
            + spec
            + "}");
  }

  @Test
  void typesBoundsEnumsPatternsLengthsAndRequiredFieldsAreCheckedInTheServersWords() {
    var errors =
        routes
            .admit(
                route(
                    "{listener: {port: 70000, protocol: FTP}, rules: [{name: Bad_Name,"
                        + " backend: {service: {name: web, port: 80}}, upgrades: [a, b, c, d, e,"
                        + " f, g, h, i]}]}"),
                null,
                false)
            .errors();
    assertThat(errors)
        .extracting(FieldError::toString)
        .containsExactly(
            "spec.selector: Required value",
            "spec.listener.port: Invalid value: 70000: spec.listener.port in body should be less"
                + " than or equal to 65535",
            "spec.listener.protocol: Unsupported value: \"FTP\": supported values: \"HTTP\","
                + " \"HTTPS\"",
            "spec.rules[0].name: Invalid value: \"Bad_Name\": spec.rules[0].name in body should"
                + " match '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$'",
            "spec.rules[0].upgrades: Too many: 9: must have at most 8 items",
            "<nil>: Invalid value: \"null\": some validation rules were not checked because the"
                + " object was invalid; correct the existing errors to complete validation");
    assertThat(routes.invalidMessage("web", errors.subList(0, 1)))
        .isEqualTo("ProxyRoute.sluice.dev \"web\" is invalid: spec.selector: Required value");
  }

  @Test
  void aWrongTypeIsNamedWithTheTypeFound() {
    var errors =
        routes
            .admit(
                route(
                    "{selector: {}, listener: {port: \"80\"}, rules: [{backend: {service: {name:"
                        + " web, port: 80}}}]}"),
                null,
                false)
            .errors();
    assertThat(errors.get(0).toString())
        .isEqualTo(
            "spec.listener.port: Invalid value: \"string\": spec.listener.port in body must be of"
                + " type integer: \"string\"");
  }

  @Test
  void unknownFieldsAreDroppedAndNamedAndDefaultsApplied() {
    var admission =
        routes.admit(
            route(
                "{selector: {}, listner: {port: 1}, listener: {port: 80, tls2: {}}, rules:"
                    + " [{backend: {service: {name: web, port: 80}}}]}"),
            null,
            false);
    assertThat(admission.errors()).isEmpty();
    assertThat(admission.unknownFields()).containsExactly("spec.listner", "spec.listener.tls2");
    assertThat(admission.object().at("/spec/listener").toString())
        .isEqualTo("{\"port\":80,\"protocol\":\"HTTP\"}");
    assertThat(admission.object().at("/spec/rules/0/backend/protocol").asText()).isEqualTo("http1");
  }

  static final String RULES = "rules: [{backend: {service: {name: web, port: 80}}}]";

  @Test
  void accessLogAndTracingTakeTheirDefaultsOnceSaid() {
    var admission =
        routes.admit(
            route(
                "{selector: {}, listener: {port: 80}, "
                    + RULES
                    + ", accessLog: {headers: [authorization]}, tracing: {}}"),
            null,
            false);
    assertThat(admission.errors()).isEmpty();
    assertThat(admission.object().at("/spec/accessLog").toString())
        .isEqualTo(
            "{\"headers\":[\"authorization\"],\"enabled\":true,\"includeQuery\":false,"
                + "\"successSampling\":\"100%\"}");
    assertThat(admission.object().at("/spec/tracing").toString())
        .isEqualTo("{\"createWhenAbsent\":true,\"sampling\":\"1%\"}");
    var absent =
        routes.admit(route("{selector: {}, listener: {port: 80}, " + RULES + "}"), null, false);
    assertThat(absent.object().at("/spec").has("accessLog")).as("absent stays absent").isFalse();
  }

  @Test
  void sharesArePercentagesAndLoggedHeadersLowercaseNamesAtMostSixteen() {
    var errors =
        routes
            .admit(
                route(
                    "{selector: {}, listener: {port: 80}, "
                        + RULES
                        + ", accessLog: {successSampling: '0.5', headers: [X-Request-Id, ok,"
                        + " a, b, c, d, e, f, g, h, i, j, k, l, m, n, o]}, tracing: {sampling:"
                        + " 100.5%}}"),
                null,
                false)
            .errors();
    assertThat(errors)
        .extracting(FieldError::toString)
        .containsExactlyInAnyOrder(
            "spec.accessLog.headers: Too many: 17: must have at most 16 items",
            "spec.accessLog.headers[0]: Invalid value: \"X-Request-Id\":"
                + " spec.accessLog.headers[0] in body should match"
                + " '^[a-z0-9!#$%&'*+.^_`|~-]+$'",
            "spec.accessLog.successSampling: Invalid value: \"0.5\": spec.accessLog.successSampling"
                + " in body should match '^(100(\\.0{1,4})?|[0-9]{1,2}(\\.[0-9]{1,4})?)%$'",
            "spec.tracing.sampling: Invalid value: \"100.5%\": spec.tracing.sampling in body should"
                + " match '^(100(\\.0{1,4})?|[0-9]{1,2}(\\.[0-9]{1,4})?)%$'");
    assertThat(
            routes
                .admit(
                    route(
                        "{selector: {}, listener: {port: 80}, "
                            + RULES
                            + ", accessLog: {successSampling: 0.0001%}, tracing: {sampling:"
                            + " 100.0%}}"),
                    null,
                    false)
                .errors())
        .as("the smallest share and 100% with decimals")
        .isEmpty();
  }

  @Test
  void anUpdateLeavingAnInvalidStoredSpecAsItWasPasses() {
    ObjectNode stored = route("{selector: {}, listener: {port: 8443, protocol: HTTPS}, rules: []}");
    ObjectNode relabelled = stored.deepCopy();
    ((ObjectNode) relabelled.get("metadata")).putObject("labels").put("a", "b");
    assertThat(routes.admit(relabelled, stored, false).errors()).isEmpty();
    // An HTTPS listener without tls (rules: [] is a parent for HTTPRoutes only, and valid).
    assertThat(routes.admit(stored, null, false).errors()).hasSize(1);
    ObjectNode status = stored.deepCopy();
    status.putObject("status").put("revision", 7);
    assertThat(routes.admit(status, stored, true).errors())
        .extracting(FieldError::toString)
        .containsExactly(
            "status.revision: Invalid value: \"integer\": status.revision in body must be of type"
                + " string: \"integer\"",
            "<nil>: Invalid value: \"null\": some validation rules were not checked because the"
                + " object was invalid; correct the existing errors to complete validation");
  }
}
