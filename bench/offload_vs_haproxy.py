#!/usr/bin/env python3
"""Offload cost: Sluice's sidecar and Debian's HAProxy 2.6 calling the same SPOE agent.

Both proxies forward HTTP/1.1 GETs to the same nghttpd h2c upstream; with offload on, each
request first sends one request-phase message (check-client-ip, the client address) to the
example IP reputation agent (examples/ip-reputation-agent, built on Sluice's agent SDK) and sets
a request header from the score it returns. Each proxy runs one worker thread pinned to core 0;
wrk, nghttpd and the agent share core 1. Figures: requests/s and p50/p99 with and without the
offload step, and the latency the step adds, per proxy. Writes
bench/results/<date>-offload-vs-haproxy.md. Figures, not assertions.

    python3 bench/offload_vs_haproxy.py            # DURATION=10 REPEAT=3 by default
"""

import datetime
import os
import pathlib
import platform
import statistics
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import sidecar_vs_haproxy as base  # noqa: E402  (shared helpers: run, wait_port, wrk_small)

ROOT = base.ROOT
WORK = base.WORK / "offload"
AGENT_JAR = ROOT / "examples" / "ip-reputation-agent" / "target" / "ip-reputation-agent.jar"
UPSTREAM, AGENT = 21081, 21345
SLUICE, SLUICE_OFF, SLUICE_ADMIN = 21080, 21082, 21090
HAPROXY, HAPROXY_OFF = 21180, 21182


def prepare():
    WORK.mkdir(parents=True, exist_ok=True)
    docroot = WORK / "docroot"
    docroot.mkdir(exist_ok=True)
    (docroot / "small").write_bytes(os.urandom(100))
    (WORK / "sidecar.yaml").write_text(f"""version: 1
admin: {{address: 127.0.0.1:{SLUICE_ADMIN}}}
listeners:
  - {{name: offload, address: 127.0.0.1:{SLUICE}}}
  - {{name: plain, address: 127.0.0.1:{SLUICE_OFF}}}
routes:
  - name: checked
    listener: offload
    upstream: {{protocol: h2c, endpoints: [127.0.0.1:{UPSTREAM}]}}
    offload: [{{agent: iprep}}]
    actions:
      - setRequestHeader: {{name: X-IP-Score, fromVariable: txn.iprep.ip_score}}
  - name: plain
    listener: plain
    upstream: {{protocol: h2c, endpoints: [127.0.0.1:{UPSTREAM}]}}
agents:
  - name: iprep
    endpoints: [127.0.0.1:{AGENT}]
    maxConnections: 8
    timeouts: {{processing: 2s}}
    messages: [{{name: check-client-ip, args: [{{name: ip, value: src}}]}}]
    variables: {{prefix: iprep, onError: error}}
""")
    (WORK / "spoe.cfg").write_text(f"""[iprep]
spoe-agent iprep-agent
    messages check-client-ip
    option var-prefix iprep
    option set-on-error error
    timeout hello 2s
    timeout idle 30s
    timeout processing 2s
    use-backend agents
spoe-message check-client-ip
    args ip=src
    event on-frontend-http-request
""")
    (WORK / "haproxy.cfg").write_text(f"""# One thread; the same agent, message and timeouts as the sidecar.
global
    nbthread 1
    maxconn 4000
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    option http-keep-alive
frontend checked
    bind 127.0.0.1:{HAPROXY}
    filter spoe engine iprep config {WORK / "spoe.cfg"}
    http-request set-header X-IP-Score %[var(txn.iprep.ip_score)]
    default_backend be
frontend plain
    bind 127.0.0.1:{HAPROXY_OFF}
    default_backend be
backend be
    http-reuse always
    server upstream 127.0.0.1:{UPSTREAM} proto h2
backend agents
    mode tcp
    server a1 127.0.0.1:{AGENT}
""")


