package dev.sluice.sidecar.offload;

import static java.util.Objects.requireNonNull;

import dev.sluice.sidecar.config.VariableAction;
import dev.sluice.sidecar.http2.WireHead;
import dev.sluice.spop.SpopValue;
import io.netty.handler.codec.http.HttpHeaderValidationUtil;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A rule's actions on agent variables: deny when a condition holds, set a request or response
 * header from a variable. Denies are checked after each phase's offload, in order; the first that
 * holds answers the request.
 */
public final class VariableActions {
  private static final Logger log = LoggerFactory.getLogger(VariableActions.class);

  /** The outcome of the rule's deny actions: the first that holds, or CONTINUE. */
  public static PhaseOutcome deny(List<VariableAction> actions, Variables variables) {
    for (VariableAction action : actions) {
      VariableAction.Deny deny = action.deny();
      if (deny != null && holds(deny.when(), variables)) {
        String body =
            deny.body() != null
                ? deny.body()
                : HttpResponseStatus.valueOf(deny.status()).reasonPhrase();
        return new PhaseOutcome(deny.status(), body);
      }
    }
    return PhaseOutcome.CONTINUE;
  }

  /** Applies the setRequestHeader actions to the upstream request head (either form). */
  public static void requestHeaders(
      List<VariableAction> actions, Variables variables, HttpMessage head) {
    applyAll(actions, VariableAction::setRequestHeader, variables, Fields.of(head));
  }

  /** Applies the setResponseHeader actions to the downstream response head (either form). */
  public static void responseHeaders(
      List<VariableAction> actions, Variables variables, HttpMessage head) {
    applyAll(actions, VariableAction::setResponseHeader, variables, Fields.of(head));
  }

  private static void applyAll(
      List<VariableAction> actions,
      Function<VariableAction, VariableAction.HeaderFromVariable> rule,
      Variables variables,
      Fields fields) {
    for (VariableAction action : actions) {
      apply(rule.apply(action), variables, fields);
    }
  }

  /** The fields a header action changes: HTTP/1.1 fields, or an HTTP/2 header block. */
  private interface Fields {
    void set(String name, String value);

    void remove(String name);

    static Fields of(HttpMessage head) {
      return head instanceof WireHead wire ? of(wire.block()) : of(head.headers());
    }

    static Fields of(HttpHeaders headers) {
      return new Fields() {
        @Override
        public void set(String name, String value) {
          headers.set(name, value);
        }

        @Override
        public void remove(String name) {
          headers.remove(name);
        }
      };
    }

    /** HTTP/2 field names are lower case (RFC 9113 8.2.1); configured names may not be. */
    static Fields of(Http2Headers block) {
      return new Fields() {
        @Override
        public void set(String name, String value) {
          block.set(AsciiString.of(name).toLowerCase(), value);
        }

        @Override
        public void remove(String name) {
          block.remove(AsciiString.of(name).toLowerCase());
        }
      };
    }
  }

  private static void apply(
      VariableAction.HeaderFromVariable rule, Variables variables, Fields headers) {
    if (rule == null) {
      return;
    }
    SpopValue value = variables.get(rule.fromVariable());
    String text = value == null ? null : value.asText();
    if (text != null && HttpHeaderValidationUtil.validateValidHeaderValue(text) >= 0) {
      // An agent's answer is untrusted input: a CR or LF in it would split the header.
      log.warn(
          "header {} not set: variable {} holds {}, which is not a valid header value"
              + " (control characters other than tab are not allowed); treated as unset",
          rule.name(),
          rule.fromVariable(),
          escaped(text));
      text = null;
    }
    if (text != null) {
      headers.set(rule.name(), text);
    } else if (rule.removeWhenUnset()) {
      headers.remove(rule.name());
    }
  }

  private static String escaped(String text) {
    StringBuilder out = new StringBuilder("\"");
    int shown = Math.min(text.length(), 64);
    for (int i = 0; i < shown; i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        out.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append(text.length() > shown ? "\"..." : "\"").toString();
  }

  /**
   * Whether a condition holds. Unset variables: Exists false, NotExists true, NotEquals true, the
   * others false. Booleans compare with true/false or 1/0; integers numerically.
   */
  static boolean holds(VariableAction.VariableTest test, Variables variables) {
    SpopValue value = variables.get(test.variable());
    return switch (test.operator()) {
      case Exists -> value != null;
      case NotExists -> value == null;
      case Equals -> value != null && same(value, expected(test));
      case NotEquals -> value == null || !same(value, expected(test));
      case GreaterThan -> compare(value, expected(test)) > 0;
      case LessThan -> {
        Integer c = compareOrNull(value, expected(test));
        yield c != null && c < 0;
      }
    };
  }

  /** The value a comparing operator compares with (validated: every one but Exists has one). */
  private static String expected(VariableAction.VariableTest test) {
    return requireNonNull(test.value());
  }

  private static boolean same(SpopValue value, String expected) {
    if (value instanceof SpopValue.Bool b) {
      return switch (expected.trim().toLowerCase(Locale.ROOT)) {
        case "true", "1" -> b.value();
        case "false", "0" -> !b.value();
        default -> false;
      };
    }
    Long number = value.asLong();
    if (number != null) {
      try {
        return number == Long.parseLong(expected.trim());
      } catch (NumberFormatException e) {
        return false;
      }
    }
    return value.asText().equals(expected);
  }

  private static int compare(@Nullable SpopValue value, String expected) {
    Integer c = compareOrNull(value, expected);
    return c == null ? 0 : c;
  }

  private static @Nullable Integer compareOrNull(@Nullable SpopValue value, String expected) {
    if (value == null) {
      return null;
    }
    Long number = value.asLong();
    if (number == null) {
      try {
        number = Long.parseLong(value.asText().trim());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return Long.compare(number, Long.parseLong(expected.trim()));
  }

  private VariableActions() {}
}
