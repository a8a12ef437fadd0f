package dev.sluice.sidecar.http2;

/**
 * Why the sidecar refused something of a client, on an HTTP/1.1 connection or an HTTP/2 one: the
 * {@code reason} label of the refusal counter, one sentence each. A refusal either ends one request
 * or stream, or cuts the whole connection short (a flood, a protocol error).
 */
public enum Refusal {
  /** A stream past the advertised SETTINGS_MAX_CONCURRENT_STREAMS: RST_STREAM REFUSED_STREAM. */
  REFUSED_STREAM("refused_stream", false),
  /**
   * A request head that is malformed (RFC 9112, RFC 9113 section 8.1.1; conflicting authorities):
   * 400, then the HTTP/1.1 connection closes or the HTTP/2 stream is reset.
   */
  MALFORMED_REQUEST("malformed_request", false),
  /** An HTTP/1.1 request line past the listener's limit: 414, and the connection closes. */
  REQUEST_LINE_TOO_LONG("request_line_too_long", false),
  /** A header block past the listener's maxHeaderBytes: 431. */
  HEADER_LIST_TOO_LARGE("header_list_too_large", false),
  /**
   * A request body that cannot be read (HTTP/1.1 chunked framing broken): 400 and the close; what
   * was read of it never reaches the upstream as a complete message.
   */
  MALFORMED_BODY("malformed_body", false),
  /**
   * The client left more response bytes unread than its connection may pin: RST_STREAM
   * ENHANCE_YOUR_CALM on the streams holding the most.
   */
  PINNED_BYTES("pinned_bytes", false),
  /** Any other stream error the client caused (a frame its stream's state does not allow). */
  STREAM_ERROR("stream_error", false),
  /** The client reset more streams than its window allows: GOAWAY ENHANCE_YOUR_CALM. */
  RAPID_RESET("rapid_reset", true),
  /** The client caused more stream errors than its window allows: GOAWAY ENHANCE_YOUR_CALM. */
  STREAM_ERROR_FLOOD("stream_error_flood", true),
  /** PING, SETTINGS or RST_STREAM answers piled up unread: GOAWAY ENHANCE_YOUR_CALM. */
  CONTROL_FRAME_FLOOD("control_frame_flood", true),
  /** Empty DATA or small CONTINUATION frames past Netty's limits: GOAWAY ENHANCE_YOUR_CALM. */
  FRAME_FLOOD("frame_flood", true),
  /** A connection error: the client broke the protocol (GOAWAY with the error's code). */
  PROTOCOL_ERROR("protocol_error", true);

  private final String label;
  private final boolean endsConnection;

  Refusal(String label, boolean endsConnection) {
    this.label = label;
    this.endsConnection = endsConnection;
  }

  /** The metric label. */
  public String label() {
    return label;
  }

  /** True when the refusal closes the connection (GOAWAY), false when it ends one stream. */
  public boolean endsConnection() {
    return endsConnection;
  }
}
