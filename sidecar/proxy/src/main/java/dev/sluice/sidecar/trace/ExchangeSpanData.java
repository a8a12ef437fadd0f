package dev.sluice.sidecar.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.InstrumentationLibraryInfo;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.util.List;

/**
 * An {@link ExchangeSpan} as the OpenTelemetry SDK's exporters take it: a finished SERVER span with
 * the HTTP semantic conventions' attributes (http.request.method, url.path, url.scheme,
 * server.address, http.response.status_code, network.protocol.version, client.address) and Sluice's
 * own (sluice.listener, sluice.rule, sluice.upstream, sluice.termination, sluice.cause). Built on
 * the exporter's thread. The span is named {@code <method> <rule>}: low in cardinality, as span
 * names must be.
 */
final class ExchangeSpanData implements SpanData {
  static final InstrumentationScopeInfo SCOPE =
      InstrumentationScopeInfo.builder("dev.sluice.sidecar").build();

  private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  private static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
  private static final AttributeKey<String> SCHEME = AttributeKey.stringKey("url.scheme");
  private static final AttributeKey<String> SERVER = AttributeKey.stringKey("server.address");
  private static final AttributeKey<Long> STATUS =
      AttributeKey.longKey("http.response.status_code");
  private static final AttributeKey<String> VERSION =
      AttributeKey.stringKey("network.protocol.version");
  private static final AttributeKey<String> CLIENT = AttributeKey.stringKey("client.address");
  private static final AttributeKey<String> LISTENER = AttributeKey.stringKey("sluice.listener");
  private static final AttributeKey<String> RULE = AttributeKey.stringKey("sluice.rule");
  private static final AttributeKey<String> UPSTREAM = AttributeKey.stringKey("sluice.upstream");
  private static final AttributeKey<String> TERMINATION =
      AttributeKey.stringKey("sluice.termination");
  private static final AttributeKey<String> CAUSE = AttributeKey.stringKey("sluice.cause");

  private final ExchangeSpan span;
  private final Resource resource;
  private final Attributes attributes;

  ExchangeSpanData(ExchangeSpan span, Resource resource) {
    this.span = span;
    this.resource = resource;
    AttributesBuilder builder =
        Attributes.builder()
            .put(METHOD, span.method())
            .put(PATH, span.path())
            .put(SCHEME, span.scheme())
            .put(SERVER, span.authority())
            .put(VERSION, span.protocolVersion())
            .put(LISTENER, span.listener())
            .put(RULE, span.rule())
            .put(TERMINATION, span.termination())
            .put(CAUSE, span.cause());
    if (span.status() > 0) {
      builder.put(STATUS, (long) span.status());
    }
    if (span.clientAddress() != null) {
      builder.put(CLIENT, span.clientAddress());
    }
    if (span.upstream() != null) {
      builder.put(UPSTREAM, span.upstream());
    }
    this.attributes = builder.build();
  }

  @Override
  public String getName() {
    return span.method() + " " + span.rule();
  }

  @Override
  public SpanKind getKind() {
    return SpanKind.SERVER;
  }

  @Override
  public SpanContext getSpanContext() {
    return context(span.context(), false);
  }

  @Override
  public SpanContext getParentSpanContext() {
    TraceParent caller = span.caller();
    return caller == null ? SpanContext.getInvalid() : context(caller, true);
  }

  private static SpanContext context(TraceParent parent, boolean remote) {
    TraceFlags flags = parent.sampled() ? TraceFlags.getSampled() : TraceFlags.getDefault();
    return remote
        ? SpanContext.createFromRemoteParent(
            parent.traceId(), parent.parentIdHex(), flags, TraceState.getDefault())
        : SpanContext.create(
            parent.traceId(), parent.parentIdHex(), flags, TraceState.getDefault());
  }

  @Override
  public StatusData getStatus() {
    // HTTP semantic conventions: a server span is an error for 5xx (and here: any failed ending)
    return span.failed() ? StatusData.error() : StatusData.unset();
  }

  @Override
  public long getStartEpochNanos() {
    return span.startEpochNanos();
  }

  @Override
  public Attributes getAttributes() {
    return attributes;
  }

  @Override
  public List<EventData> getEvents() {
    return List.of();
  }

  @Override
  public List<LinkData> getLinks() {
    return List.of();
  }

  @Override
  public long getEndEpochNanos() {
    return span.endEpochNanos();
  }

  @Override
  public boolean hasEnded() {
    return true;
  }

  @Override
  public int getTotalRecordedEvents() {
    return 0;
  }

  @Override
  public int getTotalRecordedLinks() {
    return 0;
  }

  @Override
  public int getTotalAttributeCount() {
    return attributes.size();
  }

  @Override
  @Deprecated
  public InstrumentationLibraryInfo getInstrumentationLibraryInfo() {
    return InstrumentationLibraryInfo.create(SCOPE.getName(), null);
  }

  @Override
  public InstrumentationScopeInfo getInstrumentationScopeInfo() {
    return SCOPE;
  }

  @Override
  public Resource getResource() {
    return resource;
  }
}
