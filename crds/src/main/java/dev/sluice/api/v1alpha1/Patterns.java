package dev.sluice.api.v1alpha1;

/** Regular expressions shared by the schema annotations (they must be compile-time constants). */
public final class Patterns {
  /**
   * A duration as Go and Kubernetes CEL's {@code duration()} read it: one or more number+unit
   * pairs, units {@code ms}, {@code s}, {@code m}, {@code h}; e.g. {@code 500ms}, {@code 2s},
   * {@code 1m30s}.
   */
  public static final String DURATION = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$";

  /** A duration of whole seconds: {@link #DURATION} without fractions or milliseconds. */
  public static final String WHOLE_SECONDS = "^([0-9]+(s|m|h))+$";

  /** A DNS-1123 label, the shape of Kubernetes object and port names. */
  public static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";

  /** A DNS-1123 subdomain, the shape of Service and Secret names. */
  public static final String DNS_SUBDOMAIN =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  /** A static endpoint: IPv4, bracketed IPv6 or host name, a colon, and a port. */
  public static final String HOST_PORT = "^(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$";

  /** An HTTP header field name (RFC 9110 token). */
  public static final String HEADER_NAME = "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$";

  /** An HTTP field name as HTTP/2 writes it: an RFC 9110 token in lower case. */
  public static final String LOWERCASE_HEADER_NAME = "^[a-z0-9!#$%&'*+.^_`|~-]+$";

  /**
   * A share as a percentage with up to four decimals, from {@code 0%} to {@code 100%}: {@code
   * 100%}, {@code 12.5%}, {@code 0.01%}. A string, not a float (Kubernetes API conventions), and
   * one YAML cannot read as a number, so it needs no quotes.
   */
  public static final String PERCENT = "^(100(\\.0{1,4})?|[0-9]{1,2}(\\.[0-9]{1,4})?)%$";

  /**
   * A CORS origin (Gateway API's {@code CORSOrigin}): {@code scheme://host[:port]}, the host's
   * leftmost label may be {@code *}, the port 1..65535; or {@code *} alone.
   */
  public static final String CORS_ORIGIN =
      "^(\\*|[A-Za-z][A-Za-z0-9+.-]*://(\\*\\.)?[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?"
          + "(\\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*"
          + "(:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?)$";

  /** A CORS method: one of Gateway API's {@code HTTPMethod}s, or {@code *}. */
  public static final String CORS_METHOD =
      "^(GET|HEAD|POST|PUT|DELETE|CONNECT|OPTIONS|TRACE|PATCH|\\*)$";

  /** An HTTP header field name, or {@code *}. */
  public static final String HEADER_NAME_OR_ANY = "^(\\*|[A-Za-z0-9!#$%&'*+.^_`|~-]+)$";

  /** A host name, without wildcard (Gateway API's PreciseHostname, any case). */
  public static final String HOSTNAME =
      "^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*$";

  /** A host to match: exact, or a leading {@code *.} wildcard for one or more labels. */
  public static final String HOST_MATCH =
      "^(\\*\\.)?[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*$";

  /**
   * An SPOP variable as routes read it: {@code <scope>.<prefix>.<name>}, scope one of {@code sess},
   * {@code txn}, {@code req}, {@code res} (HAProxy's naming).
   */
  public static final String VARIABLE = "^(sess|txn|req|res)\\.[A-Za-z0-9_]+\\.[A-Za-z0-9_.]+$";

  /** A variable-name part: prefix or name, as HAProxy accepts them. */
  public static final String VARIABLE_PART = "^[A-Za-z0-9_]+$";

  /** A sample expression for a message argument, as listed in {@link MessageArgument#value()}. */
  public static final String SAMPLE =
      "^(src|src_port|dst|dst_port|method|path|query|host|trace_id|res\\.status"
          + "|req\\.hdr\\([A-Za-z0-9!#$%&'*+.^_`|~-]+\\)|res\\.hdr\\([A-Za-z0-9!#$%&'*+.^_`|~-]+\\)"
          + "|req\\.body\\([1-9][0-9]{0,7}\\)|str\\([^()]*\\)|int\\(-?[0-9]{1,18}\\)|bool\\((true|false)\\))$";

  private Patterns() {}
}
