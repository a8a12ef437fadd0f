package dev.sluice.sidecar.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP/2 cleartext client at byte level, for inputs no well-behaved library will send: header
 * blocks with missing, repeated or misplaced pseudo-header fields, frames on closed streams. Header
 * fields are sent as HPACK literals without indexing or Huffman coding, exactly as given (names
 * unchanged, so upper case stays upper case). Blocking, one thread; reads are bounded by a socket
 * timeout.
 */
public final class RawHttp2 implements AutoCloseable {
  public static final int DATA = 0;
  public static final int HEADERS = 1;
  public static final int RST_STREAM = 3;
  public static final int SETTINGS = 4;
  public static final int PING = 6;
  public static final int GOAWAY = 7;
  public static final int WINDOW_UPDATE = 8;
  public static final int CONTINUATION = 9;
  public static final int END_STREAM = 0x1;
  public static final int ACK = 0x1;
  public static final int END_HEADERS = 0x4;

  /** Error codes of RFC 9113 section 7. */
  public static final int NO_ERROR = 0;

  public static final int PROTOCOL_ERROR = 1;
  public static final int STREAM_CLOSED = 5;
  public static final int CANCEL = 8;
  public static final int REFUSED_STREAM = 7;
  public static final int ENHANCE_YOUR_CALM = 11;

  /** SETTINGS parameters of RFC 9113 section 6.5.2. */
  public static final int SETTINGS_INITIAL_WINDOW_SIZE = 4;

  public static final int MAX_CONCURRENT_STREAMS = 3;

  /** One frame as read. */
  public record Frame(int type, int flags, int stream, byte[] payload) {
    public boolean endStream() {
      return (type == DATA || type == HEADERS) && (flags & END_STREAM) != 0;
    }

    /** The value of setting {@code id} in a SETTINGS frame, or -1 when it is not there. */
    public long setting(int id) {
      for (int at = 0; at + 6 <= payload.length; at += 6) {
        if (((payload[at] & 0xff) << 8 | (payload[at + 1] & 0xff)) == id) {
          return (payload[at + 2] & 0xffL) << 24
              | (payload[at + 3] & 0xff) << 16
              | (payload[at + 4] & 0xff) << 8
              | (payload[at + 5] & 0xff);
        }
      }
      return -1;
    }

    /** The error code of a RST_STREAM or GOAWAY. */
    public int errorCode() {
      int at = type == GOAWAY ? 4 : 0;
      return (payload[at] & 0xff) << 24
          | (payload[at + 1] & 0xff) << 16
          | (payload[at + 2] & 0xff) << 8
          | (payload[at + 3] & 0xff);
    }

    @Override
    public String toString() {
      String name =
          switch (type) {
            case DATA -> "DATA";
            case HEADERS -> "HEADERS";
            case RST_STREAM -> "RST_STREAM(" + errorCode() + ")";
            case SETTINGS -> "SETTINGS";
            case PING -> "PING";
            case GOAWAY -> "GOAWAY(" + errorCode() + ")";
            case WINDOW_UPDATE -> "WINDOW_UPDATE";
            default -> "type" + type;
          };
      return name + "[stream " + stream + (endStream() ? ", END_STREAM" : "") + "]";
    }
  }

  /** How a stream ended, and what arrived on it. */
  public record StreamOutcome(List<Frame> frames, boolean goAway, boolean closed) {
    /** The RST_STREAM error code, or -1 when the stream was not reset. */
    public int resetCode() {
      for (Frame frame : frames) {
        if (frame.type() == RST_STREAM) {
          return frame.errorCode();
        }
      }
      return -1;
    }

    public boolean ended() {
      return frames.stream().anyMatch(Frame::endStream);
    }

    /** The DATA bytes as text. */
    public String body() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (Frame frame : frames) {
        if (frame.type() == DATA) {
          out.writeBytes(frame.payload());
        }
      }
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;
  private final List<Frame> unclaimed = new ArrayList<>();
  private final boolean settingsSent;
  private boolean closed;
  private boolean timedOut;

