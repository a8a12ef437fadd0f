package dev.sluice.sidecar.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A parsed message argument: where its value comes from. The grammar is the one the OffloadAgent
 * CRD documents: {@code src}, {@code src_port}, {@code dst}, {@code dst_port}, {@code method},
 * {@code path}, {@code query}, {@code host}, {@code trace_id}, {@code res.status}, {@code
 * req.hdr(<name>)}, {@code res.hdr(<name>)}, {@code req.body(<maxBytes>)}, {@code str(<text>)},
 * {@code int(<n>)}, {@code bool(true|false)}.
 *
 * @param kind the sample
 * @param parameter header name (lower case), byte limit, or constant text; empty when none
 */
public record SampleExpression(Kind kind, String parameter) {
  static final String EXPECTED =
      "one of src, src_port, dst, dst_port, method, path, query, host, trace_id, res.status,"
          + " req.hdr(<name>), res.hdr(<name>), req.body(<1..16777216>), str(<text>), int(<n>),"
          + " bool(true|false)";
  private static final Pattern CALL = Pattern.compile("([a-z.]+)\\((.*)\\)");
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");
  private static final long MAX_BODY = 16L * 1024 * 1024;

  /** Samples, with the phase in which they exist. */
  public enum Kind {
    SRC(false),
    SRC_PORT(false),
    DST(false),
    DST_PORT(false),
    METHOD(false),
    PATH(false),
    QUERY(false),
    HOST(false),
    TRACE_ID(false),
    REQ_HDR(false),
    REQ_BODY(false),
    RES_STATUS(true),
    RES_HDR(true),
    STR(false),
    INT(false),
    BOOL(false);

    private final boolean responseOnly;

    Kind(boolean responseOnly) {
      this.responseOnly = responseOnly;
    }

    /** True for samples that exist only once a response has arrived. */
    public boolean responseOnly() {
      return responseOnly;
    }
  }

  /** Parses {@code text}; throws {@link IllegalArgumentException} naming what was expected. */
  public static SampleExpression parse(@Nullable String text) {
    if (text == null) {
      throw new IllegalArgumentException("expected: " + EXPECTED);
    }
    return switch (text) {
      case "src" -> new SampleExpression(Kind.SRC, "");
      case "src_port" -> new SampleExpression(Kind.SRC_PORT, "");
      case "dst" -> new SampleExpression(Kind.DST, "");
      case "dst_port" -> new SampleExpression(Kind.DST_PORT, "");
      case "method" -> new SampleExpression(Kind.METHOD, "");
      case "path" -> new SampleExpression(Kind.PATH, "");
      case "query" -> new SampleExpression(Kind.QUERY, "");
      case "host" -> new SampleExpression(Kind.HOST, "");
      case "trace_id" -> new SampleExpression(Kind.TRACE_ID, "");
      case "res.status" -> new SampleExpression(Kind.RES_STATUS, "");
      default -> parseCall(text);
    };
  }

  private static SampleExpression parseCall(String text) {
    Matcher call = CALL.matcher(text);
    if (!call.matches()) {
      throw new IllegalArgumentException("expected: " + EXPECTED);
    }
    String argument = call.group(2);
    return switch (call.group(1)) {
      case "req.hdr" -> new SampleExpression(Kind.REQ_HDR, headerName(argument));
      case "res.hdr" -> new SampleExpression(Kind.RES_HDR, headerName(argument));
      case "req.body" -> new SampleExpression(Kind.REQ_BODY, Long.toString(bodyLimit(argument)));
      case "str" -> {
        if (argument.indexOf('(') >= 0 || argument.indexOf(')') >= 0) {
          throw new IllegalArgumentException("expected: str(<text>) without parentheses inside");
        }
        yield new SampleExpression(Kind.STR, argument);
      }
      case "int" -> {
        try {
          yield new SampleExpression(Kind.INT, Long.toString(Long.parseLong(argument)));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("expected: int(<64-bit integer>)", e);
        }
      }
      case "bool" -> {
        if (!argument.equals("true") && !argument.equals("false")) {
          throw new IllegalArgumentException("expected: bool(true) or bool(false)");
        }
        yield new SampleExpression(Kind.BOOL, argument);
      }
      default -> throw new IllegalArgumentException("expected: " + EXPECTED);
    };
  }

  private static String headerName(String argument) {
    if (!TOKEN.matcher(argument).matches()) {
      throw new IllegalArgumentException("expected: a header name (RFC 9110 token) inside hdr()");
    }
    return argument.toLowerCase(Locale.ROOT);
  }

  private static long bodyLimit(String argument) {
    try {
      long limit = Long.parseLong(argument);
      if (limit >= 1 && limit <= MAX_BODY) {
        return limit;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException("expected: req.body(<bytes 1..16777216>)");
  }

  /** The byte limit of a {@code req.body} sample, 0 for other kinds. */
  public long bodyLimit() {
    return kind == Kind.REQ_BODY ? Long.parseLong(parameter) : 0;
  }
}
