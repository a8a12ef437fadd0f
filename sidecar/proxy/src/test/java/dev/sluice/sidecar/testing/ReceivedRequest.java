package dev.sluice.sidecar.testing;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a recording upstream saw of one request: headers, body digest, and — for HTTP/2 — every
 * frame of the stream in order, so tests can say exactly where END_STREAM landed and that nothing
 * came after it.
 */
public final class ReceivedRequest {
  private final MessageDigest digest = sha256();
  private final List<String> frames = new ArrayList<>();
  private final Map<String, String> headers = new ConcurrentHashMap<>();
  private final Map<String, List<String>> fieldLines = new java.util.HashMap<>();
  private long bytes;
  private int endStreams;
  private int framesAfterEnd;
  private String endedOn;
  private String framing;

  synchronized void header(String name, String value) {
    headers.put(name.toLowerCase(), value);
    fieldLines.computeIfAbsent(name.toLowerCase(), n -> new ArrayList<>()).add(value);
  }

  synchronized void body(byte[] chunk) {
    digest.update(chunk);
    bytes += chunk.length;
  }

  /** Records a frame; {@code kind} is HEADERS, DATA, TRAILERS or RST_STREAM. */
  synchronized void frame(String kind, int length, boolean endStream) {
    if (endStreams > 0) {
      framesAfterEnd++;
    }
    frames.add(kind + "(" + length + (endStream ? ",END_STREAM" : "") + ")");
    if (endStream) {
      endStreams++;
      endedOn = kind.equals("DATA") && length == 0 ? "EMPTY_DATA" : kind;
    }
  }

  synchronized void framing(String how) {
    framing = how;
  }

  public synchronized String sha256Hex() {
    try {
      return HexFormat.of().formatHex(((MessageDigest) digest.clone()).digest());
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException(e);
    }
  }

  public synchronized long bytes() {
    return bytes;
  }

  public synchronized int endStreams() {
    return endStreams;
  }

  public synchronized int framesAfterEnd() {
    return framesAfterEnd;
  }

  /** HEADERS, DATA, EMPTY_DATA or TRAILERS (HTTP/2); null for HTTP/1.1. */
  public synchronized String endedOn() {
    return endedOn;
  }

  /** HTTP/1.1 framing: content-length, chunked or none. */
  public synchronized String framing() {
    return framing;
  }

  public synchronized List<String> frames() {
    return List.copyOf(frames);
  }

  /** The last value of field {@code name}, or null. */
  public String header(String name) {
    return headers.get(name.toLowerCase());
  }

  /** Every value of field {@code name}, one per field line, in the order received. */
  public synchronized List<String> headerLines(String name) {
    return List.copyOf(fieldLines.getOrDefault(name.toLowerCase(), List.of()));
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
