package dev.sluice.sidecar.forward;

import dev.sluice.sidecar.config.Route;
import dev.sluice.sidecar.http2.Http2Head;
import dev.sluice.sidecar.metrics.ProxyMetrics;
import dev.sluice.sidecar.offload.OffloadPhase;
import dev.sluice.sidecar.offload.OffloadPlan;
import dev.sluice.sidecar.offload.PhaseOutcome;
import dev.sluice.sidecar.offload.SampleSource;
import dev.sluice.sidecar.offload.VariableActions;
import dev.sluice.sidecar.offload.Variables;
import dev.sluice.sidecar.routing.RequestTarget;
import dev.sluice.sidecar.runtime.BoundRoute;
import dev.sluice.sidecar.timer.Timeout;
import dev.sluice.sidecar.upstream.StreamRefusedException;
import dev.sluice.sidecar.upstream.UpstreamExchange;
import dev.sluice.sidecar.upstream.UpstreamLease;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.ConnectException;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request and its response, relayed between a downstream channel (HTTP/1.1 connection or HTTP/2
 * stream) and an upstream lease. Both sides carry Netty HttpObjects; the HTTP/2 codecs at either
 * end turn a last content into END_STREAM, so a stream ends exactly once: on HEADERS for a bodyless
 * message (sent as a full message), on the DATA frame of the last content, or on trailers.
 *
 * <p>Backpressure: each side reads only when asked. The next request body object is read as soon as
 * the previous one is queued upstream while the upstream is writable (its queued bytes under the
 * high-water mark), and on the writability change otherwise; likewise for the response. Body
 * buffers pass through unchanged (zeroCopy) or are copied (zeroCopy off).
 *
 * <p>Event-loop confined: the downstream channel, the upstream lease and every timer run on the
 * same event loop.
 */
public final class Exchange implements UpstreamExchange {
  private static final Logger log = LoggerFactory.getLogger(Exchange.class);

  /** Refused (never processed) HTTP/2 streams sent again, at most, per exchange. */
  static final int MAX_REFUSALS = 2;

  private final DownstreamSide downstream;
  private final BoundRoute route;
  private final Route config;
  private final HttpRequest head;
  private final ProxyMetrics metrics;
  private final EventLoop loop;
  private final boolean bodyless;
  private final boolean clientKeepAlive;
  private final long started = System.nanoTime();
  private final ArrayDeque<HttpContent> pending = new ArrayDeque<>(3);

  /** One listener for every downstream write of this exchange, not a new one per write. */
  private final ChannelFutureListener downstreamWriteDone =
      f -> {
        if (!f.isSuccess()) {
          log.debug("downstream write failed: {}", f.cause().toString());
          onDownstreamClosed();
        }
      };

  private final OffloadPlan plan;
  private UpstreamLease lease;

  /** Agent variables of this request; null until an offload or an action needs them. */
  private Variables variables;

  /** A response head waiting for the response-phase offload (owned here until then). */
  private HttpResponse heldResponse;

  /** Collecting the first request body bytes a request-phase message asked for. */
  private boolean collectingBody;

  private long bufferedBodyBytes;

  /** The newest write to the downstream channel (the response's end, once complete). */
  private ChannelFuture lastDownstreamWrite;

  /** The request was counted out of its generation (exactly once). */
  private boolean countedOut;

  /** Waiting for a lease (at start, or after a refused stream): request chunks queue. */
  private boolean acquiring = true;

  private boolean requestComplete;
  private boolean responseStarted;
  private boolean responseComplete;
  private boolean done;

  /**
   * True while the chunks that arrived before the upstream was ready are being written: a write
   * that completes at once asks for the next chunk, which then arrives re-entrantly and must queue
   * behind them, not overtake them.
   */
  private boolean draining;

  /**
   * The upstream answered before the request was fully sent. Such an upstream may have stopped
   * reading (413 and 401 often mean "I will not read the rest"), so its connection is not reused.
   */
  private boolean answeredEarly;

  /** HTTP/1.1 upstream said {@code Connection: close} (or is HTTP/1.0 without keep-alive). */
  private boolean upstreamCloses;

  private int status;
  private int refusals;
  private long requestBodyBytes;
  private long lastActivity = System.nanoTime();
  private final Timeout requestTimer = new Timeout(this::onRequestTimeout);
  private final Timeout idleTimer = new Timeout(this::onIdleTimeout);
  private boolean requestTimerArmed;

