package dev.sluice.sidecar.timer;

import static java.util.Objects.requireNonNull;

import io.netty.util.concurrent.EventExecutor;
import org.jspecify.annotations.Nullable;

/**
 * One reusable timeout of an event loop: armed for a delay, it runs its task on the loop once the
 * delay has passed (never earlier, at most about a tick later) unless cancelled or armed again
 * first. Loop-confined: arm and cancel on the loop it was armed on.
 */
public final class Timeout {
  static final int IDLE = 0;
  static final int ARMED = 1;
  static final int DUE = 2;

  final Runnable task;
  int state = IDLE;
  long deadlineTick;
  @Nullable TimerWheel wheel;
  @Nullable Timeout previous;
  @Nullable Timeout next;
  @Nullable Timeout nextDue;

  public Timeout(Runnable task) {
    this.task = task;
  }

  /** Runs the task {@code delayNanos} from now on {@code loop}, replacing an earlier arming. */
  public void arm(EventExecutor loop, long delayNanos) {
    cancel();
    TimerWheel.of(loop).add(this, delayNanos);
  }

  /** The task will not run (from this arming); does nothing when not armed. */
  public void cancel() {
    if (state == ARMED) {
      requireNonNull(wheel).remove(this); // armed on it
    }
    state = IDLE;
  }

  /** True while armed and not yet run. */
  public boolean armed() {
    return state != IDLE;
  }
}
