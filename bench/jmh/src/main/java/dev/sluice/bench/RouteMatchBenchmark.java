package dev.sluice.bench;

import dev.sluice.sidecar.config.HeaderCondition;
import dev.sluice.sidecar.config.PathCondition;
import dev.sluice.sidecar.config.RequestMatch;
import dev.sluice.sidecar.config.RouteRule;
import dev.sluice.sidecar.config.RuleAccessLog;
import dev.sluice.sidecar.config.RuleTracing;
import dev.sluice.sidecar.config.Timeouts;
import dev.sluice.sidecar.config.Upstream;
import dev.sluice.sidecar.routing.RequestTarget;
import dev.sluice.sidecar.routing.RuleTable;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
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
 * RouteRule selection per request: 50 routes (host, prefix, method, header), the last one matching.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouteMatchBenchmark {
  private RuleTable<String> table;
  private HttpRequest request;

  @Setup
  public void setUp() {
    List<RouteRule> routes = new ArrayList<>();
    Upstream upstream = Upstream.of(Upstream.Protocol.H2C, List.of("127.0.0.1:1"));
    for (int i = 0; i < 50; i++) {
      RequestMatch match =
          new RequestMatch(
              "svc" + i + ".example.com",
              new PathCondition(PathCondition.Type.Prefix, "/api/v" + i),
              List.of("GET", "POST"),
              List.of(new HeaderCondition("x-tenant", HeaderCondition.Type.Exact, "t" + i)));
      routes.add(
          new RouteRule(
              "r" + i,
              "http",
              List.of(match),
              upstream,
              Timeouts.DEFAULT,
              null,
              true,
              List.of(),
              List.of(),
              RouteRule.DEFAULT_UPGRADES,
              null,
              RuleAccessLog.DEFAULT,
              RuleTracing.DEFAULT));
    }
    table = RuleTable.compile(routes, RouteRule::name);
    request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/v49/orders?id=7");
    request.headers().set("host", "svc49.example.com:8080").set("x-tenant", "t49");
  }

  @Benchmark
  public @Nullable String matchLastOfFifty() {
    return table.match(RequestTarget.of(request), request);
  }
}
