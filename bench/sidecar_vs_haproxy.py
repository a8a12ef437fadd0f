#!/usr/bin/env python3
"""Sluice's sidecar and Debian's HAProxy 2.6 side by side on loopback.

Both proxies forward to the same nghttpd h2c upstream; each runs one worker thread pinned to
core 0 while the load generators and the upstream run on core 1. Workloads (HAProxy issue #2665
territory): small GETs over HTTP/1.1 keep-alive (wrk, latency percentiles) and over h2c
multiplexed (h2load), and HTTP/1.1 uploads of 1 MiB and 64 MiB converted to HTTP/2 upstream
(curl, parallel). Several alternating repetitions; medians; ratios written to
bench/results/<date>-sidecar-vs-haproxy.md. Figures, not assertions.

    python3 bench/sidecar_vs_haproxy.py            # DURATION=10 REPEAT=3 by default
"""

import datetime
import os
import pathlib
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
JAR = ROOT / "sidecar" / "proxy" / "target" / "sluice-sidecar.jar"
DURATION = int(os.environ.get("DURATION", "10"))
REPEAT = int(os.environ.get("REPEAT", "3"))
UPSTREAM, SLUICE, SLUICE_ADMIN, HAPROXY = 20081, 20080, 20090, 20180
PROXY_CPU, LOAD_CPU = "0", "1"


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def need_tools():
    missing = {"haproxy": "haproxy", "nghttpd": "nghttp2-server", "h2load": "nghttp2-client",
               "wrk": "wrk", "curl": "curl"}
    packages = [pkg for tool, pkg in missing.items() if shutil.which(tool) is None]
    if packages:
        if os.geteuid() != 0:
            sys.exit(f"bench: install {' '.join(packages)} first")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", *packages], check=True)
    if not JAR.exists():
        subprocess.run([str(ROOT / "mvnw"), "-B", "-q", "install", "-DskipTests",
                        "-pl", "sidecar/proxy", "-am"], check=True, cwd=ROOT)


