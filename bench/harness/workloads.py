"""The six workloads. Each measures every peer it applies to, REPEAT times in alternating order
after a warm-up, and returns its figures (medians) with the raw runs."""

import statistics
import threading
import time

from . import load, tools
from .peers import PEERS, PORTS, PROXIES, max_connections

# Fixed-rate latency: total requests/s spread over the clients (well below every peer's maximum,
# so the figure is the time a request takes, not the time it queues).
H1_CLIENTS, H1_RATE = 32, 10_000
H2C_CLIENTS, H2C_STREAMS, H2C_RATE = 8, 16, 10_000
OFFLOAD_RATE = 5_000
# 10,000, or what fits: HAProxy needs two descriptors per connection, and where the hard limit on
# open files cannot be raised (20,000 in this container) it takes at most (limit - 28) / 2.
IDLE_CONNECTIONS = min(10_000, max_connections() - 50)


class Settings:
    def __init__(self, duration, repeat, warmup, work):
        self.duration, self.repeat, self.warmup, self.work = duration, repeat, warmup, work


def figure(name, unit, better, values, target=True):
    """target=False: reported beside the targets (a cost, a context), not one of them."""
    return {"name": f"{name} ({unit})" if unit else name, "better": better, "values": values,
            "target": target}


def at_max(peer, stack, run, requests):
    """run() at the maximum rate; its result, the proxy's CPU microseconds per request (proxies
    only) and how busy the load core was (per cent)."""
    with tools.CpuUse(stack.pid(peer) if peer in PROXIES else None, tools.LOAD_CPU) as use:
        result = run()
    return result, use.micros_per(requests(result)), use.busy * 100


def load_core_note(medians, key, what):
    """Where the load core was (nearly) saturated, a maximum says more about it than the proxy."""
    busy = {p: m[key] for p, m in medians.items() if m.get(key) is not None}
    shares = ", ".join(f"{p} {b:.0f} %" for p, b in busy.items())
    note = f"Load core busy during {what}: {shares}."
    saturated = [p for p, b in busy.items() if b >= 90]
    if saturated:
        note += (f" At 90 % and more ({', '.join(saturated)}) the load generator and upstream on that "
                 "core set the pace: such a maximum measures them more than the proxy, whose cost is "
                 "its CPU per request.")
    return note


def repeat(settings, peers, measure, warm=None):
    """measure(peer) -> {figure: value}, run REPEAT times per peer (alternating); medians."""
    if warm:
        for peer in peers:
            tools.log(f"  warm-up {peer} ({settings.warmup}s)")
            warm(peer)
    runs = {peer: [] for peer in peers}
    for i in range(settings.repeat):
        order = peers if i % 2 == 0 else tuple(reversed(peers))
        for peer in order:
            tools.log(f"  {peer} run {i + 1}/{settings.repeat}")
            runs[peer].append(measure(peer))
    medians = {peer: {k: median(r[k] for r in rs) for k in rs[0]} for peer, rs in runs.items()}
    return medians, runs


