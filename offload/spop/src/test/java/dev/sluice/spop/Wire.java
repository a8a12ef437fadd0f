package dev.sluice.spop;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Bytes written the way SPOP.md annotates captures: hex byte pairs and 'quoted text', separated by
 * spaces. {@link #frame} prepends the 4-byte length.
 */
final class Wire {
  static byte[] bytes(String annotated) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (i < annotated.length()) {
      char c = annotated.charAt(i);
      if (c == ' ' || c == '\n') {
        i++;
      } else if (c == '\'') {
        int end = annotated.indexOf('\'', i + 1);
        out.writeBytes(annotated.substring(i + 1, end).getBytes(StandardCharsets.UTF_8));
        i = end + 1;
      } else {
        out.writeBytes(HexFormat.of().parseHex(annotated.substring(i, i + 2)));
        i += 2;
      }
    }
    return out.toByteArray();
  }

  static byte[] frame(String annotated) {
    byte[] body = bytes(annotated);
    byte[] framed = new byte[body.length + 4];
    framed[0] = (byte) (body.length >>> 24);
    framed[1] = (byte) (body.length >>> 16);
    framed[2] = (byte) (body.length >>> 8);
    framed[3] = (byte) body.length;
    System.arraycopy(body, 0, framed, 4, body.length);
    return framed;
  }

  private Wire() {}
}
