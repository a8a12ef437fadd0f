#!/usr/bin/env python3
"""What seeing costs: the sidecar's CPU per request, throughput and memory with its access log,
trace context and span export off and on (issue #25).

    python3 bench/observability.py               # 3 repetitions of 10 s per variant (~8 minutes)
    python3 bench/observability.py --quick       # 3 s, one repetition: to try it

One jar, one JVM configuration (the bench's sidecar flags: -Xmx64m, the image's jvm.options, the
class archive), one I/O thread on core 0; wrk (32 keep-alive connections, GET of 100 bytes) and
nginx on core 1, as bench/run.py's small-request workload. Variants, each a fresh sidecar:

- off: --access-log off, trace context passed through as it came (tracing.createWhenAbsent: false)
- trace: a trace started for every request (createWhenAbsent, 1 % sampled), nothing logged
- access-log: trace as above, and one JSON access-log line per request to a file (as a container
  runtime takes stdout)
- spans 1 %: access log and trace, and spans of the sampled 1 % exported over OTLP/HTTP
- spans 100 %: every request sampled and exported (the worst case)

The OTLP receiver is a sink on core 1 (harness/otlp_sink.py) that answers 200 and counts. Per
variant and repetition: requests/s, the sidecar's CPU µs per request (utime + stime over the run),
its RSS after the run, spans the sink received. Variants run in a rotating order per repetition;
the report gives medians and [min-max]. Writes bench/results/<date>-observability.{md,json}.
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import load, peers, tools  # noqa: E402

PORT, ADMIN, SINK = 24080, 24090, 24318
# The sidecar exports a partial batch of spans 2 s after its first span (OtlpSpans.SCHEDULE_DELAY):
# with spans on, the sink is read that long (and a little more) after the warm-up and after the run,
# so that it counts the spans of the measured run, neither the warm-up's last nor fewer than all.
EXPORT_SETTLE = 2.5
VARIANTS = {
    "off": {"log": "off", "create": False, "rate": 0.01, "spans": False},
    "trace": {"log": "off", "create": True, "rate": 0.01, "spans": False},
    "access-log": {"log": "json", "create": True, "rate": 0.01, "spans": False},
    "spans 1 %": {"log": "json", "create": True, "rate": 0.01, "spans": True},
    "spans 100 %": {"log": "json", "create": True, "rate": 1.0, "spans": True},
}


def config(variant):
    v = VARIANTS[variant]
    return f"""version: 3
admin: {{address: 127.0.0.1:{ADMIN}}}
listeners: [{{name: h1, address: 127.0.0.1:{PORT}}}]
rules:
  - name: h1
    listener: h1
    upstream: {{protocol: http1, endpoints: [127.0.0.1:{peers.NGINX}]}}
    tracing: {{createWhenAbsent: {str(v['create']).lower()}, sampleRate: {v['rate']}}}