def wait_port(port, proc, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit(f"bench: {' '.join(proc.args)} exited with {proc.returncode} before listening on {port}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    sys.exit(f"bench: nothing listening on {port} after {seconds}s")


def prepare():
    WORK.mkdir(parents=True, exist_ok=True)
    docroot = WORK / "docroot"
    docroot.mkdir(exist_ok=True)
    (docroot / "small").write_bytes(os.urandom(100))
    for name, size in (("1MiB", 1 << 20), ("64MiB", 64 << 20)):
        path = WORK / name
        if not path.exists() or path.stat().st_size != size:
            path.write_bytes(os.urandom(size))
    (WORK / "sidecar.yaml").write_text(f"""version: 1
admin: {{address: 127.0.0.1:{SLUICE_ADMIN}}}
listeners: [{{name: http, address: 127.0.0.1:{SLUICE}}}]
routes:
  - name: bench
    listener: http
    upstream: {{protocol: h2c, endpoints: [127.0.0.1:{UPSTREAM}]}}
    zeroCopy: true
""")
    (WORK / "haproxy.cfg").write_text(f"""# Equivalent HAProxy 2.6 setup: one thread, HTTP/1.1 and h2c (preface detection) downstream,
# HTTP/2 cleartext upstream with connection reuse, the same timeouts as the sidecar.
global
    nbthread 1
    maxconn 4000
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    option http-keep-alive
frontend fe
    bind 127.0.0.1:{HAPROXY}
    default_backend be
backend be
    http-reuse always
    server upstream 127.0.0.1:{UPSTREAM} proto h2
""")


def start_all():
    procs = [
        subprocess.Popen(["taskset", "-c", LOAD_CPU, "nghttpd", "--no-tls", "--echo-upload",
                          "-d", str(WORK / "docroot"), "-a", "127.0.0.1", str(UPSTREAM)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen(["taskset", "-c", PROXY_CPU, "haproxy", "-f", str(WORK / "haproxy.cfg")],
                         stdout=subprocess.DEVNULL),
        subprocess.Popen(["taskset", "-c", PROXY_CPU, "java", "-Xms64m", "-Xmx256m",
                          "-XX:+UseParallelGC", "-jar", str(JAR), "--threads", "1",
                          "--config", str(WORK / "sidecar.yaml")],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
    ]
    for port, proc in zip((UPSTREAM, HAPROXY, SLUICE), procs):
        wait_port(port, proc)
    return procs


def rss_kib(port):
    """Resident memory of whatever listens on port."""
    out = run(["ss", "-ltnpH", f"sport = :{port}"])
    pid = re.search(r"pid=(\d+)", out).group(1)
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def wrk_small(port):
    out = run(["taskset", "-c", LOAD_CPU, "wrk", "-t1", "-c32", f"-d{DURATION}s", "--latency",
               f"http://127.0.0.1:{port}/small"])
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p):
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {"h1 small GET req/s (wrk, 32 conns)": rps,
            "h1 small GET p50 ms": pct(50), "h1 small GET p99 ms": pct(99)}


def h2load(args):
    out = run(["taskset", "-c", LOAD_CPU, "h2load", *args])
    finished = re.search(r"finished in ([\d.]+)(ms|s), ([\d.]+) req/s", out)
    seconds = float(finished.group(1)) / (1000.0 if finished.group(2) == "ms" else 1.0)
    done = int(re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded", out).group(2))
    return seconds, float(finished.group(3)), done


def h2c_small(port):
    _, rps, _ = h2load(["-c", "8", "-m", "16", "-D", str(DURATION), f"http://127.0.0.1:{port}/small"])
    return {"h2c small GET req/s (h2load, 8 conns x 16 streams)": rps}


def curl_uploads(port, file, count, parallel):
    """count uploads of file, parallel at a time, with curl; returns wall seconds."""
    cmd = ["taskset", "-c", LOAD_CPU, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}\\n",
           "--data-binary", f"@{file}", f"http://127.0.0.1:{port}/upload"]
    started = time.monotonic()
    codes = []
    for batch in range(0, count, parallel):
        procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
                 for _ in range(min(parallel, count - batch))]
        codes += [p.communicate()[0].strip() for p in procs]
    seconds = time.monotonic() - started
    bad = [c for c in codes if c != "200"]
    if bad:
        sys.exit(f"bench: {len(bad)}/{count} uploads to {port} failed: {bad[:5]}")
    return seconds


def uploads(port):
    result = {}
    for name, size, n, parallel in (("1MiB", 1 << 20, 200, 4), ("64MiB", 64 << 20, 8, 2)):
        seconds = curl_uploads(port, WORK / name, n, parallel)
        result[f"h1->h2c {name} upload MiB/s (curl x{parallel})"] = n * size / (1 << 20) / seconds
    return result


def measure(port):
    figures = {}
    figures.update(wrk_small(port))
    figures.update(h2c_small(port))
    figures.update(uploads(port))
    figures["RSS after the runs MiB"] = rss_kib(port) / 1024
    return figures


def lower_is_better(name):
    return name.endswith(" ms") or name.startswith("RSS")


def report(runs):
    names = list(runs["HAProxy 2.6"][0].keys())
    median = {peer: {n: statistics.median(r[n] for r in rs) for n in names} for peer, rs in runs.items()}
    date = datetime.date.today().isoformat()
    lines = [f"# Sluice sidecar vs HAProxy 2.6 — {date}", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}; "
             f"{run(['haproxy', '-v']).splitlines()[0]}; "
             f"{subprocess.run(['java', '-version'], capture_output=True, text=True).stderr.splitlines()[0]}.",
             f"Setup: each proxy one worker thread on core {PROXY_CPU}; load generators and the nghttpd h2c "
             f"upstream on core {LOAD_CPU}; {DURATION}s per timed run; median of {REPEAT} alternating "
             "repetitions after a warm-up. Ratio: Sluice / HAProxy (throughput: higher is better; "
             "latency and memory: lower is better).", "",
             "| workload | HAProxy 2.6 | Sluice | ratio | target met |", "|---|---|---|---|---|"]
    for n in names:
        h, s = median["HAProxy 2.6"][n], median["Sluice"][n]
        ratio = s / h if h else float("nan")
        lower = lower_is_better(n)
        met = (ratio <= 1.0) if lower else (ratio >= 1.0)
        lines.append(f"| {n} | {h:,.2f} | {s:,.2f} | {ratio:.2f} | {'yes' if met else 'no'} |")
    write_report(lines, runs, "sidecar_vs_haproxy.py", f"{date}-sidecar-vs-haproxy.md")


def write_report(lines, runs, script, file_name):
    """Appends the raw runs and how to reproduce, writes bench/results/<file_name>, prints it."""
    lines += ["", "Raw runs:", "", "```"]
    for peer, rs in runs.items():
        for i, r in enumerate(rs):
            lines.append(f"{peer} #{i + 1}: " + ", ".join(f"{k}={v:.2f}" for k, v in r.items()))
    lines += ["```", "", f"Reproduce: `python3 bench/{script}` (DURATION and REPEAT env vars)."]
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / file_name
    path.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"\nwritten to {path}")


def main():
    need_tools()
    prepare()
    procs = start_all()
    try:
        peers = {"HAProxy 2.6": HAPROXY, "Sluice": SLUICE}
        for port in peers.values():  # warm-up (JIT, connection pools)
            run(["taskset", "-c", LOAD_CPU, "wrk", "-t1", "-c32", "-d5s", f"http://127.0.0.1:{port}/small"])
            curl_uploads(port, WORK / "1MiB", 40, 4)
        runs = {peer: [] for peer in peers}
        for i in range(REPEAT):
            for peer, port in peers.items():
                print(f"bench: {peer} run {i + 1}/{REPEAT}", file=sys.stderr)
                runs[peer].append(measure(port))
        report(runs)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(10)


if __name__ == "__main__":
    main()