  /** Connects, sends the preface and an empty SETTINGS frame. */
  public RawHttp2(int port) throws IOException {
    this(port, true);
  }

  /**
   * Connects and sends the connection preface's magic; its SETTINGS frame, which completes the
   * preface, only when {@code settings}.
   */
  public RawHttp2(int port, boolean settings) throws IOException {
    this(port, settings ? new byte[0] : null);
  }

  private RawHttp2(int port, byte @Nullable [] settings) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    out = socket.getOutputStream();
    in = new DataInputStream(socket.getInputStream());
    out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    settingsSent = settings != null;
    if (settings != null) {
      frame(SETTINGS, 0, 0, settings);
    } else {
      out.flush();
    }
  }

  /** WINDOW_UPDATE of {@code increment} bytes on {@code stream} (0: the connection). */
  public void windowUpdate(int stream, int increment) throws IOException {
    frame(
        WINDOW_UPDATE,
        0,
        stream,
        new byte[] {
          (byte) (increment >>> 24),
          (byte) (increment >>> 16),
          (byte) (increment >>> 8),
          (byte) increment
        });
  }

  /** True when the last {@link #next} returned null because nothing came for 10 s. */
  public boolean timedOut() {
    return timedOut;
  }

  /**
   * Connects with SETTINGS_INITIAL_WINDOW_SIZE {@code initialWindow} (0: no stream may receive a
   * DATA byte until a WINDOW_UPDATE opens it). The connection window stays at its 65,535 bytes;
   * this client sends no WINDOW_UPDATE unless a test does.
   */
  public static RawHttp2 withInitialWindow(int port, int initialWindow) throws IOException {
    return new RawHttp2(port, setting(SETTINGS_INITIAL_WINDOW_SIZE, initialWindow));
  }

  /** One SETTINGS parameter: 16-bit identifier, 32-bit value. */
  public static byte[] setting(int id, int value) {
    return new byte[] {
      (byte) (id >>> 8),
      (byte) id,
      (byte) (value >>> 24),
      (byte) (value >>> 16),
      (byte) (value >>> 8),
      (byte) value
    };
  }

  /** A GET of {@code path} on {@code stream}, ending the stream with its HEADERS. */
  public void get(int stream, String path) throws IOException {
    get(stream, "sluice.test", path);
  }

  /** A GET of {@code authority}'s {@code path} on {@code stream}, ending it with its HEADERS. */
  public void get(int stream, String authority, String path) throws IOException {
    headers(
        stream, true, ":method", "GET", ":scheme", "http", ":authority", authority, ":path", path);
  }

  /** Sets how long {@link #next} waits for a frame before it reports the connection closed. */
  public void readTimeout(java.time.Duration timeout) throws IOException {
    socket.setSoTimeout((int) timeout.toMillis());
  }

  /** A header block of literal fields: name, value, name, value... */
  public static byte[] block(String... fields) {
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    for (int i = 0; i < fields.length; i += 2) {
      byte[] name = fields[i].getBytes(StandardCharsets.ISO_8859_1);
      byte[] value = fields[i + 1].getBytes(StandardCharsets.ISO_8859_1);
      block.write(0); // literal without indexing, new name
      length(block, name.length);
      block.writeBytes(name);
      length(block, value.length);
      block.writeBytes(value);
    }
    return block.toByteArray();
  }

  /** An HPACK string length with a 7-bit prefix and no Huffman flag (RFC 7541 5.1). */
  private static void length(ByteArrayOutputStream block, int length) {
    if (length < 127) {
      block.write(length);
      return;
    }
    block.write(127);
    int rest = length - 127;
    while (rest >= 128) {
      block.write(rest % 128 + 128);
      rest /= 128;
    }
    block.write(rest);
  }

