package dev.sluice.sidecar.forward;

import dev.sluice.sidecar.offload.Offload;
import dev.sluice.sidecar.offload.OffloadPlan;
import dev.sluice.sidecar.offload.PhaseOutcome;
import dev.sluice.sidecar.offload.SampleSource;
import dev.sluice.sidecar.offload.VariableActions;
import dev.sluice.sidecar.offload.Variables;
import dev.sluice.sidecar.routing.RequestTarget;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;

/**
 * An exchange's offload and its rule's variable actions: the request phase (after the first request
 * body bytes its messages ask for), the response phase (the response head held meanwhile), deny
 * decisions, and the headers set from agent variables.
 */
final class ExchangeOffload {
  private final Exchange exchange;
  private final Offload plan;

  /** Agent variables of this request; null until an offload or an action needs them. */
  private @Nullable Variables variables;

  /** Collecting the first request body bytes a request-phase message asked for. */
  private boolean collecting;

  private long collected;

  /** A response head waiting for the response-phase offload (owned here until then). */
  private @Nullable HttpResponse held;

  ExchangeOffload(Exchange exchange, Offload plan) {
    this.exchange = exchange;
    this.plan = plan;
  }

  boolean has(OffloadPlan.Phase phase) {
    return plan.has(phase);
  }

  /**
   * Starts the request phase: at once, or once enough body bytes queued (they are asked for one
   * object at a time). The outcome goes to {@code Exchange.afterRequestPhase}.
   */
  void startRequestPhase() {
    // An extended CONNECT has no body: what follows its head is the tunnel's.
    if (plan.requestBodyBytes() > 0 && !exchange.request().complete() && exchange.connect == null) {
      collecting = true;
      exchange.downstream.readRequest();
      return;
    }
    sendRequestPhase();
  }

  /** A body object of {@code bytes} queued while the request phase waits for body bytes. */
  void queued(int bytes) {
    if (!collecting) {
      return;
    }
    collected += bytes;
    if (collected >= plan.requestBodyBytes() || exchange.request().complete()) {
      sendRequestPhase();
    } else {
      exchange.downstream.readRequest();
    }
  }

  private void sendRequestPhase() {
    collecting = false;
    // A request without a body sends NULL, like an absent sample.
    byte[] body =
        plan.requestBodyBytes() > 0 && !exchange.bodyless && exchange.connect == null
            ? exchange.request().prefix((int) Math.min(plan.requestBodyBytes(), collected))
            : null;
    SampleSource source =
        new SampleSource(
            exchange.head,
            exchange.downstream.remote(),
            exchange.downstream.local(),
            body,
            null,
            exchange.trace.traceId());
    plan.run(OffloadPlan.Phase.REQUEST, exchange.loop, source, target(), variables())
        .addListener(f -> exchange.afterRequestPhase((PhaseOutcome) f.getNow()));
  }

  /**
   * Keeps the response head (reading nothing more from the upstream) while the response-phase
   * offload runs; the outcome goes to {@code Exchange.afterResponsePhase} with the head.
   */
  void holdForResponsePhase(HttpResponse response) {
    held = response;
    SampleSource source =
        new SampleSource(
            exchange.head,
            exchange.downstream.remote(),
            exchange.downstream.local(),
            null,
            response,
            exchange.trace.traceId());
    plan.run(OffloadPlan.Phase.RESPONSE, exchange.loop, source, target(), variables())
        .addListener(f -> exchange.afterResponsePhase((PhaseOutcome) f.getNow(), takeHeld()));
  }

  /** The held response head (ownership passes); null when it was released meanwhile. */
  private @Nullable HttpResponse takeHeld() {
    HttpResponse response = held;
    held = null;
    return response;
  }

  /** Releases a held response head (the exchange ended while the response phase ran). */
  void releaseHeld() {
    ReferenceCountUtil.release(takeHeld());
  }

  /** {@code outcome}, or when it lets the request on, the first of the rule's deny actions. */
  PhaseOutcome withDenyActions(PhaseOutcome outcome) {
    if (!outcome.denied() && !exchange.config.actions().isEmpty()) {
      return VariableActions.deny(exchange.config.actions(), variables());
    }
    return outcome;
  }

  /** Applies the rule's request-header actions to the head sent upstream. */
  void requestHeaders(HttpRequest upstreamHead) {
    if (variables != null) {
      VariableActions.requestHeaders(exchange.config.actions(), variables, upstreamHead);
    }
  }

  /** Applies the rule's response-header actions to the head sent downstream. */
  void responseHeaders(HttpResponse downstreamHead) {
    if (variables != null) {
      VariableActions.responseHeaders(exchange.config.actions(), variables, downstreamHead);
    }
  }

  private Variables variables() {
    if (variables == null) {
      variables = new Variables(exchange.downstream.sessionVariables());
    }
    return variables;
  }

  private RequestTarget target() {
    return RequestTarget.of(exchange.head);
  }
}