"""


def run_variant(variant, work, duration, warmup, sink):
    v = VARIANTS[variant]
    (work / "observability.yaml").write_text(config(variant))
    log_file = work / "observability-access.log"
    command = ["java", *peers.SIDECAR_JVM, "-jar", tools.SIDECAR_JAR, "--threads", "1",
               "--access-log", v["log"], "--config", work / "observability.yaml"]
    if v["spans"]:
        command += ["--otlp-endpoint", f"http://127.0.0.1:{SINK}/v1/traces"]
    with open(log_file, "w") as out:
        proc = subprocess.Popen(tools.pinned(tools.PROXY_CPU, command), stdout=out,
                                stderr=open(work / "observability-sidecar.err", "w"),
                                env={**os.environ, **peers.SIDECAR_ENV})
    try:
        tools.wait_port(PORT, proc)
        pid = tools.listener_pid(PORT)
        load.wrk_max(PORT, "/small", warmup)
        if v["spans"]:
            time.sleep(EXPORT_SETTLE)
        spans_before = sink_count()
        with tools.CpuUse(pid, tools.PROXY_CPU) as cpu:
            rate = load.wrk_max(PORT, "/small", duration)
        if v["spans"]:
            time.sleep(EXPORT_SETTLE)
        requests = rate * duration
        return {"load avg": os.getloadavg()[0], "req/s": rate, "cpu µs/req": cpu.micros_per(requests), "rss MiB": tools.rss_kib(pid) / 1024,
                "spans/s": (sink_count() - spans_before) / duration,
                "log bytes": log_file.stat().st_size}
    finally:
        tools.stop([proc])


def sink_count():
    import urllib.request
    with urllib.request.urlopen(f"http://127.0.0.1:{SINK}/count", timeout=5) as response:
        return int(response.read())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args()
    if args.quick:
        args.repeat, args.duration, args.warmup = 1, 3, 3
    tools.need_tools()
    if not tools.SIDECAR_JAR.exists():
        sys.exit("bench: build the sidecar first: ./mvnw -B -q package -pl sidecar/proxy -am -DskipTests")
    tools.need_archive()
    work = tools.WORK
    docroot = peers.prepare(work)
    nginx = subprocess.Popen(tools.pinned(tools.LOAD_CPU, ["nginx", "-c", work / "nginx.conf", "-g", "daemon off;"]),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sink = subprocess.Popen(tools.pinned(tools.LOAD_CPU, [sys.executable, os.path.join(os.path.dirname(__file__),
                                                                                         "harness", "otlp_sink.py"),
                                                          str(SINK)]))
    results = {name: [] for name in VARIANTS}
    try:
        tools.wait_port(peers.NGINX, nginx)
        tools.wait_port(SINK, sink)
        names = list(VARIANTS)
        for rep in range(args.repeat):
            order = names[rep % len(names):] + names[:rep % len(names)]
            for name in order:
                tools.log(f"observability: {name}, repetition {rep + 1}/{args.repeat}")
                results[name].append(run_variant(name, work, args.duration, args.warmup, sink))
    finally:
        tools.stop([nginx, sink])
    write_report(results, args, docroot)


def summary(runs, key):
    values = [r[key] for r in runs if r[key] is not None]
    return statistics.median(values), min(values), max(values)


def write_report(results, args, docroot):
    date = datetime.date.today().isoformat()
    partial = "-partial" if args.quick or args.repeat != 3 or args.duration != 10 else ""
    base = tools.RESULTS / f"{date}-observability{partial}"
    tools.RESULTS.mkdir(parents=True, exist_ok=True)
    base.with_suffix(".json").write_text(json.dumps(
        {"date": date, "repeat": args.repeat, "duration": args.duration, "warmup": args.warmup,
         "machine": tools.machine(), "versions": tools.versions(), "sidecarFlags": peers.sidecar_flags(),
         "runs": results}, indent=2, ensure_ascii=False))
    off_cpu = summary(results["off"], "cpu µs/req")[0]
    off_rate = summary(results["off"], "req/s")[0]
    lines = [f"# What seeing costs: access log, trace context and span export ({date})", "",
             f"{args.repeat} repetitions of {args.duration} s (after {args.warmup} s of warm-up) per variant, "
             "rotating order; medians with [min-max]. wrk, 32 keep-alive connections, GET of 100 bytes "
             "through one sidecar I/O thread on core 0 to nginx on core 1.", "",
             "| variant | requests/s | CPU µs per request | vs off | RSS after (MiB) | spans/s exported |",
             "|---|---|---|---|---|---|"]
    for name, runs in results.items():
        rate, cpu, rss, spans = (summary(runs, k) for k in ("req/s", "cpu µs/req", "rss MiB", "spans/s"))
        lines.append(f"| {name} | {rate[0]:,.0f} [{rate[1]:,.0f}-{rate[2]:,.0f}] "
                     f"| {cpu[0]:.1f} [{cpu[1]:.1f}-{cpu[2]:.1f}] "
                     f"| {cpu[0] - off_cpu:+.1f} µs ({(cpu[0] / off_cpu - 1) * 100:+.1f} %), "
                     f"{(rate[0] / off_rate - 1) * 100:+.1f} % req/s "
                     f"| {rss[0]:.0f} [{rss[1]:.0f}-{rss[2]:.0f}] | {spans[0]:,.0f} |")
    loads = [r["load avg"] for runs in results.values() for r in runs]
    lines += ["", f"1-minute load average at the end of the runs: {min(loads):.1f} to {max(loads):.1f} "
              "(2 cores; above 2, other work shared the machine: compare CPU per request, which is the "
              "sidecar's own, more than requests/s)."]
    lines += ["", f"Machine: {tools.machine()}. Sidecar flags: `{' '.join(peers.sidecar_flags())}`.", ""]
    base.with_suffix(".md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