  /** HEADERS with END_HEADERS, and END_STREAM when {@code endStream}. */
  public void headers(int stream, boolean endStream, String... fields) throws IOException {
    frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), stream, block(fields));
  }

  public void data(int stream, boolean endStream, byte[] bytes) throws IOException {
    frame(DATA, endStream ? END_STREAM : 0, stream, bytes);
  }

  /** Bytes as they are: several frames in one write (the sidecar then reads them together). */
  public void send(byte[] bytes) throws IOException {
    synchronized (out) {
      out.write(bytes);
      out.flush();
    }
  }

  /** A HEADERS frame with END_HEADERS, as {@link #frameBytes} gives it. */
  public static byte[] headersBytes(int stream, boolean endStream, String... fields) {
    return frameBytes(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), stream, block(fields));
  }

  /** Concatenated frames, for {@link #send}. */
  public static byte[] concat(byte[]... frames) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] frame : frames) {
      all.writeBytes(frame);
    }
    return all.toByteArray();
  }

  /** Writes one frame; safe to call while another thread reads (the reader ACKs SETTINGS). */
  public void frame(int type, int flags, int stream, byte[] payload) throws IOException {
    synchronized (out) {
      out.write(frameBytes(type, flags, stream, payload));
      out.flush();
    }
  }

  /** Several frames in one write (one TCP segment on loopback): what the peer reads at once. */
  public void frames(byte[]... frames) throws IOException {
    send(concat(frames));
  }

  /** The bytes of one frame: the 9-byte header and {@code payload}. */
  public static byte[] frameBytes(int type, int flags, int stream, byte[] payload) {
    byte[] frame = new byte[9 + payload.length];
    frame[0] = (byte) (payload.length >>> 16);
    frame[1] = (byte) (payload.length >>> 8);
    frame[2] = (byte) payload.length;
    frame[3] = (byte) type;
    frame[4] = (byte) flags;
    frame[5] = (byte) (stream >>> 24);
    frame[6] = (byte) (stream >>> 16);
    frame[7] = (byte) (stream >>> 8);
    frame[8] = (byte) stream;
    System.arraycopy(payload, 0, frame, 9, payload.length);
    return frame;
  }

  /** The next frame, or null when the connection closed (or nothing came for 10 s). */
  public Frame next() throws IOException {
    if (closed) {
      return null;
    }
    try {
      int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
      int type = in.readUnsignedByte();
      int flags = in.readUnsignedByte();
      int stream = in.readInt() & 0x7fffffff;
      byte[] payload = in.readNBytes(length);
      if (payload.length < length) {
        closed = true;
        return null;
      }
      if (type == SETTINGS && (flags & 1) == 0 && settingsSent) {
        frame(SETTINGS, 1, 0, new byte[0]); // ACK, as a real client does (after its own SETTINGS)
      }
      return new Frame(type, flags, stream, payload);
    } catch (SocketTimeoutException e) {
      closed = true;
      timedOut = true;
      return null;
    } catch (java.io.EOFException | java.net.SocketException e) {
      closed = true;
      return null;
    }
  }

  /**
   * Reads until {@code stream} ends (END_STREAM or RST_STREAM) or the connection does (GOAWAY or
   * close); frames of other streams are kept for their own {@code await}.
   */
  public StreamOutcome await(int stream) throws IOException {
    List<Frame> frames = new ArrayList<>();
    for (var it = unclaimed.iterator(); it.hasNext(); ) {
      Frame frame = it.next();
      if (frame.stream() == stream) {
        frames.add(frame);
        it.remove();
        if (frame.endStream() || frame.type() == RST_STREAM) {
          return new StreamOutcome(frames, false, false);
        }
      }
    }
    while (true) {
      Frame frame = next();
      if (frame == null) {
        return new StreamOutcome(frames, false, true);
      }
      if (frame.type() == GOAWAY) {
        frames.add(frame);
        return new StreamOutcome(frames, true, false);
      }
      if (frame.stream() != stream) {
        if (frame.stream() != 0) {
          unclaimed.add(frame);
        }
        continue;
      }
      frames.add(frame);
      if (frame.endStream() || frame.type() == RST_STREAM) {
        return new StreamOutcome(frames, false, false);
      }
    }
  }

  /** Frames of {@code stream} read while awaiting others, and not claimed since. */
  public List<Frame> unclaimed(int stream) {
    return unclaimed.stream().filter(f -> f.stream() == stream).toList();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
