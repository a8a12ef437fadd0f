package dev.sluice.sidecar.downstream;

import dev.sluice.sidecar.forward.DownstreamSide;
import dev.sluice.sidecar.http2.Refusal;
import dev.sluice.spop.SpopValue;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The parts of a {@link DownstreamSide} that come from the client connection and its listener, the
 * same for an HTTP/1.1 connection and for each stream of an HTTP/2 one.
 */
interface ConnectionSide extends DownstreamSide {
  /** The client connection (the socket channel). */
  Channel connectionChannel();

  ListenerContext listenerContext();

  @Override
  default void refused(Refusal refusal, String detail) {
    ClientRefusals.of(connectionChannel(), listenerContext().metrics()).refused(refusal, detail);
  }

  @Override
  default ByteBufAllocator alloc() {
    return connectionChannel().alloc();
  }

  @Override
  default EventLoop eventLoop() {
    return connectionChannel().eventLoop();
  }

  /** The client's address as text, kept on the connection: formatted once, not per request. */
  AttributeKey<String> CLIENT_ADDRESS = AttributeKey.valueOf("sluice.clientAddress");

  @Override
  default @Nullable String clientAddress() {
    Attribute<String> kept = connectionChannel().attr(CLIENT_ADDRESS);
    String address = kept.get();
    if (address == null) {
      InetSocketAddress remote = remote();
      address = remote == null ? null : remote.getAddress().getHostAddress();
      kept.set(address);
    }
    return address;
  }

  @Override
  default @Nullable InetSocketAddress remote() {
    SocketAddress remote = connectionChannel().remoteAddress();
    return remote instanceof InetSocketAddress inet ? inet : null;
  }

  @Override
  default @Nullable InetSocketAddress local() {
    SocketAddress local = connectionChannel().localAddress();
    return local instanceof InetSocketAddress inet ? inet : null;
  }

  @Override
  default Map<String, SpopValue> sessionVariables() {
    return RequestHeads.sessionVariables(connectionChannel());
  }

  @Override
  default boolean stopping() {
    return listenerContext().stopping().getAsBoolean();
  }

  @Override
  default String scheme() {
    return listenerContext().scheme();
  }
}
