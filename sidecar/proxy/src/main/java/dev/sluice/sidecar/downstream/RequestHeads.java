package dev.sluice.sidecar.downstream;

import dev.sluice.sidecar.accesslog.Actor;
import dev.sluice.sidecar.accesslog.Cause;
import dev.sluice.sidecar.accesslog.Stage;
import dev.sluice.sidecar.accesslog.Termination;
import dev.sluice.sidecar.forward.Exchange;
import dev.sluice.sidecar.forward.RequestFraming;
import dev.sluice.sidecar.http2.HeadFields;
import dev.sluice.sidecar.http2.Refusal;
import dev.sluice.sidecar.routing.RequestTarget;
import dev.sluice.sidecar.routing.RuleTable;
import dev.sluice.sidecar.runtime.BoundRule;
import dev.sluice.sidecar.runtime.Generation;
import dev.sluice.spop.SpopValue;
import io.netty.channel.Channel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a request head becomes, on HTTP/1.1 connections and HTTP/2 streams alike: an exchange on the
 * rule the current generation picks, or a local answer (malformed head, no rule).
 */
final class RequestHeads {
  /** A connection's {@code sess.*} agent variables; event-loop confined like the connection. */
  private static final AttributeKey<Map<String, SpopValue>> SESSION_VARIABLES =
      AttributeKey.valueOf("sluice.sessionVariables");

  /** How a side answers locally. {@code bodyPending}: the request's body is still arriving. */
  interface LocalAnswer {
    void respond(HttpResponseStatus status, String sentence, boolean close, boolean bodyPending);
  }

  /**
   * The rule of the current generation that takes {@code request}, counted in; null when none does.
   * A generation can close (drained) between reading it and counting the request in: then the
   * current one is newer, so read again. Bounded: each retry sees a newer generation.
   */
  private static RuleTable.@Nullable Routed<BoundRule> route(
      ListenerContext listener, RequestTarget target, HttpRequest request) {
    for (int attempt = 0; attempt < 8; attempt++) {
      Generation generation = listener.generation().get();
      RuleTable.Routed<BoundRule> routed =
          generation == null ? null : generation.rule(listener.config().name(), target, request);
      if (routed == null || routed.rule().inFlight().tryStart()) {
        return routed;
      }
    }
    return null;
  }

  /** Starts the exchange of {@code request}, or answers it locally (then returns null). */
  static @Nullable Exchange start(
      ListenerContext listener, ConnectionSide side, HttpRequest request, LocalAnswer answer) {
    String problem = malformed(request);
    if (problem == null && !side.http2()) {
      problem = RequestAuthority.reconcile(request);
    }
    if (problem != null) {
      HttpResponseStatus status = statusFor(request.decoderResult().cause());
      listener.metrics().rejected(status.code());
      side.refused(refusalFor(status), problem);
      // A head the decoder could not read leaves it discarding the connection's input, and any
      // other refused head may still have a body arriving: both are read and discarded for a while
      // before the close, or unread bytes would make the kernel reset the connection and lose the
      // answer (a client whose head is too large would see a reset, not 431).
      boolean bodyPending =
          request.decoderResult().isFailure()
              || !(request instanceof LastHttpContent || RequestFraming.bodyless(request));
      LocalAnswerLog.log(
          listener,
          side,
          request,
          status,
          problem,
          status.equals(HttpResponseStatus.BAD_REQUEST)
              ? Termination.of(Actor.CLIENT, Stage.REQUEST, Cause.MALFORMED)
              : Termination.of(Actor.PROXY, Stage.REQUEST, Cause.LIMIT, refusalFor(status).name()));
      answer.respond(status, problem, true, bodyPending);
      return null;
    }
    // Before anything reads the head: a client never sets the identity header itself.
    ForwardedIdentity.apply(side.connectionChannel(), request);
    RequestTarget target = RequestTarget.of(request);
    RuleTable.Routed<BoundRule> routed = route(listener, target, request);
    if (routed == null) {
      HttpResponseStatus status =
          target.connect() ? HttpResponseStatus.METHOD_NOT_ALLOWED : HttpResponseStatus.NOT_FOUND;
      listener.metrics().rejected(status.code());
      boolean complete = request instanceof LastHttpContent || RequestFraming.bodyless(request);
      String sentence = noRule(listener.config().name(), target);
      LocalAnswerLog.log(
          listener,
          side,
          request,
          status,
          sentence,
          Termination.of(Actor.PROXY, Stage.REQUEST, Cause.LOCAL, "no rule"));
      answer.respond(
          status,
          sentence,
          !complete || !(side.http2() || HttpUtil.isKeepAlive(request)),
          !complete);
      return null;
    }
    Exchange exchange =
        new Exchange(side, routed.rule(), routed.match(), request, listener.metrics());
    exchange.start();
    return exchange;
  }