def start_all():
    procs = [
        subprocess.Popen(["taskset", "-c", base.LOAD_CPU, "nghttpd", "--no-tls",
                          "-d", str(WORK / "docroot"), "-a", "127.0.0.1", str(UPSTREAM)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen(["taskset", "-c", base.LOAD_CPU, "java", "-Xmx128m", "-jar", str(AGENT_JAR),
                          "--listen", f"127.0.0.1:{AGENT}"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen(["taskset", "-c", base.PROXY_CPU, "haproxy", "-f", str(WORK / "haproxy.cfg")],
                         stdout=subprocess.DEVNULL),
        subprocess.Popen(["taskset", "-c", base.PROXY_CPU, "java", "-Xms64m", "-Xmx256m",
                          "-XX:+UseParallelGC", "-jar", str(base.JAR), "--threads", "1",
                          "--config", str(WORK / "sidecar.yaml")],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
    ]
    for port, proc in zip((UPSTREAM, AGENT, HAPROXY, SLUICE), procs):
        base.wait_port(port, proc)
    return procs


def need_jars():
    if not base.JAR.exists() or not AGENT_JAR.exists():
        subprocess.run([str(ROOT / "mvnw"), "-B", "-q", "install", "-DskipTests"], check=True, cwd=ROOT)


def main():
    base.need_tools()
    need_jars()
    prepare()
    procs = start_all()
    peers = {"HAProxy 2.6": (HAPROXY_OFF, HAPROXY), "Sluice": (SLUICE_OFF, SLUICE)}
    try:
        for plain, checked in peers.values():  # warm-up: JIT, agent connections
            for port in (plain, checked):
                base.run(["taskset", "-c", base.LOAD_CPU, "wrk", "-t1", "-c32", "-d5s",
                          f"http://127.0.0.1:{port}/small"])
        runs = {peer: [] for peer in peers}
        for i in range(base.REPEAT):
            for peer, (plain, checked) in peers.items():
                print(f"bench: {peer} run {i + 1}/{base.REPEAT}", file=sys.stderr)
                without, with_offload = base.wrk_small(plain), base.wrk_small(checked)
                runs[peer].append({
                    "req/s without offload": without["h1 small GET req/s (wrk, 32 conns)"],
                    "req/s with one request-phase message": with_offload["h1 small GET req/s (wrk, 32 conns)"],
                    "p50 ms without offload": without["h1 small GET p50 ms"],
                    "p50 ms with offload": with_offload["h1 small GET p50 ms"],
                    "p99 ms without offload": without["h1 small GET p99 ms"],
                    "p99 ms with offload": with_offload["h1 small GET p99 ms"],
                })
        report(runs)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(10)


def report(runs):
    names = list(next(iter(runs.values()))[0].keys())
    median = {peer: {n: statistics.median(r[n] for r in rs) for n in names} for peer, rs in runs.items()}
    for peer in median:
        m = median[peer]
        m["added p50 ms"] = m["p50 ms with offload"] - m["p50 ms without offload"]
        m["added p99 ms"] = m["p99 ms with offload"] - m["p99 ms without offload"]
    names += ["added p50 ms", "added p99 ms"]
    date = datetime.date.today().isoformat()
    lines = [f"# Offload cost: Sluice sidecar vs HAProxy 2.6 — {date}", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores; "
             f"{base.run(['haproxy', '-v']).splitlines()[0]}.",
             f"Setup: each proxy one worker thread on core {base.PROXY_CPU}; wrk (1 thread, 32 "
             f"connections, {base.DURATION}s), the nghttpd h2c upstream and the example IP reputation "
             f"agent (Sluice's SDK, one I/O thread) on core {base.LOAD_CPU}. With offload, every request "
             "sends one request-phase message (check-client-ip with the client address) and sets a "
             "request header from the answer. Median of "
             f"{base.REPEAT} alternating repetitions after a warm-up. Ratio: Sluice / HAProxy.", "",
             "| figure | HAProxy 2.6 | Sluice | ratio |", "|---|---|---|---|"]
    for n in names:
        h, s = median["HAProxy 2.6"][n], median["Sluice"][n]
        ratio = s / h if h else float("nan")
        lines.append(f"| {n} | {h:,.2f} | {s:,.2f} | {ratio:.2f} |")
    base.write_report(lines, runs, "offload_vs_haproxy.py", f"{date}-offload-vs-haproxy.md")


if __name__ == "__main__":
    main()
