package dev.sluice.spop;

/** SPOP status codes carried by DISCONNECT frames; error variables report 256 + status. */
public final class SpopStatus {
  public static final int NORMAL = 0;
  public static final int IO_ERROR = 1;
  public static final int TIMEOUT = 2;
  public static final int FRAME_TOO_BIG = 3;
  public static final int INVALID_FRAME = 4;
  public static final int NO_VERSION = 5;
  public static final int NO_MAX_FRAME_SIZE = 6;
  public static final int NO_CAPABILITIES = 7;
  public static final int UNSUPPORTED_VERSION = 8;
  public static final int BAD_MAX_FRAME_SIZE = 9;
  public static final int FRAGMENTATION_NOT_SUPPORTED = 10;
  public static final int INVALID_INTERLACED_FRAMES = 11;
  public static final int FRAME_ID_NOT_FOUND = 12;
  public static final int RESOURCE_ALLOCATION = 13;
  public static final int UNKNOWN = 99;

  /** A short description of {@code status}, as HAProxy words them. */
  public static String describe(int status) {
    return switch (status) {
      case NORMAL -> "normal";
      case IO_ERROR -> "I/O error";
      case TIMEOUT -> "a timeout occurred";
      case FRAME_TOO_BIG -> "frame is too big";
      case INVALID_FRAME -> "invalid frame received";
      case NO_VERSION -> "version value not found";
      case NO_MAX_FRAME_SIZE -> "max-frame-size value not found";
      case NO_CAPABILITIES -> "capabilities value not found";
      case UNSUPPORTED_VERSION -> "unsupported version";
      case BAD_MAX_FRAME_SIZE -> "max-frame-size too big or too small";
      case FRAGMENTATION_NOT_SUPPORTED -> "payload fragmentation is not supported";
      case INVALID_INTERLACED_FRAMES -> "invalid interlaced frames";
      case FRAME_ID_NOT_FOUND -> "frame-id not found";
      case RESOURCE_ALLOCATION -> "resource allocation error";
      default -> "unknown error";
    };
  }

  private SpopStatus() {}
}
