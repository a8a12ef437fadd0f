package dev.sluice.sidecar.forward;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
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

/** The per-request head rewrite (hop-by-hop removal, Via, X-Forwarded-*) for a browser request. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HeaderRulesBenchmark {
  private HttpRequest request;

  @Setup
  public void setUp() {
    request =
        new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload/photos?album=3");
    request
        .headers()
        .set("host", "shop.example.com")
        .set(
            "user-agent",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36")
        .set("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
        .set("accept-language", "en-US,en;q=0.9")
        .set("accept-encoding", "gzip, deflate, br")
        .set("connection", "keep-alive")
        .set("content-type", "multipart/form-data; boundary=----x")
        .set("content-length", "1048576")
        .set("cookie", "session=0123456789abcdef; theme=dark")
        .set("referer", "https://shop.example.com/albums/3")
        .set("x-request-id", "3f2a9c0d-11e4-4b7a-9a1e-5d0b8c7e6f21")
        .set("x-forwarded-for", "203.0.113.7")
        .set("te", "trailers")
        .set("cache-control", "no-cache");
  }

  @Benchmark
  public HttpRequest h1ToH2Upstream() {
    return HeaderRules.requestForUpstream(request, false, true, false, "198.51.100.23", "https");
  }

  @Benchmark
  public HttpRequest h1ToH1Upstream() {
    return HeaderRules.requestForUpstream(request, false, false, false, "198.51.100.23", "https");
  }
}
