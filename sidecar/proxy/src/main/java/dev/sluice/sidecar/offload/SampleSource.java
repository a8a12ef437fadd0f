package dev.sluice.sidecar.offload;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * What message arguments are fetched from.
 *
 * @param request the request head as the client sent it
 * @param client the client's address (src, src_port); null when not IP
 * @param local the address the client connected to (dst, dst_port); null when not IP
 * @param body the first bytes of the request body, when a message asked for them
 * @param response the response head (response phase only)
 * @param traceId the exchange's W3C trace id (32 hex digits); null when it has no trace context
 */
// The body is handed over once per event and never compared: no copy, no content equality.
@SuppressWarnings("ArrayRecordComponent")
public record SampleSource(
    HttpRequest request,
    @Nullable InetSocketAddress client,
    @Nullable InetSocketAddress local,
    byte @Nullable [] body,
    @Nullable HttpResponse response,
    @Nullable String traceId) {}
