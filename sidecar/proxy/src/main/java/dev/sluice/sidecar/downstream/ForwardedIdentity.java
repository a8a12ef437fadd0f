package dev.sluice.sidecar.downstream;

import dev.sluice.sidecar.http2.HeadFields;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;
import io.netty.util.AttributeKey;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * What a client connection's requests carry in the listener's identity header: the verified
 * identity of its certificate, or nothing. Set once per connection when its TLS handshake is done;
 * every request head of the connection then has the header replaced before anything reads it
 * (routing, agents, the upstream), so whatever the client sent in it is gone.
 *
 * @param header the header's name, lower case
 * @param value the identity ({@link ClientIdentity}); null when the connection has none
 */
record ForwardedIdentity(AsciiString header, @Nullable String value) {
  private static final AttributeKey<ForwardedIdentity> KEY =
      AttributeKey.valueOf("sluice.forwardedIdentity");

  static ForwardedIdentity of(String header, @Nullable String value) {
    return new ForwardedIdentity(AsciiString.cached(header.toLowerCase(Locale.ROOT)), value);
  }

  /** Kept on {@code connection} for its requests. */
  void keep(Channel connection) {
    connection.attr(KEY).set(this);
  }

  /**
   * Replaces the identity header of {@code request} with the connection's identity (or removes it);
   * nothing on a connection of a listener without an identity header.
   */
  static void apply(Channel connection, HttpRequest request) {
    ForwardedIdentity identity = connection.attr(KEY).get();
    if (identity != null) {
      HeadFields.replace(request, identity.header(), identity.value());
    }
  }
}
