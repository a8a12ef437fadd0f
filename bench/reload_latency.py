#!/usr/bin/env python3
"""Reload latency of the standalone sidecar: time from a trigger to the new config serving.

Two triggers, alternating two real configs (two listeners' routes to an h2c upstream):
- POST /reload with the config as body: from sending the request until the answer, which comes
  once the new generation serves (and the report's own swapMillis);
- a change of the config file: from the write until /ready names the new revision (includes the
  watcher's 150 ms quiet period that coalesces bursts).
Figures, not assertions. Writes bench/results/<date>-reload-latency.md.

    python3 bench/reload_latency.py            # RELOADS=200 by default
"""

import datetime
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from harness import tools  # noqa: E402

RELOADS = int(os.environ.get("RELOADS", "200"))
WORK = tools.WORK / "reload"
LISTEN, ADMIN = 22080, 22090


def config(revision, timeout):
    return f"""version: 1
revision: {revision}
admin: {{address: 127.0.0.1:{ADMIN}}}
listeners: [{{name: http, address: 127.0.0.1:{LISTEN}}}]
rules:
  - name: r
    listener: http
    upstream: {{protocol: h2c, endpoints: [127.0.0.1:9]}}
    timeouts: {{request: {timeout}}}
"""


def http(method, path, body=None):
    request = urllib.request.Request(f"http://127.0.0.1:{ADMIN}{path}", data=body, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    if not tools.SIDECAR_JAR.exists():
        subprocess.run([str(tools.ROOT / "mvnw"), "-B", "-q", "install", "-DskipTests"], check=True, cwd=tools.ROOT)
    WORK.mkdir(parents=True, exist_ok=True)
    file = WORK / "sidecar.yaml"
    file.write_text(config("r0", "60s"))
    proc = subprocess.Popen(["java", "-jar", str(tools.SIDECAR_JAR), "--config", str(file)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        tools.wait_port(ADMIN, proc)
        for i in range(50):  # warm-up
            http("POST", "/reload", config(f"w{i}", "60s" if i % 2 else "61s").encode())
        post, swap = [], []
        for i in range(RELOADS):
            body = config(f"p{i}", "60s" if i % 2 else "61s").encode()
            started = time.perf_counter()
            status, text = http("POST", "/reload", body)
            post.append((time.perf_counter() - started) * 1000)
            if status != 200:
                sys.exit(f"bench: reload {i} answered {status}: {text}")
            swap.append(json.loads(text)["swapMillis"])
        watched = []
        for i in range(min(RELOADS, 50)):
            revision = f"f{i}"
            started = time.perf_counter()
            file.write_text(config(revision, "60s" if i % 2 else "61s"))
            while http("GET", "/ready")[1].strip() != f"ready {revision}":
                if time.perf_counter() - started > 10:
                    sys.exit(f"bench: file change {i} not served after 10 s")
                time.sleep(0.001)
            watched.append((time.perf_counter() - started) * 1000)
        report(post, swap, watched)
    finally:
        proc.terminate()
        proc.wait(10)


def report(post, swap, watched):
    date = datetime.date.today().isoformat()
    rows = [("POST /reload round trip (ms)", post), ("swapMillis in the report (ms)", swap),
            ("file change until /ready shows it (ms)", watched)]
    lines = [f"# Sidecar reload latency — {date}", "",
             f"{len(post)} reloads through POST /reload and {len(watched)} through file changes, "
             "alternating two configs, standalone sidecar jar, default threads, after 50 warm-up reloads.",
             "", "| trigger | median | p99 | max |", "|---|---|---|---|"]
    for name, values in rows:
        lines.append(f"| {name} | {statistics.median(values):.1f} | {percentile(values, 99):.1f} | {max(values):.1f} |")
    lines += ["", "The file trigger includes the watcher's 150 ms quiet period (it coalesces an editor's or the",
              "kubelet's several writes into one reload) and the 1 ms polling of /ready.", "",
              "Reproduce: `python3 bench/reload_latency.py` (RELOADS env var)."]
    path = tools.RESULTS / f"{date}-reload-latency.md"
    path.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
