package dev.sluice.sidecar.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.sidecar.http2.Refusal;
import dev.sluice.spop.SpopValue;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The downstream: records what it was sent and told. */
final class FakeDownstream implements DownstreamSide {
  final EmbeddedChannel channel;
  final List<Object> owned;
  final List<HttpObject> written = new ArrayList<>();
  final Map<String, SpopValue> session = new HashMap<>();
  final List<Refusal> refusals = new ArrayList<>();
  String finished;
  boolean aborted;
  int reads;

  FakeDownstream(EmbeddedChannel channel, List<Object> owned) {
    this.channel = channel;
    this.owned = owned;
  }

  List<Integer> statuses() {
    return written.stream()
        .filter(HttpResponse.class::isInstance)
        .map(m -> ((HttpResponse) m).status().code())
        .toList();
  }

  String text(int index) {
    return ((DefaultFullHttpResponse) written.get(index))
        .content()
        .toString(StandardCharsets.UTF_8);
  }

  @Override
  public ChannelFuture write(HttpObject msg) {
    written.add(msg);
    owned.add(msg);
    return channel.newSucceededFuture();
  }

  @Override
  public boolean isWritable() {
    return true;
  }

  @Override
  public void refused(Refusal refusal, String detail) {
    refusals.add(refusal);
  }

  @Override
  public ByteBufAllocator alloc() {
    return channel.alloc();
  }

  @Override
  public EventLoop eventLoop() {
    return channel.eventLoop();
  }

  @Override
  public boolean http2() {
    return false;
  }

  @Override
  public String clientAddress() {
    return "192.0.2.1";
  }

  @Override
  public InetSocketAddress remote() {
    return null;
  }

  @Override
  public InetSocketAddress local() {
    return null;
  }

  @Override
  public Map<String, SpopValue> sessionVariables() {
    return session;
  }

  @Override
  public boolean stopping() {
    return false;
  }

  @Override
  public String scheme() {
    return "http";
  }

  @Override
  public void readRequest() {
    reads++;
  }

  @Override
  public void exchangeFinished(boolean requestComplete, boolean keepAlive) {
    assertThat(finished).as("told once").isNull();
    finished = requestComplete + "/" + keepAlive;
  }

  @Override
  public void abort() {
    aborted = true;
  }
}
