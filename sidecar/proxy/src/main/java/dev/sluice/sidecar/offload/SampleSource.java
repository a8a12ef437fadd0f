package dev.sluice.sidecar.offload;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.net.InetSocketAddress;

/**
 * What message arguments are fetched from.
 *
 * @param request the request head as the client sent it
 * @param client the client's address (src, src_port), or null
 * @param local the address the client connected to (dst, dst_port), or null
 * @param body the first bytes of the request body, when a message asked for them (else null)
 * @param response the response head (response phase only, else null)
 */
public record SampleSource(
    HttpRequest request,
    InetSocketAddress client,
    InetSocketAddress local,
    byte[] body,
    HttpResponse response) {}
