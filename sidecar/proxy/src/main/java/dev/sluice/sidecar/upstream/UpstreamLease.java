package dev.sluice.sidecar.upstream;

import io.netty.channel.Channel;

/**
 * One exchange's use of an upstream: an HTTP/1.1 connection or an HTTP/2 stream channel, whose
 * pipeline ends in an {@link UpstreamExchangeHandler}. Released exactly once.
 */
public interface UpstreamLease {
  /** The channel to write the request's HttpObjects to; it reads the response's. */
  Channel channel();

  /** The handler at the end of {@link #channel()}'s pipeline. */
  UpstreamExchangeHandler handler();

  /** True when the channel speaks HTTP/2 (a stream of a multiplexed connection). */
  boolean http2();

  /**
   * Gives the channel back. {@code reusable}: the exchange completed cleanly in both directions (an
   * HTTP/1.1 connection may then carry the next request); otherwise it is closed (HTTP/1.1) or
   * reset (HTTP/2 stream).
   */
  void release(boolean reusable);
}
