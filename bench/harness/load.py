"""Load generators (wrk, h2load, curl, an idle-connection holder), all pinned to the load core."""

import re
import statistics
import subprocess
import sys
import threading
import time

from . import tools


def wrk_max(port, path, duration, connections=32):
    """Closed-loop HTTP/1.1 keep-alive load: requests/s."""
    out = tools.run(tools.pinned(tools.LOAD_CPU, ["wrk", "-t1", f"-c{connections}", f"-d{duration}s",
                                                  f"http://127.0.0.1:{port}{path}"]))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"wrk against {port}{path}: {errors.group(1)} non-2xx responses")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def h2load(url, duration, clients, streams=1, rps=None, h1=False, log_file=None):
    """h2load over h2c, h2 (https) or HTTP/1.1; returns requests/s, counts and, with log_file,
    latency percentiles in ms of the successful requests."""
    cmd = ["h2load", "-c", str(clients), "-m", str(streams), "-D", str(duration)]
    if rps:
        cmd += ["--rps", str(rps)]
    if h1:
        cmd += ["--h1"]
    if log_file:
        cmd += ["--log-file", str(log_file)]
    out = tools.run(tools.pinned(tools.LOAD_CPU, [*cmd, url]))
    finished = re.search(r"finished in ([\d.]+)(ms|s), ([\d.]+) req/s", out)
    counts = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, "
                       r"(\d+) errored, (\d+) timeout", out)
    status = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", out)
    result = {"req/s": float(finished.group(3)), "succeeded": int(counts.group(4)),
              "failed": int(counts.group(5)) + int(counts.group(6)) + int(counts.group(7)),
              "non-2xx": int(status.group(3)) + int(status.group(4)) if status else 0}
    if log_file:
        result.update(percentiles(log_file))
    return result


def percentiles(log_file):
    """p50/p99/max in ms over h2load's per-request log (2xx only)."""
    durations = []
    with open(log_file) as f:
        for line in f:
            parts = line.split("\t")
            if len(parts) >= 3 and parts[1].startswith("2"):
                durations.append(int(parts[2]) / 1000.0)
    if not durations:
        raise RuntimeError(f"no successful request in {log_file}")
    durations.sort()
    def pct(p):
        return durations[min(len(durations) - 1, int(len(durations) * p / 100))]
    return {"p50 ms": pct(50), "p99 ms": pct(99), "p99.9 ms": pct(99.9), "max ms": durations[-1],
            "samples": len(durations),
            "mean ms": statistics.fmean(durations)}


def curl_uploads(url, file, count, parallel, h2c=False):
    """count uploads of file (streamed with -T, as POST), parallel at a time; returns MiB/s.
    Every answer must be 200 with the whole body echoed back."""
    size = file.stat().st_size
    cmd = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}\\n", "-X", "POST",
           "-T", str(file), "-H", "Content-Type: application/octet-stream"]
    if h2c:
        cmd += ["--http2-prior-knowledge"]
    started = time.monotonic()
    answers = []
    for batch in range(0, count, parallel):
        procs = [subprocess.Popen(tools.pinned(tools.LOAD_CPU, [*cmd, url]), stdout=subprocess.PIPE, text=True)
                 for _ in range(min(parallel, count - batch))]
        answers += [p.communicate()[0].strip() for p in procs]
    seconds = time.monotonic() - started
    bad = [a for a in answers if a != f"200 {size}"]
    if bad:
        raise RuntimeError(f"{len(bad)}/{count} uploads to {url} failed or came back short: {bad[:3]}")
    return count * size / 1048576 / seconds


class PeakRss:
    """Samples a process's resident memory every 50 ms while running; with smaps, also its PSS and
    USS (peaks in peak_pss, peak_uss; every 200 ms: reading smaps_rollup walks the whole address
    space, which a JVM reserves a lot of)."""

    def __init__(self, pid, smaps=False):
        self.pid, self.smaps = pid, smaps
        self.peak = self.peak_pss = self.peak_uss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def _run(self):
        tick = 0
        while not self._stop.is_set():
            try:
                if self.smaps and tick % 4 == 0:
                    f = tools.footprint_kib(self.pid)
                    self.peak, self.peak_pss = max(self.peak, f["rss"]), max(self.peak_pss, f["pss"])
                    self.peak_uss = max(self.peak_uss, f["uss"])
                else:
                    self.peak = max(self.peak, tools.rss_kib(self.pid))
            except OSError:
                pass
            tick += 1
            time.sleep(0.05)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def hold_idle_connections(port, count):
    """Starts a helper that opens count keep-alive connections (one GET each) and holds them;
    returns it once all are open. Close its stdin to let them go."""
    proc = subprocess.Popen(tools.pinned(tools.LOAD_CPU, [sys.executable, "-m", "harness.idle_clients",
                                                          str(port), str(count)]),
                            cwd=tools.ROOT / "bench", stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    if not line.startswith("ready"):
        proc.kill()
        raise RuntimeError(f"idle clients on {port}: {line or 'exited'}")
    return proc
