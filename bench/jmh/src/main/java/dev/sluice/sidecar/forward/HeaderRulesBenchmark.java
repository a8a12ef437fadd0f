package dev.sluice.sidecar.forward;

import dev.sluice.sidecar.http2.Http2Messages;
import dev.sluice.sidecar.trace.ExchangeTrace;
import dev.sluice.sidecar.trace.TraceDecision;
import dev.sluice.sidecar.trace.TraceSettings;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-request head rewrite (hop-by-hop removal, Via, X-Forwarded-*) of a browser request and an
 * nginx response, as the HTTP/1.1 decoder hands them over (names as AsciiStrings in the case they
 * were sent, values as Strings). The HTTP/2 cases include making the header block the encoder gets.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HeaderRulesBenchmark {
  private HttpRequest request;
  private HttpResponse response;

  private static HttpHeaders decoded(String... fields) {
    HttpHeaders headers = DefaultHttpHeadersFactory.headersFactory().newHeaders();
    for (int i = 0; i < fields.length; i += 2) {
      headers.add(new AsciiString(fields[i]), fields[i + 1]);
    }
    return headers;
  }

  @Setup
  public void setUp() {
    request =
        new DefaultHttpRequest(
            HttpVersion.HTTP_1_1,
            HttpMethod.POST,
            "/upload/photos?album=3",
            decoded(
                "Host", "shop.example.com",
                "User-Agent",
                    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
                "Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                "Accept-Language", "en-US,en;q=0.9",
                "Accept-Encoding", "gzip, deflate, br",
                "Connection", "keep-alive",
                "Content-Type", "multipart/form-data; boundary=----x",
                "Content-Length", "1048576",
                "Cookie", "session=0123456789abcdef; theme=dark",
                "Referer", "https://shop.example.com/albums/3",
                "X-Request-Id", "3f2a9c0d-11e4-4b7a-9a1e-5d0b8c7e6f21",
                "X-Forwarded-For", "203.0.113.7",
                "TE", "trailers",
                "Cache-Control", "no-cache"));
    response =
        new DefaultHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.OK,
            decoded(
                "Server", "nginx/1.22.1",
                "Date", "Sat, 21 Nov 2026 23:19:46 GMT",
                "Content-Type", "application/octet-stream",
                "Content-Length", "100",
                "Last-Modified", "Sat, 21 Nov 2026 11:00:00 GMT",
                "Connection", "keep-alive",
                "ETag", "\"6740f7a0-64\"",
                "Accept-Ranges", "bytes"));
  }

  /**
   * What a request without trace context gets by default: a trace started here, its {@code
   * traceparent} added (decided once: the decision's own cost is not the header rewrite's).
   */
  private static final ExchangeTrace STARTED =
      TraceDecision.decide(List.of(), TraceSettings.DEFAULT, false);

  @Benchmark
  public Http2Headers h1ToH2Upstream() {
    return Http2Messages.headerBlock(
        HeaderRules.requestForUpstream(
            request, false, true, false, "198.51.100.23", "https", STARTED),
        "http");
  }

  @Benchmark
  public HttpRequest h1ToH1Upstream() {
    return HeaderRules.requestForUpstream(
        request, false, false, false, "198.51.100.23", "https", STARTED);
  }

  @Benchmark
  public HttpResponse responseToH1() {
    return HeaderRules.responseForDownstream(response, false, false, HttpMethod.GET, true);
  }

  @Benchmark
  public Http2Headers responseToH2() {
    return Http2Messages.headerBlock(
        HeaderRules.responseForDownstream(response, false, true, HttpMethod.GET, true), null);
  }
}
