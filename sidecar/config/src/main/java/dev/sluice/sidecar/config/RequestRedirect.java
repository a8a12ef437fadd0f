package dev.sluice.sidecar.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;

/**
 * A redirect the sidecar answers itself, nothing sent upstream (Gateway API's {@code
 * RequestRedirect}, contract 4). The {@code Location} is the request's URL with what is set here
 * replaced.
 *
 * @param scheme http or https; null keeps the request's
 * @param hostname replaces the request's host; null keeps it
 * @param port replaces the port; null: the scheme's well-known one when {@code scheme} is set, else
 *     the port the request arrived on. A scheme's well-known port is never written.
 * @param path replaces the path; null keeps it. The query string is kept.
 * @param statusCode 301 or 302 (the default)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RequestRedirect(
    @Nullable Scheme scheme,
    @Nullable String hostname,
    @Nullable Integer port,
    @Nullable PathModifier path,
    Integer statusCode) {
  public static final int DEFAULT_STATUS = 302;

  public RequestRedirect {
    statusCode = statusCode == null ? DEFAULT_STATUS : statusCode;
  }

  /** The schemes a redirect may name. */
  public enum Scheme {
    @JsonProperty("http")
    HTTP(80),
    @JsonProperty("https")
    HTTPS(443);

    private final int wellKnownPort;

    Scheme(int wellKnownPort) {
      this.wellKnownPort = wellKnownPort;
    }

    /** 80 or 443. */
    public int wellKnownPort() {
      return wellKnownPort;
    }

    /** As written in a URL: {@code http}, {@code https}. */
    public String text() {
      return this == HTTP ? "http" : "https";
    }
  }
}