  public Exchange(
      DownstreamSide downstream, BoundRoute route, HttpRequest head, ProxyMetrics metrics) {
    this.downstream = downstream;
    this.route = route;
    this.config = route.config();
    this.head = head;
    this.metrics = metrics;
    this.loop = downstream.eventLoop();
    this.bodyless = HeaderRules.bodyless(head);
    this.clientKeepAlive = downstream.http2() || HttpUtil.isKeepAlive(head);
    this.requestComplete = bodyless;
    this.plan = route.offload();
  }

  /** True for a request head that carries no body (sent upstream as a full message). */
  public static boolean bodyless(HttpRequest request) {
    return HeaderRules.bodyless(request);
  }

  /** The declared content-length of {@code head}, or -1 (none, or not a number). */
  private static long declaredLength(HttpRequest head) {
    String length = Http2Head.field(head, HttpHeaderNames.CONTENT_LENGTH);
    if (length == null) {
      return -1L;
    }
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return -1L;
    }
  }

  /** {@code Expect: 100-continue} on an HTTP/1.1 (or HTTP/2) request. */
  private static boolean expectsContinue(HttpRequest head) {
    if (Http2Head.unconverted(head) == null) {
      return HttpUtil.is100ContinueExpected(head);
    }
    String expect = Http2Head.field(head, HttpHeaderNames.EXPECT);
    return expect != null && HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect);
  }

  /** Checks limits, answers {@code 100 Continue}, and asks for an upstream. */
  public void start() {
    Long limit = config.maxRequestBodyBytes();
    long declared = limit == null ? -1L : declaredLength(head);
    if (limit != null && declared > limit) {
      respondLocally(
          HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
          "request body of "
              + declared
              + " bytes exceeds maxRequestBodyBytes "
              + limit
              + " of route "
              + route.name());
      return;
    }
    if (!bodyless && expectsContinue(head)) {
      // Answered here: the upstream sees no Expect (hop-by-hop), and the body follows at once.
      downstream.write(
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
    }
    scheduleIdleTimer();
    requestPhase();
  }

  /**
   * Runs the request-phase offload (after reading the body bytes its messages ask for), then the
   * route's deny actions, then asks for an upstream. Without offload steps it goes straight on.
   */
  private void requestPhase() {
    if (!plan.has(OffloadPlan.Phase.REQUEST)) {
      afterRequestPhase(PhaseOutcome.CONTINUE);
      return;
    }
    if (plan.requestBodyBytes() > 0 && !requestComplete) {
      // Body chunks queue in pending (acquiring is true) until enough arrived or the body ended.
      collectingBody = true;
      downstream.readRequest();
      return;
    }
    sendRequestOffload();
  }

  private void sendRequestOffload() {
    collectingBody = false;
    // A request without a body sends NULL, like an absent sample.
    byte[] body =
        plan.requestBodyBytes() > 0 && !bodyless ? bodyPrefix(plan.requestBodyBytes()) : null;
    SampleSource source =
        new SampleSource(head, downstream.remote(), downstream.local(), body, null);
    OffloadPhase.run(plan, OffloadPlan.Phase.REQUEST, loop, source, target(), variables())
        .addListener(f -> afterRequestPhase((PhaseOutcome) f.getNow()));
  }

  private void afterRequestPhase(PhaseOutcome outcome) {
    if (done) {
      return;
    }
    if (!outcome.denied() && !config.actions().isEmpty()) {
      outcome = VariableActions.deny(config.actions(), variables());
    }
    if (outcome.denied()) {
      respondLocally(HttpResponseStatus.valueOf(outcome.denyStatus()), outcome.reason());
      return;
    }
    route
        .upstream()
        .acquire(loop, config.timeouts().connect())
        .addListener((Future<UpstreamLease> f) -> onAcquired(f));
  }

  /** A copy of the first {@code limit} request body bytes queued so far. */
  private byte[] bodyPrefix(long limit) {
    int size = (int) Math.min(limit, bufferedBodyBytes);
    byte[] prefix = new byte[size];
    int at = 0;
    for (HttpContent chunk : pending) {
      ByteBuf bytes = chunk.content();
      int n = Math.min(size - at, bytes.readableBytes());
      bytes.getBytes(bytes.readerIndex(), prefix, at, n);
      at += n;
      if (at == size) {
        break;
      }
    }
    return prefix;
  }

  private Variables variables() {
    if (variables == null) {
      variables = new Variables(downstream.sessionVariables());
    }
    return variables;
  }

  private RequestTarget target() {
    return RequestTarget.of(head);
  }

  private void onAcquired(Future<UpstreamLease> acquired) {
    if (!acquired.isSuccess()) {
      if (!done) {
        metrics.upstreamError(route.name(), "connect");
        respondLocally(
            HttpResponseStatus.SERVICE_UNAVAILABLE,
            "no connection to the upstream of route "
                + route.name()
                + ": "
                + describe(acquired.cause()));
      }
      return;
    }
    UpstreamLease acquiredLease = acquired.getNow();
    if (done) {
      acquiredLease.release(false);
      return;
    }
    lease = acquiredLease;
    acquiring = false;
    lease.bind(this);
    log.debug("{} {} -> {} via {}", head.method(), head.uri(), route.name(), lease);
    HttpRequest upstreamHead =
        HeaderRules.requestForUpstream(
            head,
            bodyless,
            lease.http2(),
            downstream.http2(),
            downstream.clientAddress(),
            downstream.scheme());
    if (variables != null) {
      VariableActions.requestHeaders(config.actions(), variables, upstreamHead);
    }
    // Body reading starts once the head is written: an HTTP/2 stream exists (and has a
    // flow-control window, hence a meaningful writability) only after its HEADERS went out.
    draining = true;
    UpstreamLease writing = lease;
    writing
        .write(upstreamHead)
        .addListener(
            (ChannelFuture f) -> {
              if (writing != lease) {
                return; // a refused stream; the retry owns the exchange now
              }
              if (!f.isSuccess()) {
                onUpstreamClosed(f.cause());
              } else if (!requestComplete && !done && writing.isWritable()) {
                downstream.readRequest();
              }
            });
    HttpContent queued;
    while (!done && (queued = pending.poll()) != null) {
      forwardRequestContent(queued);
    }
    draining = false;
    if (done) {
      return;
    }
    if (requestComplete) {
      scheduleRequestTimer();
    }
    lease.read();
  }

  /** A request body object from downstream (ownership passes here). */
  public void onRequestContent(HttpContent content) {
    if (done || (bodyless && requestComplete)) {
      // A bodyless request was sent as a full message; an empty END_STREAM DATA frame (HTTP/2
      // with content-length 0) adds nothing.
      content.release();
      return;
    }
    if (content.decoderResult().isFailure()) {
      // An unreadable body (bad chunk size, chunk data longer than its size, a bad trailer): the
      // decoder hands an empty last content with the cause. It is never sent on as the end of the
      // body: the upstream would get a different, complete message.
      Throwable cause = content.decoderResult().cause();
      content.release();
      onMalformedRequestBody(cause);
      return;
    }
    touch();
    requestBodyBytes += content.content().readableBytes();
    Long limit = config.maxRequestBodyBytes();
    if (limit != null && requestBodyBytes > limit) {
      content.release();
      if (!responseStarted) {
        // respondLocally marks the exchange done before it releases the upstream, so the
        // failing writes still pending there cannot answer a second time.
        respondLocally(
            HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
            "request body exceeds maxRequestBodyBytes " + limit + " of route " + route.name());
      } else {
        fail("request body over limit after the response started");
      }
      return;
    }
    if (content instanceof LastHttpContent) {
      requestComplete = true;
    }
    if (acquiring || draining) {
      pending.add(content);
      if (collectingBody) {
        bufferedBodyBytes += content.content().readableBytes();
        if (bufferedBodyBytes >= plan.requestBodyBytes() || requestComplete) {
          sendRequestOffload();
        } else {
          downstream.readRequest();
        }
      }
      return;
    }
    forwardRequestContent(content);
    if (requestComplete) {
      scheduleRequestTimer();
    }
  }

  /**
   * The request body could not be read: 400 and close when nothing was answered yet, else the
   * exchange is cut both ways. The upstream is never told the body ended (its connection closes or
   * its stream is reset), so it cannot take what it got for a complete request.
   */
  private void onMalformedRequestBody(Throwable cause) {
    metrics.rejected(HttpResponseStatus.BAD_REQUEST.code());
    String sentence =
        "malformed request body: "
            + describeFraming(cause)
            + " (expected: RFC 9112 chunked framing)";
    if (responseStarted) {
      fail(sentence);
    } else {
      respondLocally(HttpResponseStatus.BAD_REQUEST, sentence);
    }
  }

  private static String describeFraming(Throwable cause) {
    String message = cause == null ? null : cause.getMessage();
    String kind = cause == null ? "unknown" : cause.getClass().getSimpleName();
    return message == null ? kind : kind + ": " + message;
  }

  private void forwardRequestContent(HttpContent content) {
    if (log.isTraceEnabled()) {
      log.trace(
          "request body {} bytes, last {}",
          content.content().readableBytes(),
          content instanceof LastHttpContent);
    }
    HttpContent out = prepareBody(content, "request", lease.alloc());
    UpstreamLease writing = lease;
    writing
        .write(out)
        .addListener(
            (ChannelFuture f) -> {
              if (writing != lease) {
                return;
              }
              if (log.isTraceEnabled()) {
                log.trace(
                    "request body written: {} writable {}", f.isSuccess(), writing.isWritable());
              }
              if (!f.isSuccess()) {
                onUpstreamClosed(f.cause());
              }
            });
    // As for the response: read on while the upstream is writable, not after each flush.
    if (writing == lease && !requestComplete && !done && writing.isWritable()) {
      downstream.readRequest();
    }
  }

  @Override
  public void onUpstreamWritabilityChanged(boolean writable) {
    log.trace("upstream writable {}", writable);
    if (writable && !requestComplete && !done && lease != null) {
      downstream.readRequest();
    }
  }

  /** The downstream channel became writable again: resume reading the response. */
  public void onDownstreamWritable() {
    if (responseStarted && !responseComplete && !done && lease != null) {
      lease.read();
    }
  }

  @Override
  public void onResponseObject(HttpObject msg) {
    if (log.isTraceEnabled()) {
      log.trace("response object {} (done {})", msg.getClass().getSimpleName(), done);
    }
    if (done) {
      ReferenceCountUtil.release(msg);
      return;
    }
    touch();
    if (msg.decoderResult().isFailure()) {
      onMalformedResponse(msg);
      return;
    }
    if (msg instanceof HttpResponse response) {
      if (response.status().codeClass()
          == io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL) {
        // 1xx from upstream (100, 103): not relayed; 100 Continue was answered locally.
        ReferenceCountUtil.release(msg);
        lease.read();
        return;
      }
      requestTimer.cancel();
      if (plan.has(OffloadPlan.Phase.RESPONSE)) {
        holdForResponsePhase(response);
        return;
      }
      startResponse(response);
    } else if (msg instanceof HttpContent content) {
      if (!responseStarted) {
        content.release();
        fail("upstream sent body before a response head");
        return;
      }
      if (content instanceof LastHttpContent) {
        responseComplete = true;
      }
      writeDownstream(prepareBody(content, "response", downstream.alloc()));
    } else {
      ReferenceCountUtil.release(msg);
    }
    if (responseComplete) {
      finish();
    }
  }

  /**
   * The upstream's response could not be read (a bad status line or field, bad chunk framing): 502
   * when nothing was sent downstream yet, else the downstream is cut, never ended as if complete.
   */
  private void onMalformedResponse(HttpObject msg) {
    Throwable cause = msg.decoderResult().cause();
    ReferenceCountUtil.release(msg);
    metrics.upstreamError(route.name(), "malformed");
    String sentence =
        "the upstream of route "
            + route.name()
            + " sent a malformed response: "
            + describeFraming(cause);
    if (responseStarted) {
      fail(sentence);
    } else {
      releaseHeld();
      respondLocally(HttpResponseStatus.BAD_GATEWAY, sentence);
    }
  }

  /**
   * Keeps the response head (reading nothing more from the upstream) while the response-phase
   * offload runs; then either answers locally (a deny) or sends the head on.
   */
  private void holdForResponsePhase(HttpResponse response) {
    heldResponse = response;
    SampleSource source =
        new SampleSource(head, downstream.remote(), downstream.local(), null, response);
    OffloadPhase.run(plan, OffloadPlan.Phase.RESPONSE, loop, source, target(), variables())
        .addListener(f -> afterResponsePhase((PhaseOutcome) f.getNow()));
  }

  private void afterResponsePhase(PhaseOutcome outcome) {
    HttpResponse response = heldResponse;
    heldResponse = null;
    if (done || response == null) {
      ReferenceCountUtil.release(response);
      return;
    }
    if (!outcome.denied() && !config.actions().isEmpty()) {
      outcome = VariableActions.deny(config.actions(), variables());
    }
    if (outcome.denied()) {
      ReferenceCountUtil.release(response);
      respondLocally(HttpResponseStatus.valueOf(outcome.denyStatus()), outcome.reason());
      return;
    }
    startResponse(response);
    if (responseComplete) {
      finish();
    }
  }

  private void releaseHeld() {
    HttpResponse held = heldResponse;
    heldResponse = null;
    ReferenceCountUtil.release(held);
  }

  /** Sends the response head downstream (with the route's response headers applied). */
  private void startResponse(HttpResponse response) {
    responseStarted = true;
    answeredEarly = !requestComplete;
    upstreamCloses = !lease.http2() && !HttpUtil.isKeepAlive(response);
    status = response.status().code();
    // An answer before the request ended closes an HTTP/1.1 connection afterwards: say so.
    boolean keepAlive = clientKeepAlive && requestComplete && !downstream.stopping();
    HttpResponse out =
        HeaderRules.responseForDownstream(
            response, lease.http2(), downstream.http2(), head.method(), keepAlive);
    if (variables != null) {
      VariableActions.responseHeaders(config.actions(), variables, out);
    }
    if (response instanceof LastHttpContent) {
      responseComplete = true;
    }
    writeDownstream(out);
  }

  private void writeDownstream(HttpObject msg) {
    lastDownstreamWrite = downstream.write(msg);
    lastDownstreamWrite.addListener(downstreamWriteDone);
    // The next object is read while the write is still queued: what arrived in one socket read
    // (a head and its body) leaves in one flush. Not writable: onDownstreamWritable resumes.
    if (!responseComplete && !done && downstream.isWritable()) {
      lease.read();
    }
  }

  /**
   * The body object to write with {@code target}'s allocator: the same buffer (zeroCopy), or a copy
   * allocated from it. Ownership of {@code content} passes to the result.
   */
  private HttpContent prepareBody(
      HttpContent content, String direction, io.netty.buffer.ByteBufAllocator target) {
    ByteBuf payload = content.content();
    int bytes = payload.readableBytes();
    if (config.zeroCopy() || bytes == 0) {
      metrics.bodyBytes(direction, false, bytes);
      return content;
    }
    metrics.bodyBytes(direction, true, bytes);
    try {
      ByteBuf copy = target.ioBuffer(bytes).writeBytes(payload, payload.readerIndex(), bytes);
      if (content instanceof LastHttpContent last) {
        return new DefaultLastHttpContent(copy, last.trailingHeaders().copy());
      }
      return new DefaultHttpContent(copy);
    } finally {
      content.release();
    }
  }

  @Override
  public void onUpstreamClosed(Throwable cause) {
    if (done) {
      return;
    }
    if (cause instanceof StreamRefusedException && retryable()) {
      // Never processed upstream and nothing of the body consumed: send it again elsewhere.
      refusals++;
      log.debug(
          "{} {}: {}; retrying on another connection",
          head.method(),
          head.uri(),
          cause.getMessage());
      metrics.upstreamError(route.name(), "refused");
      lease.release(false);
      acquiring = true;
      route
          .upstream()
          .acquire(loop, config.timeouts().connect())
          .addListener((Future<UpstreamLease> f) -> onAcquired(f));
      return;
    }
    metrics.upstreamError(route.name(), "closed");
    if (!responseStarted) {
      respondLocally(
          HttpResponseStatus.BAD_GATEWAY,
          "the upstream of route "
              + route.name()
              + " closed the exchange before responding: "
              + describe(cause));
    } else {
      fail("upstream closed mid-response: " + describe(cause));
    }
  }

  private boolean retryable() {
    return !responseStarted
        && requestBodyBytes == 0
        && pending.isEmpty()
        && refusals < MAX_REFUSALS;
  }

  /** The client went away or reset the stream. */
  public void onDownstreamClosed() {
    if (done) {
      return;
    }
    done = true;
    cancelTimers();
    releasePending();
    releaseHeld();
    metrics.streamEnded("downstream", "closed");
    if (lease != null) {
      lease.release(false);
    }
    countOut(false);
  }

  private void finish() {
    if (done) {
      return; // a re-entrant read may already have delivered and finished the response
    }
    done = true;
    cancelTimers();
    releasePending();
    lease.release(requestComplete && responseComplete && !answeredEarly && !upstreamCloses);
    countOut(true);
    metrics.request(route.name(), status, System.nanoTime() - started);
    metrics.streamEnded("downstream", "complete");
    if (downstream.http2() && !requestComplete && lastDownstreamWrite != null) {
      // The stream is reset (NO_ERROR) to stop the rest of the upload; a reset written now would
      // cancel the response's last DATA frame if it still waits in HTTP/2 flow control. Reset
      // once that frame is out.
      boolean complete = requestComplete;
      lastDownstreamWrite.addListener(f -> downstream.exchangeFinished(complete, clientKeepAlive));
    } else {
      downstream.exchangeFinished(requestComplete, clientKeepAlive);
    }
  }

  private void respondLocally(HttpResponseStatus localStatus, String sentence) {
    if (responseStarted) {
      fail(sentence);
      return;
    }
    done = true;
    status = localStatus.code();
    cancelTimers();
    releasePending();
    releaseHeld();
    if (lease != null) {
      lease.release(false);
    }
    countOut(true);
    log.debug("{} {}: {} {}", head.method(), head.uri(), localStatus.code(), sentence);
    boolean keepAlive = clientKeepAlive && requestComplete && !downstream.stopping();
    downstream
        .write(
            LocalResponses.of(
                downstream.alloc(), localStatus, sentence, !keepAlive && !downstream.http2()))
        .addListener(
            (ChannelFutureListener)
                f -> {
                  metrics.request(route.name(), localStatus.code(), System.nanoTime() - started);
                  downstream.exchangeFinished(requestComplete, keepAlive);
                });
  }

  private void fail(String why) {
    if (done) {
      return;
    }
    log.debug("{} {} aborted: {}", head.method(), head.uri(), why);
    done = true;
    cancelTimers();
    releasePending();
    releaseHeld();
    metrics.streamEnded("downstream", "aborted");
    if (lease != null) {
      lease.release(false);
    }
    countOut(false);
    downstream.abort();
  }

  /** The request no longer uses its generation's resources: let a draining one close. */
  private void countOut(boolean completed) {
    if (!countedOut) {
      countedOut = true;
      route.inFlight().ended(completed);
    }
  }

  private void scheduleRequestTimer() {
    if (requestTimerArmed || done) {
      return;
    }
    requestTimerArmed = true;
    requestTimer.arm(loop, config.timeouts().request().toNanos());
  }

  private void onRequestTimeout() {
    if (!responseStarted && !done) {
      metrics.upstreamError(route.name(), "timeout");
      respondLocally(
          HttpResponseStatus.GATEWAY_TIMEOUT,
          "the upstream of route "
              + route.name()
              + " did not respond within "
              + dev.sluice.sidecar.config.Durations.format(config.timeouts().request()));
    }
  }

  /** Armed for when the idle timeout ends if nothing moves; activity only moves a timestamp. */
  private void scheduleIdleTimer() {
    long due = lastActivity + config.timeouts().idle().toNanos() - System.nanoTime();
    idleTimer.arm(loop, due);
  }

  private void onIdleTimeout() {
    if (done) {
      return;
    }
    if (System.nanoTime() - lastActivity < config.timeouts().idle().toNanos()) {
      scheduleIdleTimer();
      return;
    }
    metrics.upstreamError(route.name(), "idle");
    if (!responseStarted) {
      respondLocally(
          HttpResponseStatus.GATEWAY_TIMEOUT,
          "no body bytes moved for "
              + dev.sluice.sidecar.config.Durations.format(config.timeouts().idle())
              + " (idle timeout of route "
              + route.name()
              + ")");
    } else {
      fail("idle timeout");
    }
  }

  private void touch() {
    lastActivity = System.nanoTime();
  }

  private void cancelTimers() {
    requestTimer.cancel();
    idleTimer.cancel();
  }

  private void releasePending() {
    HttpContent content;
    while ((content = pending.poll()) != null) {
      content.release();
    }
  }

  private static String describe(Throwable cause) {
    if (cause instanceof ConnectException) {
      return cause.getMessage();
    }
    return cause == null ? "unknown" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }
}
