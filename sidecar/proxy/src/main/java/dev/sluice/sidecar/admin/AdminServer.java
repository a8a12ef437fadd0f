package dev.sluice.sidecar.admin;

import static java.util.Objects.requireNonNull;

import dev.sluice.sidecar.config.DownstreamListener;
import dev.sluice.sidecar.config.HostPort;
import dev.sluice.sidecar.config.ServerTls;
import dev.sluice.sidecar.config.SidecarConfig;
import dev.sluice.sidecar.config.SidecarConfigCodec;
import dev.sluice.sidecar.config.SidecarReport;
import dev.sluice.sidecar.metrics.ProxyMetrics;
import dev.sluice.sidecar.runtime.Generation;
import dev.sluice.sidecar.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The admin listener (loopback by default): {@code GET /ready} (200 once a config is loaded),
 * {@code GET /live}, {@code GET /config} (current revision and config as JSON, key material
 * redacted), {@code GET /metrics} (Prometheus). Small requests only: aggregation is fine here, this
 * is not the proxy path.
 */
public final class AdminServer implements AutoCloseable {
  private static final int MAX_ADMIN_REQUEST = 64 * 1024;
  private final Supplier<Generation> generation;
  private final ProxyMetrics metrics;
  private final ReloadControl reloads;
  private @Nullable Channel serverChannel;

  public AdminServer(Supplier<Generation> generation, ProxyMetrics metrics, ReloadControl reloads) {
    this.generation = generation;
    this.metrics = metrics;
    this.reloads = reloads;
  }