def median(values):
    """The median of the values measured; None where a figure does not apply (direct's proxy CPU)."""
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def small_requests(s, stack):
    """(1) Small GETs: HTTP/1.1 keep-alive (wrk, to nginx behind) and h2c multiplexed (h2load,
    to nghttpd behind): maximum requests/s, and p50/p99 at a fixed rate."""
    def warm(peer):
        load.wrk_max(PORTS[peer]["h1"], "/small", s.warmup)
        load.h2load(f"http://127.0.0.1:{PORTS[peer]['h2c']}/small", s.warmup, H2C_CLIENTS, H2C_STREAMS)

    def measure(peer):
        h1, h2c = PORTS[peer]["h1"], PORTS[peer]["h2c"]
        out = {}
        out["h1 max"], out["h1 cpu"], out["h1 load"] = at_max(
            peer, stack, lambda: load.wrk_max(h1, "/small", s.duration, H1_CLIENTS),
            lambda rate: rate * s.duration)
        fixed = load.h2load(f"http://127.0.0.1:{h1}/small", s.duration, H1_CLIENTS, 1,
                            rps=H1_RATE // H1_CLIENTS, h1=True, log_file=s.work / "h1.log")
        out.update({"h1 p50": fixed["p50 ms"], "h1 p99": fixed["p99 ms"]})
        r, out["h2c cpu"], out["h2c load"] = at_max(
            peer, stack, lambda: load.h2load(f"http://127.0.0.1:{h2c}/small", s.duration, H2C_CLIENTS,
                                             H2C_STREAMS), lambda r: r["succeeded"])
        out["h2c max"] = r["req/s"]
        fixed = load.h2load(f"http://127.0.0.1:{h2c}/small", s.duration, H2C_CLIENTS, H2C_STREAMS,
                            rps=H2C_RATE // H2C_CLIENTS, log_file=s.work / "h2c.log")
        out.update({"h2c p50": fixed["p50 ms"], "h2c p99": fixed["p99 ms"]})
        return out

    medians, runs = repeat(s, PEERS, measure, warm)
    def v(k):
        return {p: medians[p].get(k) for p in PEERS}
    return {
        "id": "small-requests", "title": "Small requests",
        "setup": (f"GET of 100 bytes. HTTP/1.1: wrk, 1 thread, {H1_CLIENTS} keep-alive connections, "
                  f"proxies forward to nginx over HTTP/1.1. h2c: h2load, {H2C_CLIENTS} connections x "
                  f"{H2C_STREAMS} streams, proxies forward to nghttpd over h2c. Latency: h2load at a fixed "
                  f"{H1_RATE:,} req/s (HTTP/1.1) and {H2C_RATE:,} req/s (h2c), every request logged."),
        "figures": [
            figure("HTTP/1.1 max", "req/s", "higher", v("h1 max")),
            figure(f"HTTP/1.1 p50 at {H1_RATE // 1000}k req/s", "ms", "lower", v("h1 p50")),
            figure(f"HTTP/1.1 p99 at {H1_RATE // 1000}k req/s", "ms", "lower", v("h1 p99")),
            figure("h2c max", "req/s", "higher", v("h2c max")),
            figure(f"h2c p50 at {H2C_RATE // 1000}k req/s", "ms", "lower", v("h2c p50")),
            figure(f"h2c p99 at {H2C_RATE // 1000}k req/s", "ms", "lower", v("h2c p99")),
            figure("HTTP/1.1 proxy CPU per request at max", "us", "lower", v("h1 cpu"), target=False),
            figure("h2c proxy CPU per request at max", "us", "lower", v("h2c cpu"), target=False),
        ],
        "notes": [load_core_note(medians, "h1 load", "the HTTP/1.1 max runs (wrk, nginx)"),
                  load_core_note(medians, "h2c load", "the h2c max runs (h2load, nghttpd)")],
        "raw": runs,
    }


def uploads(s, stack):
    """(2) HTTP/1.1 uploads converted to h2c upstream (the HAProxy #2665 path), echoed back."""
    files = {}
    for name, size in (("1MiB", 1 << 20), ("64MiB", 64 << 20)):
        path = s.work / name
        if not path.exists() or path.stat().st_size != size:
            with open(path, "wb") as f:
                f.write(bytes(range(256)) * (size // 256))
        files[name] = path
    counts = {"1MiB": (max(20, 20 * s.duration), 4), "64MiB": (max(2, s.duration), 2)}

    def url(peer):
        return f"http://127.0.0.1:{PORTS[peer]['h2c']}/upload"

    def warm(peer):
        load.curl_uploads(url(peer), files["1MiB"], 40, 4, h2c=peer == "direct")

    def measure(peer):
        return {name: load.curl_uploads(url(peer), files[name], *counts[name], h2c=peer == "direct")
                for name in files}

    medians, runs = repeat(s, PEERS, measure, warm)
    return {
        "id": "uploads", "title": "h1 to h2c uploads",
        "setup": ("curl POSTs (content-length, streamed) through the proxy's HTTP/1.1 side to nghttpd "
                  f"over h2c, which echoes the body back; 1 MiB x {counts['1MiB'][0]} four at a time, "
                  f"64 MiB x {counts['64MiB'][0]} two at a time; every answer checked for status 200 "
                  "and the full length. direct: curl speaks h2c to nghttpd itself."),
        "figures": [figure(f"{n} uploads", "MiB/s", "higher", {p: medians[p][n] for p in PEERS})
                    for n in files],
        "raw": runs,
    }


def h2_streams(s, stack):
    """(3) h2 -> h2 over TLS, 100 concurrent streams on one connection."""
    def url(peer):
        return f"https://127.0.0.1:{PORTS[peer]['tls']}/16k"

    def warm(peer):
        load.h2load(url(peer), s.warmup, 1, 100)

    def measure(peer):
        r = load.h2load(url(peer), s.duration, 1, 100, log_file=s.work / "h2.log")
        if r["failed"] or r["non-2xx"]:
            raise RuntimeError(f"h2 streams through {peer}: {r}")
        return {"req/s": r["req/s"], "p50": r["p50 ms"], "p99": r["p99 ms"]}

    medians, runs = repeat(s, PEERS, measure, warm)
    def v(k):
        return {p: medians[p][k] for p in PEERS}
    return {
        "id": "h2-streams", "title": "h2 to h2, 100 streams",
        "setup": ("h2load over TLS (ALPN h2), 1 connection with 100 concurrent streams, GET of 16 KiB; "
                  "the proxies forward over h2 with TLS to nghttpd (certificate not verified, as "
                  "HAProxy's 'verify none'). Latency of every request at that concurrency."),
        "figures": [figure("h2 streams", "req/s", "higher", v("req/s")),
                    figure("h2 streams p50", "ms", "lower", v("p50")),
                    figure("h2 streams p99", "ms", "lower", v("p99"))],
        "raw": runs,
    }


def offload(s, stack):
    """(4) One request-phase SPOE message per request to the same agent."""
    def warm(peer):
        load.wrk_max(PORTS[peer]["offload"], "/small", s.warmup)

    def fixed(port, name):
        return load.h2load(f"http://127.0.0.1:{port}/small", s.duration, H1_CLIENTS, 1,
                           rps=OFFLOAD_RATE // H1_CLIENTS, h1=True, log_file=s.work / f"{name}.log")

    def measure(peer):
        with_, without = fixed(PORTS[peer]["offload"], "offload"), fixed(PORTS[peer]["h1"], "plain")
        rate, cpu, busy = at_max(
            peer, stack, lambda: load.wrk_max(PORTS[peer]["offload"], "/small", s.duration, H1_CLIENTS),
            lambda rate: rate * s.duration)
        return {"max": rate, "cpu": cpu, "load": busy,
                "added p50": with_["p50 ms"] - without["p50 ms"],
                "added p99": with_["p99 ms"] - without["p99 ms"],
                "p50": with_["p50 ms"], "p99": with_["p99 ms"]}

    medians, runs = repeat(s, PROXIES, measure, warm)
    def v(k):
        return {p: medians[p].get(k) if p in medians else None for p in PEERS}
    return {
        "id": "offload", "title": "One offload message per request",
        "setup": ("HTTP/1.1 GETs to nginx; each request first sends one request-phase message "
                  "(check-client-ip with the client address) to the example IP reputation agent "
                  "(Sluice's agent SDK, one thread, on the load core) and sets a request header from "
                  f"the score. Added latency: p50/p99 at {OFFLOAD_RATE:,} req/s with the message minus "
                  "without it, same proxy, same run. Max: wrk with 32 connections."),
        "figures": [figure("with offload, max", "req/s", "higher", v("max")),
                    figure(f"added p50 at {OFFLOAD_RATE // 1000}k req/s", "ms", "lower", v("added p50")),
                    figure(f"added p99 at {OFFLOAD_RATE // 1000}k req/s", "ms", "lower", v("added p99")),
                    figure("proxy CPU per request at max", "us", "lower", v("cpu"), target=False)],
        "notes": [load_core_note(medians, "load", "the max runs (wrk, nginx and the agent)")],
        "raw": runs,
    }


def reload_storm(s, stack):
    """(5) Latency at a fixed rate while the proxy reloads once per second."""
    seconds = max(10, 2 * s.duration)

    def measure(peer):
        stop = threading.Event()
        reloads = [0]

        def storm():
            config = "b"
            while not stop.wait(1.0):
                stack.reload(peer, config)
                reloads[0] += 1
                config = "a" if config == "b" else "b"

        thread = threading.Thread(target=storm, daemon=True)
        if peer != "direct":
            thread.start()
        try:
            r = load.h2load(f"http://127.0.0.1:{PORTS[peer]['h1']}/small", seconds, H1_CLIENTS, 1,
                            rps=H1_RATE // H1_CLIENTS, h1=True, log_file=s.work / "storm.log")
        finally:
            stop.set()
            if peer != "direct":
                thread.join()
        return {"p50": r["p50 ms"], "p99": r["p99 ms"], "p99.9": r["p99.9 ms"],
                "failed": float(r["failed"] + r["non-2xx"]), "reloads": float(reloads[0])}

    medians, runs = repeat(s, PEERS, measure)
    def v(k):
        return {p: medians[p][k] for p in PEERS}
    return {
        "id": "reload-storm", "title": "Latency during a reload storm",
        "setup": (f"h2load, HTTP/1.1, {H1_CLIENTS} keep-alive connections at a fixed {H1_RATE:,} req/s "
                  f"for {seconds}s while the proxy reloads every second between two configurations "
                  "(Sluice: POST /reload; HAProxy: SIGUSR2 to its master, which starts a new worker). "
                  "direct: the same load without a proxy or reloads."),
        "figures": [figure("p50 during reloads", "ms", "lower", v("p50")),
                    figure("p99 during reloads", "ms", "lower", v("p99")),
                    figure("p99.9 during reloads", "ms", "lower", v("p99.9")),
                    figure("failed requests", "", "lower", v("failed"))],
        "raw": runs,
    }


REST_SECONDS = 15


def memory(s, stack):
    """(6) Resident memory: 10,000 idle keep-alive connections; a 1 GiB upload."""
    big = s.work / "1GiB"
    if not big.exists() or big.stat().st_size != 1 << 30:
        with open(big, "wb") as f:
            f.truncate(1 << 30)  # sparse: zeros, read at memory speed

    def measure(peer):
        pid = stack.pid(peer)
        # At rest means without traffic for a while, not the instant the previous workload ended:
        # the JIT's compiler arenas from that workload go back to the OS at the sidecar's next C-heap
        # trim (every 5 s), HAProxy's pools stay as they are.
        time.sleep(REST_SECONDS)
        base = tools.rss_kib(pid)
        holder = load.hold_idle_connections(PORTS[peer]["h1"], IDLE_CONNECTIONS)
        try:
            time.sleep(2)
            idle = tools.rss_kib(stack.pid(peer))
        finally:
            holder.stdin.close()
            holder.wait(60)
        time.sleep(2)
        with load.PeakRss(stack.pid(peer)) as peak:
            load.curl_uploads(f"http://127.0.0.1:{PORTS[peer]['h2c']}/upload", big, 1, 1)
        return {"before": base / 1024, "idle": idle / 1024, "upload": peak.peak / 1024}

    medians, runs = repeat(s, PROXIES, measure)
    def v(k):
        return {p: medians[p][k] if p in medians else None for p in PEERS}
    return {
        "id": "memory", "title": "Memory",
        "setup": (f"Resident set size of the proxy process (HAProxy: its worker). At rest: after {REST_SECONDS} s "
                  f"without traffic, following the other workloads. Idle: {IDLE_CONNECTIONS:,} "
                  "HTTP/1.1 keep-alive connections, each after one GET, held open. Upload: peak, sampled "
                  "every 50 ms, while one 1 GiB HTTP/1.1 upload streams to nghttpd over h2c and back. "
                  "No figure for direct: there is no proxy process."),
        "figures": [figure("RSS at rest after the runs", "MiB", "lower", v("before")),
                    figure(f"RSS with {IDLE_CONNECTIONS:,} idle connections", "MiB", "lower", v("idle")),
                    figure("peak RSS during a 1 GiB upload", "MiB", "lower", v("upload"))],
        "raw": runs,
    }


def footprint(s, stack):
    from . import footprint as per_pod
    return per_pod.workload(s, stack)


ALL = {"small-requests": small_requests, "uploads": uploads, "h2-streams": h2_streams,
       "offload": offload, "reload-storm": reload_storm, "memory": memory, "footprint": footprint}
