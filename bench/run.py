#!/usr/bin/env python3
"""Sluice against the peers users would pick instead, in one run, with a report people can read.

    python3 bench/run.py                 # everything: ~35 min on 2 cores
    python3 bench/run.py --quick         # short runs, to try the harness (~6 min)
    python3 bench/run.py --only uploads,memory --skip-operator --skip-jmh

Installs haproxy, nghttp2 (nghttpd, h2load), wrk, nginx and curl when missing (as root), builds
the jars when missing (--build to rebuild), then runs on loopback: Sluice's sidecar and HAProxy 2.6
with equivalent configurations, each one worker thread on core 0, and the direct path (no proxy);
load generators, upstreams and the SPOE agent on core 1. Workloads: small requests (HTTP/1.1 and
h2c), h1 -> h2c uploads, h2 -> h2 with 100 streams, one offload message per request, latency
during a reload storm, memory; then the operator at scale (1,000 simulated pods, 100 ProxyRoutes)
and the JMH microbenchmarks. Writes bench/results/<date>.md, .json and PNG charts in
bench/results/<date>/. Figures, never assertions.
"""

import argparse
import datetime
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import peers, report, tools, workloads  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 s runs, 1 repetition, 3 s warm-up")
    parser.add_argument("--duration", type=int, help="seconds per timed run (default 10)")
    parser.add_argument("--repeat", type=int, help="repetitions per peer (default 3)")
    parser.add_argument("--warmup", type=int, help="warm-up seconds per peer and workload (default 30)")
    parser.add_argument("--only", help=f"comma-separated workloads of: {','.join(workloads.ALL)}")
    parser.add_argument("--skip-operator", action="store_true")
    parser.add_argument("--skip-jmh", action="store_true")
    parser.add_argument("--build", action="store_true", help="rebuild the jars first")
    parser.add_argument("--explain", default=str(tools.ROOT / "bench" / "explanation.md"),
                        help="Markdown appended to the report: why targets are missed, the fixes")
    parser.add_argument("--render", metavar="JSON",
                        help="only write the report and charts again from a results JSON")
    args = parser.parse_args()
    if args.render:
        report.write(json.loads(open(args.render).read()), __import__("pathlib").Path(args.explain))
        return
    quick = args.quick
    settings = workloads.Settings(args.duration or (3 if quick else 10), args.repeat or (1 if quick else 3),
                                  args.warmup if args.warmup is not None else (3 if quick else 30),
                                  tools.WORK)
    chosen = list(workloads.ALL) if not args.only else args.only.split(",")
    unknown = [w for w in chosen if w not in workloads.ALL]
    if unknown:
        parser.error(f"--only {','.join(unknown)}: unknown (expected some of {','.join(workloads.ALL)})")

    tools.need_tools()
    tools.need_jvm_flags(peers.SIDECAR_JVM)
    tools.need_jars(args.build)
    tools.need_archive()
    limit = tools.raise_fd_limit()
    if limit < 25_000 and "memory" in chosen:
        tools.log(f"open files limited to {limit}: the 10,000 idle connections may not fit")
    tools.WORK.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    full = not (quick or args.only or args.skip_operator or args.skip_jmh or args.duration
                or args.repeat or args.warmup is not None)
    results = {"date": datetime.date.today().isoformat(), "machine": tools.machine(),
               # a partial or quick run never overwrites the day's full report
               "stem": datetime.date.today().isoformat() + ("" if full else "-partial"),
               "versions": tools.versions(), "sluice": git_describe(),
               "command": "python3 bench/run.py " + " ".join(sys.argv[1:]),
               "settings": {"duration": settings.duration, "repeat": settings.repeat,
                            "warmup": settings.warmup},
               "topology": (f"Proxies on core {tools.PROXY_CPU} (one worker thread each; the sidecar's "
                            f"JVM: {' '.join(peers.sidecar_flags())}); load generators, upstreams and the "
                            f"SPOE agent on core {tools.LOAD_CPU}."),
               "workloads": []}

    stack = peers.Stack(tools.WORK)
    docroot = peers.prepare(tools.WORK)
    try:
        stack.start(docroot)
        for name in chosen:
            tools.log(f"workload {name}")
            try:
                results["workloads"].append(workloads.ALL[name](settings, stack))
            except Exception as e:  # the others still run; the report says what failed
                tools.log(f"workload {name} failed: {e}")
                results["workloads"].append({"id": name, "title": name, "error": str(e)[:2000],
                                             "setup": "", "figures": []})
    finally:
        stack.stop()

    if not args.skip_operator:
        tools.log("operator at scale (1,000 pods, 100 ProxyRoutes)")
        out = tools.WORK / "operator-scale.json"
        done = os.system(f"java -jar {tools.TOOLS_JAR} operator-scale --operator-jar {tools.OPERATOR_JAR} "
                         f"--operator-cpus {tools.PROXY_CPU} --work {tools.WORK / 'operator-scale'} "
                         f"--out {out} >&2")
        results["operator"] = json.loads(out.read_text()) if out.exists() else {"completed": False}
        if done != 0:
            results["operator"]["completed"] = False
        results["workloads"].append(report.operator_workload(results["operator"]))
    if not args.skip_jmh:
        tools.log("JMH microbenchmarks")
        results["jmh"] = report.run_jmh(tools.WORK / "jmh.json", quick)
    results["minutes"] = round((time.monotonic() - started) / 60, 1)
    report.write(results, __import__("pathlib").Path(args.explain))


def git_describe():
    try:
        return "commit " + tools.run(["git", "-C", str(tools.ROOT), "rev-parse", "--short", "HEAD"]).strip()
    except RuntimeError:
        return "unknown commit"


if __name__ == "__main__":
    main()
