package dev.sluice.sidecar.testing;

import dev.sluice.spop.Frame;
import dev.sluice.spop.Hellos;
import dev.sluice.spop.SpopStreams;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deliberately misbehaving SPOE agent on plain blocking sockets: each accepted connection runs
 * the test's script (answer late, never, with unknown ids, disconnect mid-request...). Health-check
 * HELLOs are answered and closed before the script sees the connection, like a real agent.
 */
public final class ScriptedAgent implements AutoCloseable {
  /** What to do with one (non health-check) connection; the HELLO is already read. */
  public interface Script {
    void run(Peer peer, Frame.HaproxyHello hello) throws IOException, InterruptedException;
  }

  /** One connection, frame by frame. */
  public static final class Peer {
    private final DataInputStream in;
    private final OutputStream out;
    private final Socket socket;

    Peer(Socket socket) throws IOException {
      this.socket = socket;
      this.in = new DataInputStream(socket.getInputStream());
      this.out = socket.getOutputStream();
    }

    public Frame read() throws IOException {
      return SpopStreams.read(in, 1 << 20);
    }

    public synchronized void send(Frame frame) throws IOException {
      SpopStreams.write(out, frame);
    }

    public synchronized void sendRaw(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
    }

    /** The usual answer: version 2.0, the offered frame size, pipelining. */
    public void helloBack(int maxFrameSize) throws IOException {
      send(Hellos.agent(maxFrameSize, Set.of(Hellos.PIPELINING)));
    }

    public void close() throws IOException {
      socket.close();
    }

    /** Reads until the client closes; returns how many frames came. */
    public int drain() {
      int frames = 0;
      try {
        while (true) {
          read();
          frames++;
        }
      } catch (IOException closed) {
        return frames;
      }
    }
  }

  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger healthChecks = new AtomicInteger();

  public ScriptedAgent(Script script) throws IOException {
    server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    threads.execute(
        () -> {
          while (!server.isClosed()) {
            try {
              Socket socket = server.accept();
              threads.execute(() -> serve(socket, script));
            } catch (IOException closed) {
              return;
            }
          }
        });
  }

  private void serve(Socket socket, Script script) {
    try (socket) {
      Peer peer = new Peer(socket);
      Frame first = peer.read();
      if (first instanceof Frame.HaproxyHello hello && hello.items().get("healthcheck") != null) {
        healthChecks.incrementAndGet();
        peer.send(Hellos.agent(16380, Set.of()));
        return;
      }
      connections.incrementAndGet();
      script.run(peer, (Frame.HaproxyHello) first);
    } catch (IOException | InterruptedException | RuntimeException ignored) {
      // the script ends the connection however it likes
    }
  }

  public String address() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  /** Regular (non health-check) connections accepted so far. */
  public int connections() {
    return connections.get();
  }

  public int healthChecks() {
    return healthChecks.get();
  }

  @Override
  public void close() throws IOException {
    server.close();
    threads.shutdownNow();
  }
}
