package dev.sluice.agent;

import dev.sluice.spop.Frame;
import dev.sluice.spop.SpopStreams;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/** A plain-socket SPOP peer for tests: writes frames or raw bytes, reads frames, sees EOF. */
final class BlockingSpopClient implements AutoCloseable {
  private final Socket socket = new Socket();
  private final DataInputStream in;
  private final OutputStream out;

  BlockingSpopClient(InetSocketAddress agent) throws IOException {
    socket.connect(agent, 2000);
    socket.setSoTimeout(5000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  void send(Frame frame) throws IOException {
    SpopStreams.write(out, frame);
  }

  void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  Frame read() throws IOException {
    return SpopStreams.read(in, 1 << 20);
  }

  /** True when the agent closed the connection (EOF) before sending anything more. */
  boolean closedByPeer() throws IOException {
    try {
      return in.read() < 0;
    } catch (EOFException | java.net.SocketException e) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
