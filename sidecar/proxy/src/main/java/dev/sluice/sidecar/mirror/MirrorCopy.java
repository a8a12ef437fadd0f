package dev.sluice.sidecar.mirror;

import dev.sluice.sidecar.upstream.UpstreamExchange;
import dev.sluice.sidecar.upstream.UpstreamLease;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request's copy on its way to one mirror, as a state machine: it collects the head and the
 * body (retained duplicates of the buffers the request sends upstream: no copies) until the request
 * is whole, then leases from the mirror's pool, writes it all, reads the response and discards it.
 * Nothing flows back: the mirror's writability, slowness and failures never reach the request it
 * copies. One {@link #end} releases what is held, gives the lease and the permit back and counts
 * the result, exactly once. Event-loop confined (the copied exchange's loop).
 */
public final class MirrorCopy implements UpstreamExchange {
  private static final Logger log = LoggerFactory.getLogger(MirrorCopy.class);

  /** How a copy ended, as {@code sluice_mirror_requests_total{result}} says it. */
  public enum Result {
    /** The mirror took the whole request and answered it (its response discarded). */
    SENT("sent"),
    /** The mirror upstream had {@link MirrorPermits#MAX_IN_FLIGHT} copies in flight already. */
    DROPPED_FULL("dropped_full"),
    /** The body grew past the mirror's {@code maxBodyBytes}: never sent truncated. */
    DROPPED_BODY_TOO_LARGE("dropped_body_too_large"),
    /** The request ended before it was whole (client gone, refused, timed out): nothing to copy. */
    DROPPED_INCOMPLETE("dropped_incomplete"),
    /** No lease, a failed write, the mirror closing or not answering within the rule's timeout. */
    FAILED("failed");

    final String label;

    Result(String label) {
      this.label = label;
    }
  }

  private enum Phase {
    /** Taking the head and body objects as the request sends them upstream. */
    COLLECTING,
    /** The request is whole: waiting for a lease from the mirror's pool. */
    ACQUIRING,
    /** Written (or being written) to the mirror; reading its response. */
    SENDING,
    DONE
  }

  private final Mirror mirror;
  private final EventLoop loop;

  /** Owned here until written: the head, then the retained body duplicates, in order. */
  private final ArrayDeque<HttpObject> held = new ArrayDeque<>(4);

  private Phase phase = Phase.COLLECTING;
  private long bodyBytes;
  private int writesPending;
  private @Nullable UpstreamLease lease;
  private @Nullable ScheduledFuture<?> timeout;

  MirrorCopy(Mirror mirror, EventLoop loop) {
    this.mirror = mirror;
    this.loop = loop;
  }

  /** Whether the copy goes to an HTTP/2 upstream (the head is written for that hop). */
  public boolean http2() {
    return mirror.http2;
  }

  /**
   * The head as sent upstream, for the mirror's protocol (ownership passes); {@code whole}: the
   * request has no body, and the copy goes at once.
   */
  public void head(HttpRequest head, boolean whole) {
    if (phase != Phase.COLLECTING) {
      ReferenceCountUtil.release(head);
      return;
    }
    held.add(head);
    if (whole) {
      send();
    }
  }

  /**
   * A body object the request sends upstream (not owned: a retained duplicate is kept). A body
   * growing past {@code maxBodyBytes} abandons the copy; the last object sends it.
   */
  public void body(HttpContent content) {
    if (phase != Phase.COLLECTING) {
      return;
    }
    bodyBytes += content.content().readableBytes();
    if (bodyBytes > mirror.maxBodyBytes) {
      end(Result.DROPPED_BODY_TOO_LARGE);
      return;
    }
    held.add(content.retainedDuplicate());
    if (content instanceof LastHttpContent) {
      send();
    }
  }

  /** The request's exchange ended: a copy still collecting has no whole request to send. */
  public void requestEnded() {
    if (phase == Phase.COLLECTING) {
      end(Result.DROPPED_INCOMPLETE);
    }
  }

  private void send() {
    phase = Phase.ACQUIRING;
    long timeoutNanos = mirror.timeouts.connect().plus(mirror.timeouts.request()).toNanos();
    timeout = loop.schedule(this::timedOut, timeoutNanos, TimeUnit.NANOSECONDS);
    mirror
        .source
        .acquire(loop, mirror.timeouts.connect())
        .addListener(
            (Future<UpstreamLease> f) -> {
              if (!f.isSuccess()) {
                log.debug("mirror of rule {}: no lease: {}", mirror.rule, f.cause().toString());
                end(Result.FAILED);
              } else if (phase != Phase.ACQUIRING) {
                f.getNow().release(false); // ended meanwhile (a timeout)
              } else {
                leased(f.getNow());
              }
            });
  }

  private void leased(UpstreamLease leased) {
    phase = Phase.SENDING;
    lease = leased;
    leased.bind(this);
    HttpObject next;
    while (phase == Phase.SENDING && (next = held.poll()) != null) {
      writesPending++;
      // Ownership passes to the lease; the mirror's writability is not waited for (bounded by
      // maxBodyBytes and the permits).
      leased
          .write(next)
          .addListener(
              (ChannelFuture f) -> {
                writesPending--;
                if (!f.isSuccess()) {
                  failed(f.cause());
                }
              });
    }
    if (phase == Phase.SENDING) {
      leased.read();
    }
  }

  @Override
  public void onResponseObject(HttpObject msg) {
    boolean last = msg instanceof LastHttpContent;
    ReferenceCountUtil.release(msg); // the mirror's response is discarded
    UpstreamLease leased = lease;
    if (phase != Phase.SENDING || leased == null) {
      return;
    }
    if (last) {
      end(Result.SENT);
    } else {
      leased.read();
    }
  }

  @Override
  public void onUpstreamWritabilityChanged(boolean writable) {
    // Fire and forget: the copy was written whole; nothing waits for the mirror.
  }

  @Override
  public void onUpstreamClosed(Throwable cause) {
    failed(cause);
  }

  private void failed(Throwable cause) {
    if (phase != Phase.DONE) {
      log.debug("mirror of rule {} failed: {}", mirror.rule, cause.toString());
      end(Result.FAILED);
    }
  }

  private void timedOut() {
    if (phase != Phase.DONE) {
      log.debug("mirror of rule {}: no response within the rule's timeouts", mirror.rule);
      end(Result.FAILED);
    }
  }

  /**
   * The one ending: what is still held released, the timer cancelled, the lease given back
   * (reusable only after a whole response to a request written whole), the permit returned and the
   * result counted.
   */
  private void end(Result result) {
    if (phase == Phase.DONE) {
      return;
    }
    phase = Phase.DONE;
    HttpObject still;
    while ((still = held.poll()) != null) {
      ReferenceCountUtil.release(still);
    }
    ScheduledFuture<?> timer = timeout;
    if (timer != null) {
      timer.cancel(false);
    }
    UpstreamLease leased = lease;
    if (leased != null) {
      lease = null;
      leased.release(result == Result.SENT && writesPending == 0);
    }
    mirror.permits.release();
    mirror.count(result);
  }
}
