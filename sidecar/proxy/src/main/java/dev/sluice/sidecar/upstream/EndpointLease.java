package dev.sluice.sidecar.upstream;

import dev.sluice.sidecar.endpoints.OutlierDetector;
import dev.sluice.sidecar.endpoints.UpstreamEndpoint;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpObject;
import org.jspecify.annotations.Nullable;

/**
 * A lease on one endpoint's connection or stream, counted in that endpoint's requests in flight
 * until it is released (what the least-request balancer and {@code /config} see), and reporting the
 * exchange's outcome on that endpoint, once, to outlier detection.
 */
final class EndpointLease implements UpstreamLease {
  private final UpstreamLease lease;
  private final UpstreamEndpoint endpoint;
  private final OutlierDetector outliers;
  private boolean released;
  private boolean outcomeReported;

  /** {@code endpoint}'s count was raised for this lease when it was picked. */
  EndpointLease(UpstreamLease lease, UpstreamEndpoint endpoint, OutlierDetector outliers) {
    this.lease = lease;
    this.endpoint = endpoint;
    this.outliers = outliers;
  }

  UpstreamEndpoint upstreamEndpoint() {
    return endpoint;
  }

  @Override
  public String endpoint() {
    return endpoint.address();
  }

  @Override
  public boolean endpointEjected() {
    return outliers.ejectionLeft(endpoint) != null;
  }

  @Override
  public ChannelFuture write(HttpObject msg) {
    return lease.write(msg);
  }

  @Override
  public boolean isWritable() {
    return lease.isWritable();
  }

  @Override
  public void read() {
    lease.read();
  }

  @Override
  public void readAhead(int downstreamWindow) {
    lease.readAhead(downstreamWindow);
  }

  @Override
  public void responded(int status) {
    if (!outcomeReported) {
      outcomeReported = true;
      outliers.responded(endpoint, status);
    }
  }

  @Override
  public void upstreamClosed(Throwable cause) {
    if (!outcomeReported && !(cause instanceof StreamRefusedException)) {
      outcomeReported = true;
      outliers.failed(endpoint);
    }
  }

  @Override
  public void bind(@Nullable UpstreamExchange exchange) {
    lease.bind(exchange);
  }

  @Override
  public ByteBufAllocator alloc() {
    return lease.alloc();
  }

  @Override
  public boolean http2() {
    return lease.http2();
  }

  @Override
  public void release(boolean reusable) {
    if (!released) {
      released = true;
      endpoint.ended();
    }
    lease.release(reusable);
  }

  @Override
  public @Nullable Channel takeForTunnel() {
    return lease.takeForTunnel();
  }

  @Override
  public boolean acceptsExtendedConnect() {
    return lease.acceptsExtendedConnect();
  }

  @Override
  public void tunneled() {
    lease.tunneled();
  }

  @Override
  public String toString() {
    return lease + " (" + endpoint + ")";
  }
}
