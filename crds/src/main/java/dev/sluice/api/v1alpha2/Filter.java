package dev.sluice.api.v1alpha2;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.sluice.api.v1alpha1.Action;
import dev.sluice.api.v1alpha1.Cors;
import dev.sluice.api.v1alpha1.HeaderModifier;
import dev.sluice.api.v1alpha1.LocalRateLimit;
import dev.sluice.api.v1alpha1.OffloadStep;
import dev.sluice.api.v1alpha1.RequestRedirect;
import dev.sluice.api.v1alpha1.UrlRewrite;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import org.jspecify.annotations.Nullable;

/**
 * As HTTPRoute's HTTPRouteFilter: a type, and the one field of that type's name set. Sluice's own
 * filters are typed (Offload, VariableAction) rather than ExtensionRefs to other objects.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "(self.type == 'RequestHeaderModifier') == has(self.requestHeaderModifier)",
    message =
        "filters[].requestHeaderModifier must be set when type is RequestHeaderModifier, and only"
            + " then")
@ValidationRule(
    value = "(self.type == 'ResponseHeaderModifier') == has(self.responseHeaderModifier)",
    message =
        "filters[].responseHeaderModifier must be set when type is ResponseHeaderModifier, and"
            + " only then")
@ValidationRule(
    value = "(self.type == 'URLRewrite') == has(self.urlRewrite)",
    message = "filters[].urlRewrite must be set when type is URLRewrite, and only then")
@ValidationRule(
    value = "(self.type == 'RequestRedirect') == has(self.requestRedirect)",
    message = "filters[].requestRedirect must be set when type is RequestRedirect, and only then")
@ValidationRule(
    value = "(self.type == 'RequestMirror') == has(self.requestMirror)",
    message = "filters[].requestMirror must be set when type is RequestMirror, and only then")
@ValidationRule(
    value = "(self.type == 'CORS') == has(self.cors)",
    message = "filters[].cors must be set when type is CORS, and only then")
@ValidationRule(
    value = "(self.type == 'LocalRateLimit') == has(self.localRateLimit)",
    message = "filters[].localRateLimit must be set when type is LocalRateLimit, and only then")
@ValidationRule(
    value = "(self.type == 'Offload') == has(self.offload)",
    message = "filters[].offload must be set when type is Offload, and only then")
@ValidationRule(
    value = "(self.type == 'VariableAction') == has(self.variableAction)",
    message = "filters[].variableAction must be set when type is VariableAction, and only then")
public record Filter(
    @JsonPropertyDescription(
            "Gateway API's RequestHeaderModifier, ResponseHeaderModifier, URLRewrite,"
                + " RequestRedirect, RequestMirror and CORS; Sluice's LocalRateLimit (a token bucket in each sidecar),"
                + " Offload (send messages of an OffloadAgent for the request and response) and"
                + " VariableAction (deny the request, or set a request or response header, from"
                + " the variables agents set).")
        @Required
        Type type,
    @JsonPropertyDescription("For type RequestHeaderModifier.")
        @Nullable HeaderModifier requestHeaderModifier,
    @JsonPropertyDescription("For type ResponseHeaderModifier.")
        @Nullable HeaderModifier responseHeaderModifier,
    @JsonPropertyDescription("For type URLRewrite.") @Nullable UrlRewrite urlRewrite,
    @JsonPropertyDescription("For type RequestRedirect.") @Nullable RequestRedirect requestRedirect,
    @JsonPropertyDescription("For type RequestMirror (may appear several times, up to 8).")
        @Nullable MirrorFilter requestMirror,
    @JsonPropertyDescription("For type CORS.") @Nullable Cors cors,
    @JsonPropertyDescription("For type LocalRateLimit.") @Nullable LocalRateLimit localRateLimit,
    @JsonPropertyDescription("For type Offload: the agent and its messages.")
        @Nullable OffloadStep offload,
    @JsonPropertyDescription("For type VariableAction: one action on agent variables.")
        @Nullable Action variableAction) {

  /** The filter types: Gateway API's, then Sluice's. */
  public enum Type {
    RequestHeaderModifier,
    ResponseHeaderModifier,
    URLRewrite,
    RequestRedirect,
    RequestMirror,
    CORS,
    LocalRateLimit,
    Offload,
    VariableAction
  }

  public static Filter requestHeaderModifier(HeaderModifier modifier) {
    return new Filter(
        Type.RequestHeaderModifier, modifier, null, null, null, null, null, null, null, null);
  }

  public static Filter responseHeaderModifier(HeaderModifier modifier) {
    return new Filter(
        Type.ResponseHeaderModifier, null, modifier, null, null, null, null, null, null, null);
  }

  public static Filter urlRewrite(UrlRewrite rewrite) {
    return new Filter(Type.URLRewrite, null, null, rewrite, null, null, null, null, null, null);
  }

  public static Filter requestRedirect(RequestRedirect redirect) {
    return new Filter(
        Type.RequestRedirect, null, null, null, redirect, null, null, null, null, null);
  }

  public static Filter requestMirror(MirrorFilter mirror) {
    return new Filter(Type.RequestMirror, null, null, null, null, mirror, null, null, null, null);
  }

  public static Filter cors(Cors cors) {
    return new Filter(Type.CORS, null, null, null, null, null, cors, null, null, null);
  }

  public static Filter localRateLimit(LocalRateLimit limit) {
    return new Filter(Type.LocalRateLimit, null, null, null, null, null, null, limit, null, null);
  }

  public static Filter offload(OffloadStep step) {
    return new Filter(Type.Offload, null, null, null, null, null, null, null, step, null);
  }

  public static Filter variableAction(Action action) {
    return new Filter(Type.VariableAction, null, null, null, null, null, null, null, null, action);
  }
}
