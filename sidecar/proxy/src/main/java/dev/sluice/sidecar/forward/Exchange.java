package dev.sluice.sidecar.forward;

import static java.util.Objects.requireNonNull;

import dev.sluice.sidecar.accesslog.AccessLog;
import dev.sluice.sidecar.accesslog.Actor;
import dev.sluice.sidecar.accesslog.Cause;
import dev.sluice.sidecar.accesslog.Stage;
import dev.sluice.sidecar.accesslog.Termination;
import dev.sluice.sidecar.backends.Backend;
import dev.sluice.sidecar.config.RequestMatch;
import dev.sluice.sidecar.config.RouteRule;
import dev.sluice.sidecar.config.UrlRewrite;
import dev.sluice.sidecar.filters.CorsPolicy;
import dev.sluice.sidecar.filters.HeaderEdits;
import dev.sluice.sidecar.http2.HeadFields;
import dev.sluice.sidecar.metrics.ProxyMetrics;
import dev.sluice.sidecar.offload.OffloadPlan;
import dev.sluice.sidecar.offload.PhaseOutcome;
import dev.sluice.sidecar.routing.RuleTable;
import dev.sluice.sidecar.runtime.BoundRule;
import dev.sluice.sidecar.timer.Ticker;
import dev.sluice.sidecar.trace.ExchangeTrace;
import dev.sluice.sidecar.trace.TraceDecision;
import dev.sluice.sidecar.upstream.UpstreamExchange;
import dev.sluice.sidecar.upstream.UpstreamLease;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request and its response, relayed between a downstream side (an HTTP/1.1 connection or an
 * HTTP/2 stream) and an upstream lease, as a state machine: a {@link Phase} that every event moves
 * on, and one ending, {@link #end}, that releases, counts and records exactly once. The request's
 * way up is {@link RequestRelay}, the response's way down {@link ResponseRelay}, the offload and
 * variable actions {@link ExchangeOffload}, refused streams {@link RequestAttempt}, the timeouts
 * {@link ExchangeTimers}.
 *
 * <p>Both sides carry Netty HttpObjects; the HTTP/2 codecs at either end turn a last content into
 * END_STREAM, so a stream ends exactly once: on HEADERS for a bodyless message (sent as a full
 * message), on the DATA frame of the last content, or on trailers. Each side reads only when asked
 * (backpressure both ways). Event-loop confined: the downstream, the lease and every timer run on
 * the same event loop.
 */
public final class Exchange implements UpstreamExchange {
  private static final Logger log = LoggerFactory.getLogger(Exchange.class);

  final DownstreamSide downstream;
  final BoundRule rule;
  final RouteRule config;
  final HttpRequest head;
  final ProxyMetrics metrics;
  final EventLoop loop;
  final boolean bodyless;
  final boolean clientKeepAlive;
  final AccessLog accessLog;
  final ExchangeRecord record;

  /** The backend chosen for this request (the rule's one upstream, or a weighted choice). */
  final Backend backend;

  /** The trace context decided from the head: what the upstream and the agents get. */
  final ExchangeTrace trace;

  /** The upgrade token the request offers and its rule allows (the upstream may accept it). */
  final @Nullable String upgrade;

  /** An HTTP/2 client's extended CONNECT (RFC 8441): its translation; null for other requests. */
  final @Nullable ExtendedConnect connect;

  /** The entry of the rule's {@code matches} that accepted the request. */
  final RequestMatch accepted;

  /** The target sent upstream: the request's, or the rule's rewrite of its path. */
  private final String upstreamUri;

  /** The rule's CORS filter on this request; null when the rule has none. */
  private final CorsPolicy.@Nullable CorsAnswer cors;

  /** The rule's response header modifiers, after the CORS fields this request earns. */
  final HeaderEdits responseEdits;

  /** The tunnel of an accepted extended CONNECT, once open. */
  private @Nullable StreamTunnel streamTunnel;

  private final ExchangeTimers timers;
  private final RequestRelay request;
  private final ResponseRelay response;
  private final ExchangeOffload offload;
  private final RequestAttempt attempt;
  private final ExchangeMirrors mirrors;
  private Phase phase = Phase.ACQUIRING;

  /** {@code accepted}: the entry of the rule's {@code matches} that accepted the request. */
  public Exchange(
      DownstreamSide downstream,
      BoundRule rule,
      RequestMatch accepted,
      HttpRequest head,
      ProxyMetrics metrics) {
    this(downstream, rule, accepted, head, metrics, Ticker.SYSTEM);
  }

  /** An exchange whose rule took the request without a particular match (tests). */
  Exchange(
      DownstreamSide downstream,
      BoundRule rule,
      HttpRequest head,
      ProxyMetrics metrics,
      Ticker ticker) {
    this(downstream, rule, RuleTable.EVERY_REQUEST, head, metrics, ticker);
  }

  Exchange(
      DownstreamSide downstream,
      BoundRule rule,
      RequestMatch accepted,
      HttpRequest head,
      ProxyMetrics metrics,
      Ticker ticker) {
    this.downstream = downstream;
    this.rule = rule;
    this.config = rule.config();
    this.accepted = accepted;
    this.head = head;
    this.upstreamUri = Rewrites.uri(head, config.rewrite(), accepted);
    this.cors = CorsRequests.answer(head, rule.edits().cors());
    this.responseEdits =
        cors == null ? rule.edits().response() : cors.fields().then(rule.edits().response());
    this.metrics = metrics;
    this.loop = downstream.eventLoop();
    this.accessLog = rule.accessLog();
    this.trace =
        TraceDecision.decide(
            HeadFields.getAll(head, HeaderRules.TRACEPARENT),
            rule.tracing(),
            rule.spans().enabled());
    this.record = new ExchangeRecord(this, ticker);
    this.bodyless = RequestFraming.bodyless(head);
    this.clientKeepAlive = downstream.http2() || HttpUtil.isKeepAlive(head);
    this.backend = rule.backends().choose();
    this.upgrade =
        Upgrades.requested(head, config, backend.protocol(), downstream.http2(), bodyless);
    this.connect = ExtendedConnect.of(head);
    this.attempt = new RequestAttempt(this);
    this.request = new RequestRelay(this, bodyless, attempt.replayBody(bodyless));
    this.response = new ResponseRelay(this);
    this.offload = new ExchangeOffload(this, rule.offload());
    this.mirrors = new ExchangeMirrors(this);
    this.timers = new ExchangeTimers(ticker, loop, config.timeouts(), rule.name(), this::timedOut);
  }

  /**
   * Checks the rate limit (before any other work) and the chosen backend, answers a CORS preflight,
   * then answers a rule that redirects without a request phase at once (no {@code 100 Continue}: a
   * client that waits for one sends no body), else checks limits, answers {@code 100 Continue},
   * then the request phase or a lease.
   */
  public void start() {
    // Armed first: the whole exchange counts from the request's arrival, whatever follows.
    timers.armExchange();
    Ending refused = TrafficPolicy.refusal(this);
    if (refused == null && cors != null && cors.preflight()) {
      answer(Ending.preflight(cors.fields(), cors.allowed())); // never forwarded
      return;
    }
    if (refused == null && config.redirect() != null && !offload.has(OffloadPlan.Phase.REQUEST)) {
      afterRequestPhase(PhaseOutcome.CONTINUE); // its deny actions, then the redirect
      return;
    }
    if (refused == null && connect != null) {
      refused = connect.admit(head, config, rule.name());
    }
    refused = refused != null ? refused : request.admit();
    if (refused != null) {
      answer(refused);
      return;
    }
    timers.armIdle();
    if (offload.has(OffloadPlan.Phase.REQUEST)) {
      phase = Phase.OFFLOAD_REQUEST;
      record.offloadRequestStarted();
      offload.startRequestPhase();
    } else {
      afterRequestPhase(PhaseOutcome.CONTINUE);
    }
  }

  /** The request phase's outcome (or none): a deny answers, anything else asks for a lease. */
  void afterRequestPhase(PhaseOutcome outcome) {
    if (phase == Phase.DONE) {
      return;
    }
    record.offloadRequestEnded();
    PhaseOutcome decided = offload.withDenyActions(outcome);
    if (decided.denied()) {
      answer(denied(decided));
      return;
    }
    if (config.redirect() != null) {
      answer(Rewrites.redirect(this, config.redirect()));
      return;
    }
    acquire();
  }

  private void acquire() {
    phase = Phase.ACQUIRING;
    record.acquiring();
    attempt.acquire();
  }

  /** No lease could be had: 503, unless the exchange ended meanwhile. */
  void noLease(Throwable cause) {
    if (phase != Phase.DONE) {
      answer(UpstreamTrouble.noLease(this, cause));
    }
  }

  /** A lease for the exchange (not ended): the request goes upstream. */
  void leased(UpstreamLease lease) {
    phase = Phase.FORWARDING;
    record.leased(lease);
    lease.bind(this);
    log.debug("{} {} -> {} via {}", head.method(), head.uri(), rule.name(), lease);
    Ending refused = connect != null ? connect.refusedBy(lease, rule.name()) : null;
    if (refused != null) {
      answer(refused);
      return;
    }
    timers.armBackendRequest(); // this try's own, from its first byte upstream
    request.start(lease);
  }

  /** A request body object from downstream (ownership passes here). */
  public void onRequestContent(HttpContent content) {
    if (phase == Phase.DONE || (bodyless && request.complete())) {
      // A bodyless request was sent as a full message; an empty END_STREAM DATA frame (HTTP/2
      // with content-length 0) adds nothing.
      content.release();
      return;
    }
    if (streamTunnel != null) {
      streamTunnel.fromClient(content);
      return;
    }
    timers.touch();
    Ending refused = request.onContent(content, phase);
    if (refused != null) {
      answer(refused);
    }
  }

  /** The whole request went upstream: the request timeout starts (once), the try's own. */
  void requestSent() {
    if (phase != Phase.DONE) {
      timers.armRequestOnce();
      attempt.requestSent();
    }
  }

  /** A try had no response head within the retry policy's per-try timeout: again, or a 504. */
  void perTryTimedOut() {
    if (phase != Phase.FORWARDING) {
      return;
    }
    if (!tryAgain(attempt.afterTryTimeout(RequestAttempt.PER_TRY_TIMEOUT, request.replayable()))) {
      answer(
          UpstreamTrouble.timedOut(
              this, RequestAttempt.PER_TRY_TIMEOUT, attempt.perTrySentence(), Actor.UPSTREAM));
    }
  }

  /**
   * Sends the request again as {@code next} says (the failed try's lease given back, a new one
   * asked for now or after the backoff); false when it says the failure is the answer.
   */
  private boolean tryAgain(RequestAttempt.Next next) {
    if (next == RequestAttempt.Next.ANSWER) {
      return false;
    }
    log.debug("{} {} -> {}: trying again ({})", head.method(), head.uri(), rule.name(), next);
    timers.cancelBackendRequest();
    phase = Phase.ACQUIRING;
    record.acquiring();
    attempt.again(next);
    return true;
  }

  @Override
  public void onUpstreamWritabilityChanged(boolean writable) {
    log.trace("upstream writable {}", writable);
    // An extended CONNECT sends its head alone: what the client sends is for the tunnel.
    if (writable
        && !request.complete()
        && phase != Phase.DONE
        && lease() != null
        && connect == null) {
      downstream.readRequest();
    }
  }

  /** What the lease holds unread counts as held for the downstream side it is read for. */
  @Override
  public void onResponseBytesHeld(int delta) {
    downstream.responseBytesHeld(delta);
  }

  /** The downstream side became writable again: resume reading the response. */
  public void onDownstreamWritable() {
    if (streamTunnel != null) {
      streamTunnel.clientWritable();
    } else if (phase == Phase.RESPONDING && !response.complete()) {
      leased().read();
    }
  }

  @Override
  public void onResponseObject(HttpObject msg) {
    if (log.isTraceEnabled()) {
      log.trace("response object {} ({})", msg.getClass().getSimpleName(), phase);
    }
    if (phase == Phase.DONE) {
      ReferenceCountUtil.release(msg);
      return;
    }
    timers.touch();
    if (msg.decoderResult().isFailure()) {
      Throwable cause = msg.decoderResult().cause();
      ReferenceCountUtil.release(msg);
      answer(UpstreamTrouble.malformed(this, cause));
      return;
    }
    if (msg instanceof HttpResponse head) {
      if (response.skipsInformational(head)) {
        return;
      }
      leased().responded(head.status().code()); // outlier detection: 502/503/504 fail
      attempt.responded();
      if (tryAgain(attempt.afterStatus(head.status().code(), request.replayable()))) {
        ReferenceCountUtil.release(head);
        return;
      }
      request.noMoreTries();
      timers.cancelRequest();
      Ending refused = connect != null ? connect.check(head, rule.name()) : null;
      if (refused != null) {
        ReferenceCountUtil.release(head);
        answer(refused);
        return;
      }
      if (offload.has(OffloadPlan.Phase.RESPONSE)) {
        phase = Phase.OFFLOAD_RESPONSE;
        record.offloadResponseStarted();
        offload.holdForResponsePhase(head);
        return;
      }
      startResponse(head);
    } else if (msg instanceof HttpContent content) {
      if (!phase.responseStarted()) {
        content.release();
        abort(
            "upstream sent body before a response head",
            Termination.of(Actor.UPSTREAM, Stage.HEADERS, Cause.MALFORMED, "body before head"));
        return;
      }
      response.content(content);
    } else {
      ReferenceCountUtil.release(msg);
    }
    endIfResponded();
  }

  /**
   * Ends the exchange once the response's last object went downstream, unless it ended already (a
   * read the write asked for may have delivered and finished the response re-entrantly).
   */
  private void endIfResponded() {
    if (response.complete() && phase != Phase.DONE) {
      if (response.switched()) {
        openTunnel();
      } else {
        end(Ending.COMPLETED);
      }
    }
  }

  /**
   * The 101 went downstream: both connections leave HTTP and become a tunnel, which the exchange
   * stays in (counted in flight, so a drain waits for it until its deadline) until it ends.
   */
  private void openTunnel() {
    phase = Phase.TUNNEL;
    timers.cancel();
    Runnable onEnded =
        () -> {
          if (phase == Phase.TUNNEL) {
            end(Ending.TUNNELED);
          }
        };
    boolean opened;
    if (connect != null) {
      streamTunnel = ExtendedConnect.tunnel(this, onEnded);
      opened = streamTunnel != null;
      if (streamTunnel != null) {
        streamTunnel.start();
      }
    } else {
      opened = Upgrades.tunnel(this, onEnded);
    }
    if (!opened) {
      end(
          Ending.aborted(
              "the connections of an accepted upgrade cannot carry a tunnel",
              Termination.of(Actor.PROXY, Stage.TUNNEL, Cause.ABORTED, "no tunnel")));
    }
  }

  /** The response phase's outcome for the held {@code head} (ownership passes; may be null). */
  void afterResponsePhase(PhaseOutcome outcome, @Nullable HttpResponse head) {
    if (phase == Phase.DONE || head == null) {
      ReferenceCountUtil.release(head);
      return;
    }
    record.offloadResponseEnded();
    PhaseOutcome decided = offload.withDenyActions(outcome);
    if (decided.denied()) {
      ReferenceCountUtil.release(head);
      answer(denied(decided));
      return;
    }
    startResponse(head);
    endIfResponded();
  }

  private void startResponse(HttpResponse head) {
    phase = Phase.RESPONDING;
    response.start(head, request.complete());
  }

  @Override
  public void onUpstreamClosed(Throwable cause) {
    if (phase == Phase.DONE) {
      return;
    }
    UpstreamLease closed = lease();
    if (closed != null) {
      closed.upstreamClosed(cause); // outlier detection: a failure unless a head came first
    }
    if (tryAgain(attempt.afterClose(cause, phase, request.replayable()))) {
      return; // refused unprocessed, or a reset the retry policy covers: sent again elsewhere
    }
    answer(UpstreamTrouble.closed(this, cause, phase.responseStarted()));
  }

  /** The client went away (or its stream closed with the connection). */
  public void onDownstreamClosed() {
    if (streamTunnel != null) {
      streamTunnel.clientClosed();
    } else if (phase != Phase.DONE) {
      end(Ending.DOWNSTREAM_CLOSED);
    }
  }

  /** The client reset the stream (RST_STREAM with {@code errorCode}). */
  public void onDownstreamReset(long errorCode) {
    if (streamTunnel != null) {
      streamTunnel.clientClosed();
    } else if (phase != Phase.DONE) {
      end(Ending.downstreamReset(errorCode));
    }
  }

  /**
   * Ends with a local answer ({@link Ending#answered}); once the response has started there is no
   * answering any more, and the exchange is cut instead. Another ending is taken as it is.
   */
  private void answer(Ending answer) {
    if (phase == Phase.DONE) {
      return;
    }
    boolean late = answer.kind() == Ending.Kind.ANSWERED && phase.responseStarted();
    end(late ? answer.cut() : answer);
  }

  private static Ending denied(PhaseOutcome decided) {
    return Ending.answered(
        HttpResponseStatus.valueOf(decided.denyStatus()),
        decided.reason(),
        Termination.of(
            Actor.AGENT, Stage.OFFLOAD, Cause.DENIED, Integer.toString(decided.denyStatus())));
  }

  private void abort(String why, Termination termination) {
    if (phase != Phase.DONE) {
      end(Ending.aborted(why, termination));
    }
  }

  /**
   * The one way an exchange ends: timers cancelled, queued body and held head released, the lease
   * given back (reusable only after a clean completion), the request counted out of its generation,
   * then what the downstream is told and what is recorded.
   */
  private void end(Ending why) {
    Phase ended = phase;
    phase = Phase.DONE;
    timers.cancel();
    request.releasePending();
    offload.releaseHeld();
    mirrors.ended();
    attempt.release(why.kind() == Ending.Kind.COMPLETED && response.reusable(request.complete()));
    rule.inFlight().ended(why.kind().completed);
    if (why.kind().streamEnded != null) {
      metrics.streamEnded("downstream", why.kind().streamEnded);
    }
    response.ended(why, ended, request.complete(), timers);
    Termination termination = why.termination();
    if (termination.failed() && termination.stage() == Stage.NONE) {
      termination = termination.at(stage(ended));
    }
    record.ended(termination, request.bodyBytes(), attempt.retries());
  }

  /** Where an exchange that ended in {@code ended} was, as the access log says it. */
  private Stage stage(Phase ended) {
    return switch (ended) {
      case OFFLOAD_REQUEST, OFFLOAD_RESPONSE -> Stage.OFFLOAD;
      case ACQUIRING -> Stage.CONNECT;
      case FORWARDING -> request.complete() ? Stage.HEADERS : Stage.REQUEST;
      case RESPONDING -> Stage.DATA;
      case TUNNEL -> Stage.TUNNEL;
      case DONE -> Stage.NONE;
    };
  }

  /** Who a timeout ran out waiting for, by where the exchange is. */
  private Actor waitingFor() {
    return switch (phase) {
      case OFFLOAD_REQUEST, OFFLOAD_RESPONSE -> Actor.AGENT;
      case FORWARDING -> request.complete() ? Actor.UPSTREAM : Actor.CLIENT;
      case RESPONDING -> downstream.isWritable() ? Actor.UPSTREAM : Actor.CLIENT;
      default -> Actor.UPSTREAM;
    };
  }

  /**
   * A timeout of {@link ExchangeTimers} ran out ({@code kind}, one of its constants): a 504 saying
   * so, or the exchange cut when the response has started. The request timeout no longer applies
   * once it has, and none applies to a tunnel. A try that ran out of its backend-request timeout
   * before its response head is tried again when the retry policy allows, as a per-try timeout is.
   */
  void timedOut(String kind, String sentence) {
    if (phase == Phase.DONE
        || phase == Phase.TUNNEL
        || (kind.equals(ExchangeTimers.REQUEST) && phase.responseStarted())) {
      return;
    }
    if (kind.equals(ExchangeTimers.BACKEND_REQUEST)
        && phase == Phase.FORWARDING
        && tryAgain(attempt.afterTryTimeout(kind, request.replayable()))) {
      return;
    }
    answer(UpstreamTrouble.timedOut(this, kind, sentence, waitingFor()));
  }

  @Nullable UpstreamLease lease() {
    return attempt.lease();
  }

  /** The target sent upstream: the request's, or rewritten by the rule. */
  String upstreamUri() {
    return upstreamUri;
  }

  /**
   * The request's head as sent on an upstream hop of {@code http2}: the hop's header rules, the
   * rule's header modifiers and rewrite (the agents' header actions are the caller's).
   */
  HttpRequest headForUpstream(boolean http2, boolean bodyless) {
    return HeaderRules.requestForUpstream(
        head,
        bodyless,
        http2,
        downstream.http2(),
        downstream.clientAddress(),
        downstream.scheme(),
        trace,
        upstreamUri,
        upstreamHost(),
        rule.edits().request());
  }

  /** The host sent upstream instead of the request's; null: the request's. */
  @Nullable String upstreamHost() {
    UrlRewrite rewrite = config.rewrite();
    return rewrite == null ? null : rewrite.hostname();
  }

  /** The lease, where there must be one: forwarding the request, or relaying its response. */
  UpstreamLease leased() {
    return requireNonNull(attempt.lease(), "no upstream lease");
  }

  boolean done() {
    return phase == Phase.DONE;
  }

  RequestRelay request() {
    return request;
  }

  ExchangeOffload offload() {
    return offload;
  }

  ExchangeMirrors mirrors() {
    return mirrors;
  }
}
