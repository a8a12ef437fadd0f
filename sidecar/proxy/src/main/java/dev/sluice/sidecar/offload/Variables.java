package dev.sluice.sidecar.offload;

import dev.sluice.spop.Action;
import dev.sluice.spop.Scope;
import dev.sluice.spop.SpopValue;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The variables one request sees, named like HAProxy's: {@code <scope>.<prefix>.<name>}. {@code
 * txn}, {@code req} and {@code res} live with the request; {@code sess} with the downstream
 * connection (shared by its keep-alive requests and HTTP/2 streams). {@code proc} is not offered.
 * Names longer than 63 characters are dropped, as HAProxy does; each map holds a bounded number of
 * variables so a chatty agent cannot grow them without limit.
 */
public final class Variables {
  /** HAProxy's limit on a composed variable name. */
  public static final int MAX_NAME = 63;

  /** Variables per map at most; further new names are dropped. */
  static final int MAX_COUNT = 256;

  private final Map<String, SpopValue> transaction = new HashMap<>();
  private final Map<String, SpopValue> session;

  /** {@code session}: the connection's map (event-loop confined, like the request). */
  public Variables(Map<String, SpopValue> session) {
    this.session = session;
  }

  /** Applies an ACK's actions under {@code prefix}; returns how many took effect. */
  public int apply(Iterable<Action> actions, String prefix) {
    int applied = 0;
    for (Action action : actions) {
      if (action.scope() == Scope.PROC) {
        continue;
      }
      String name = action.scope().label() + '.' + prefix + '.' + action.name();
      SpopValue value = action instanceof Action.SetVar set ? set.value() : SpopValue.NULL;
      if (set(name, value)) {
        applied++;
      }
    }
    return applied;
  }

  /** Sets (or, with null or NULL, unsets) a variable by its full name; false when dropped. */
  public boolean set(String name, @Nullable SpopValue value) {
    if (name.length() > MAX_NAME) {
      return false;
    }
    Map<String, SpopValue> map = name.startsWith("sess.") ? session : transaction;
    if (value == null || value instanceof SpopValue.Null) {
      map.remove(name);
      return true;
    }
    if (map.size() >= MAX_COUNT && !map.containsKey(name)) {
      return false;
    }
    map.put(name, value);
    return true;
  }

  /** The value of a variable by its full name; null when unset. */
  public @Nullable SpopValue get(String name) {
    return (name.startsWith("sess.") ? session : transaction).get(name);
  }
}