  public AdminServer bind(String address, EventLoopGroup group, Transport transport) {
    HostPort hostPort = HostPort.parseBindable(address);
    try {
      serverChannel =
          new ServerBootstrap()
              .group(group)
              .channel(transport.serverChannel())
              .childHandler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      ch.pipeline()
                          .addLast(new HttpServerCodec())
                          .addLast(new HttpObjectAggregator(MAX_ADMIN_REQUEST))
                          .addLast(new Handler());
                    }
                  })
              .bind(new InetSocketAddress(hostPort.host(), hostPort.port()))
              .syncUninterruptibly()
              .channel();
    } catch (Exception e) {
      throw new IllegalStateException(
          "admin.address: cannot listen on " + address + " (" + e.getMessage() + ")", e);
    }
    return this;
  }

  public InetSocketAddress localAddress() {
    return (InetSocketAddress) requireNonNull(serverChannel, "not bound").localAddress();
  }

  /** True for a peer on this host's loopback (the pod itself). */
  static boolean fromThisHost(SocketAddress peer) {
    return peer instanceof InetSocketAddress inet
        && inet.getAddress() != null
        && inet.getAddress().isLoopbackAddress();
  }

  @Override
  public void close() {
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
    }
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      String path = request.uri().split("\\?", 2)[0];
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      if (path.equals("/reload") && HttpMethod.POST.equals(request.method())) {
        reload(ctx, request, keepAlive);
      } else if (path.equals("/reload") && HttpMethod.GET.equals(request.method())) {
        send(ctx, report(ctx, requireNonNull(reloads.lastReport(), "no config yet")), keepAlive);
      } else if (!HttpMethod.GET.equals(request.method())) {
        send(
            ctx,
            text(
                ctx,
                HttpResponseStatus.METHOD_NOT_ALLOWED,
                request.method() + " " + path + " (expected: GET)\n"),
            keepAlive);
      } else {
        send(ctx, get(ctx, path), keepAlive);
      }
    }

    /**
     * {@code POST /reload}, from this host only: in a pod the admin port is reachable from the pod
     * network (the kubelet probes it); changing the config is for the pod itself and the operator's
     * config service. The body is the config, or empty to read the config source again.
     */
    private void reload(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
      if (!fromThisHost(ctx.channel().remoteAddress())) {
        send(
            ctx,
            text(
                ctx,
                HttpResponseStatus.FORBIDDEN,
                "POST /reload is accepted from this host's loopback only (got it from "
                    + ctx.channel().remoteAddress()
                    + ")\n"),
            keepAlive);
        return;
      }
      String body = request.content().toString(StandardCharsets.UTF_8);
      var report =
          body.isBlank()
              ? reloads.reloadFromSource()
              : reloads.reload(() -> SidecarConfigCodec.readYaml(body, "POST /reload"));
      // The answer is sent from the callback; the stage whenComplete returns adds nothing.
      CompletableFuture<SidecarReport> unused =
          report.whenComplete(
              (r, failure) ->
                  ctx.executor()
                      .execute(
                          () ->
                              send(
                                  ctx,
                                  failure != null
                                      ? text(
                                          ctx,
                                          HttpResponseStatus.INTERNAL_SERVER_ERROR,
                                          "reload failed: " + failure + "\n")
                                      : report(ctx, r),
                                  keepAlive)));
    }

    private FullHttpResponse get(ChannelHandlerContext ctx, String path) {
      return switch (path) {
        case "/live" -> text(ctx, HttpResponseStatus.OK, "live\n");
        case "/ready" ->
            generation.get() != null
                ? text(ctx, HttpResponseStatus.OK, "ready " + generation.get().revision() + "\n")
                : text(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "no config loaded yet\n");
        case "/config" -> config(ctx);
        case "/metrics" -> metrics(ctx);
        default ->
            text(
                ctx,
                HttpResponseStatus.NOT_FOUND,
                path + " (expected: /ready, /live, /config, /metrics or /reload)\n");
      };
    }

    private void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
      HttpUtil.setKeepAlive(response, keepAlive);
      var write = ctx.writeAndFlush(response);
      if (!keepAlive) {
        write.addListener(ChannelFutureListener.CLOSE);
      }
    }

    /** 200 with the report when applied, 422 when rejected. */
    private FullHttpResponse report(ChannelHandlerContext ctx, SidecarReport report) {
      HttpResponseStatus status =
          report.outcome() == SidecarReport.Outcome.Applied
              ? HttpResponseStatus.OK
              : HttpResponseStatus.UNPROCESSABLE_ENTITY;
      return body(ctx, status, "application/json", SidecarConfigCodec.toJson(report) + "\n");
    }

    private FullHttpResponse config(ChannelHandlerContext ctx) {
      Generation current = generation.get();
      if (current == null) {
        return text(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "no config loaded yet\n");
      }
      String json =
          "{\"revision\":\""
              + current.revision()
              + "\",\"config\":"
              + SidecarConfigCodec.toJson(redacted(current.config()))
              + ",\"endpoints\":"
              + SidecarConfigCodec.toJson(EndpointsView.of(current))
              + (reloads.ignoredFields().isEmpty()
                  ? ""
                  : ",\"ignoredFields\":" + SidecarConfigCodec.toJson(reloads.ignoredFields()))
              + (reloads.lastRejection() == null
                  ? ""
                  : ",\"lastRejection\":" + SidecarConfigCodec.toJson(reloads.lastRejection()))
              + "}";
      return body(ctx, HttpResponseStatus.OK, "application/json", json);
    }

    private FullHttpResponse metrics(ChannelHandlerContext ctx) {
      return body(
          ctx,
          HttpResponseStatus.OK,
          "text/plain; version=0.0.4; charset=utf-8",
          metrics.registry().scrape());
    }
  }

  /** The config as /config shows it: private keys replaced by a marker. */
  static SidecarConfig redacted(SidecarConfig config) {
    List<DownstreamListener> listeners =
        config.listeners().stream()
            .map(
                l ->
                    l.tls() == null || l.tls().privateKeyPem() == null
                        ? l
                        : new DownstreamListener(
                            l.name(),
                            l.address(),
                            l.protocol(),
                            new ServerTls(
                                l.tls().certificatePem(),
                                "<redacted>",
                                null,
                                null,
                                l.tls().clientValidation()),
                            l.maxHeaderBytes(),
                            l.limits(),
                            l.http2()))
            .toList();
    return new SidecarConfig(
        config.version(),
        config.revision(),
        config.admin(),
        config.drainTimeout(),
        listeners,
        config.rules(),
        config.agents(),
        config.origin());
  }

  private static FullHttpResponse text(
      ChannelHandlerContext ctx, HttpResponseStatus status, String text) {
    return body(ctx, status, "text/plain; charset=utf-8", text);
  }

  private static FullHttpResponse body(
      ChannelHandlerContext ctx, HttpResponseStatus status, String type, String text) {
    ByteBuf content = ctx.alloc().buffer();
    content.writeCharSequence(text, StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
    return response;
  }
}
