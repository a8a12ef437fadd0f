package dev.sluice.sandbox;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The pod of examples/canary's Deployment {@value #SERVICE}, standing in for its nginx: one replica
 * answering {@code storefront-canary: hello, <path>}, so a client tells the canary from the current
 * release ({@code storefront: hello, ...}) by the greeting, as with the example's images.
 */
final class StorefrontCanary implements AutoCloseable {
  static final String SERVICE = "storefront-canary";
  static final int PORT = 8080;

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final StorefrontReplica replica;

  StorefrontCanary(String ip) throws InterruptedException {
    try {
      replica =
          new StorefrontReplica(
              SERVICE, SERVICE + "-backend-1", new InetSocketAddress(ip, PORT), group);
    } catch (RuntimeException | InterruptedException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      throw e;
    }
  }

  /** Requests the canary answered. */
  long answered() {
    return replica.answered();
  }

  @Override
  public void close() {
    replica.kill().orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
