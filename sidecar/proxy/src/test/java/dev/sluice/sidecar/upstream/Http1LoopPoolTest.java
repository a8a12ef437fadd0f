package dev.sluice.sidecar.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.config.HostPort;
import dev.sluice.sidecar.transport.Io;
import dev.sluice.sidecar.transport.Transport;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The HTTP/1.1 pool under request rates: giving a connection back and taking it again must not
 * leave a timer behind each time. (It did: one 30 s idle timer per request, 400,000 queued after 15
 * s at 27k requests/s, and a 64 MiB heap ran out.)
 */
class Http1LoopPoolTest {
  @Test
  void reusingAConnectionTenThousandTimesLeavesOneIdleTimerAtMost() throws Exception {
    EventLoopGroup group = Transport.best().newGroup(1, "pool-test");
    List<Socket> accepted = new CopyOnWriteArrayList<>();
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (!server.isClosed()) {
                    accepted.add(server.accept());
                  }
                } catch (java.io.IOException e) {
                  // closed
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      EventLoop loop = group.next();
      Http1LoopPool pool =
          new Http1LoopPool(
              loop, Io.defaults(), HostPort.parse("127.0.0.1:" + server.getLocalPort()), 4);

      for (int i = 0; i < 10_000; i++) {
        CompletableFuture<Void> cycle = new CompletableFuture<>();
        loop.execute(
            () ->
                pool.acquire(Duration.ofSeconds(5))
                    .addListener(
                        f -> {
                          if (!f.isSuccess()) {
                            cycle.completeExceptionally(f.cause());
                            return;
                          }
                          ((UpstreamLease) f.getNow()).release(true);
                          cycle.complete(null);
                        }));
        cycle.get(5, TimeUnit.SECONDS);
      }

      int scheduled = loop.submit(() -> scheduledTasks(loop)).get(5, TimeUnit.SECONDS);
      assertThat(scheduled).as("timers queued on the loop").isLessThanOrEqualTo(1);
      assertThat(accepted).as("one connection, reused").hasSize(1);
      loop.submit(pool::close).get(5, TimeUnit.SECONDS);
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      for (Socket socket : accepted) {
        socket.close();
      }
    }
  }

  /** The loop's scheduled-task queue, which Netty does not expose. */
  private static int scheduledTasks(EventLoop loop) throws Exception {
    Method queue = AbstractScheduledEventExecutor.class.getDeclaredMethod("scheduledTaskQueue");
    queue.setAccessible(true);
    return ((Collection<?>) queue.invoke(loop)).size();
  }
}