  /**
   * A body object of the request: to the exchange in progress, or released when there is none (a
   * body left over after a local answer, or the empty end of a bodyless request), and then the next
   * object asked for with {@code readMore}.
   */
  static void content(@Nullable Exchange current, HttpContent content, Runnable readMore) {
    if (current != null) {
      current.onRequestContent(content);
    } else {
      content.release();
      readMore.run();
    }
  }

  /** The {@code sess.*} variables of a client connection. */
  static Map<String, SpopValue> sessionVariables(Channel connection) {
    Attribute<Map<String, SpopValue>> attribute = connection.attr(SESSION_VARIABLES);
    Map<String, SpopValue> variables = attribute.get();
    if (variables == null) {
      variables = new HashMap<>();
      attribute.set(variables);
    }
    return variables;
  }

  /** Why no rule took the request, as the client reads it. */
  private static String noRule(String listener, RequestTarget target) {
    if (target.connect() || target.asterisk()) {
      return (target.connect() ? "CONNECT " + target.path() : target.method() + " *")
          + " is not served on listener "
          + listener
          + " (expected: a rule that lists "
          + target.method()
          + " in matches[].methods; a catch-all rule does not take it)";
    }
    return "no rule of listener "
        + listener
        + " matches host \""
        + target.host()
        + "\" path \""
        + target.path()
        + "\" method "
        + target.method();
  }

  /** Null when the head is acceptable, else the sentence for the 4xx answer. */
  private static @Nullable String malformed(HttpRequest request) {
    DecoderResult result = request.decoderResult();
    if (result.isFailure()) {
      Throwable cause = result.cause();
      if (cause instanceof TooLongHttpHeaderException) {
        return "request headers exceed the listener's maxHeaderBytes";
      }
      if (cause instanceof TooLongHttpLineException) {
        return "request line too long";
      }
      return "malformed request: " + cause.getMessage();
    }
    // HTTP/2: the HPACK decoder refused transfer-encoding (RFC 9113 8.2.2); the view gives at
    // most the chunked a body without content-length is marked with.
    List<String> encodings = HeadFields.getAll(request, HttpHeaderNames.TRANSFER_ENCODING);
    if (!encodings.isEmpty()
        && !(encodings.size() == 1 && encodings.get(0).trim().equalsIgnoreCase("chunked"))) {
      return "Transfer-Encoding " + encodings + " (expected: chunked only)";
    }
    return null;
  }

  private static HttpResponseStatus statusFor(@Nullable Throwable cause) {
    if (cause instanceof TooLongHttpHeaderException) {
      return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
    }
    if (cause instanceof TooLongHttpLineException || cause instanceof TooLongFrameException) {
      return HttpResponseStatus.REQUEST_URI_TOO_LONG;
    }
    return HttpResponseStatus.BAD_REQUEST;
  }

  private static Refusal refusalFor(HttpResponseStatus status) {
    if (status.equals(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)) {
      return Refusal.HEADER_LIST_TOO_LARGE;
    }
    if (status.equals(HttpResponseStatus.REQUEST_URI_TOO_LONG)) {
      return Refusal.REQUEST_LINE_TOO_LONG;
    }
    return Refusal.MALFORMED_REQUEST;
  }

  private RequestHeads() {}
}
