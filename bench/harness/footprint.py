"""What a sidecar per pod costs in memory: several sidecars side by side, as pods on one node.

    cd bench && python3 -m harness.footprint                 # the sidecar's flags, 4 sidecars
    cd bench && python3 -m harness.footprint --flags "-Xmx64m -XX:+UseSerialGC" --java /usr/bin/java

Starts N sidecars (and, with --haproxy, N HAProxy 2.6 processes) on the proxy core, each with its
own listeners forwarding HTTP/1.1 to nginx and h2c to nghttpd, then for each: RSS, PSS and USS
(private clean + dirty pages: what the node pays for this process alone when the others share the
image's files) at start, at rest after load (every proxy in turn gets h2load over h2c, wrk over
HTTP/1.1 and one 64 MiB upload, then REST seconds without traffic), with IDLE keep-alive
connections open on the first one, and at rest again after they closed. Figures, never assertions.
"""

import argparse
import json
import os
import pathlib
import shlex
import statistics
import subprocess
import sys
import time

from . import load, peers, tools

BASE_PORT = 24000
REST = 15
COUNT = 4


def sidecar_ports(i):
    base = BASE_PORT + 10 * i
    return {"h1": base, "h2c": base + 1, "admin": base + 2}


def haproxy_ports(i):
    base = BASE_PORT + 500 + 10 * i
    return {"h1": base, "h2c": base + 1}


def sidecar_config(i):
    p = sidecar_ports(i)
    return f"""version: 1
admin: {{address: 127.0.0.1:{p['admin']}}}
listeners:
  - {{name: h1, address: 127.0.0.1:{p['h1']}}}
  - {{name: h2c, address: 127.0.0.1:{p['h2c']}}}
rules:
  - name: h1
    listener: h1
    upstream: {{protocol: http1, endpoints: [127.0.0.1:{peers.NGINX}]}}
    zeroCopy: true
  - name: h2c
    listener: h2c
    upstream: {{protocol: h2c, endpoints: [127.0.0.1:{peers.H2C}]}}
    zeroCopy: true
"""


def median_spread(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def mib(kib):
    return round(kib / 1024, 1)


def run(work, java, flags, count, with_haproxy, idle, load_seconds, upload, upstreams=True):
    """One whole sequence; returns {peer: {phase: {rss, pss, uss: median/min/max MiB}}}.
    upstreams=False: nginx and nghttpd are already running (the bench's stack started them)."""
    work.mkdir(parents=True, exist_ok=True)
    docroot = work / "docroot"
    if upstreams:
        docroot = peers.prepare(work)
    upload_file = work / "64MiB"
    if not upload_file.exists():
        upload_file.write_bytes(os.urandom(64 << 20))
    procs = []
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}

    def spawn(cmd, port, **kw):
        proc = subprocess.Popen(cmd, **kw)
        procs.append(proc)
        tools.wait_port(port, proc)
        return proc

    members = {"Sluice": [], "HAProxy 2.6": []}
    try:
        if upstreams:
            spawn(tools.pinned(tools.LOAD_CPU, ["nginx", "-c", work / "nginx.conf", "-g", "daemon off;"]),
                  peers.NGINX, **quiet)
            spawn(tools.pinned(tools.LOAD_CPU, ["nghttpd", "--no-tls", "--echo-upload", "-d", docroot,
                                                "-a", "127.0.0.1", peers.H2C]), peers.H2C, **quiet)
        for i in range(count):
            config = work / f"footprint-sidecar-{i}.yaml"
            config.write_text(sidecar_config(i))
            spawn(tools.pinned(tools.PROXY_CPU, [java, *flags, "-jar", tools.SIDECAR_JAR, "--threads", "1",
                                                 "--config", config]),
                  sidecar_ports(i)["h1"], stdout=subprocess.DEVNULL,
                  stderr=open(work / f"footprint-sidecar-{i}.log", "w"), env={**os.environ, **peers.SIDECAR_ENV})
            members["Sluice"].append(sidecar_ports(i))
            if with_haproxy:
                cfg = work / f"footprint-haproxy-{i}.cfg"
                cfg.write_text(peers.haproxy_config(haproxy_ports(i), work))
                spawn(tools.pinned(tools.PROXY_CPU, ["haproxy", "-f", cfg]), haproxy_ports(i)["h1"], **quiet)
                members["HAProxy 2.6"].append(haproxy_ports(i))
        if not with_haproxy:
            del members["HAProxy 2.6"]
        for ports in [p for group in members.values() for p in group]:
            for port in ports.values():
                tools.wait_port(port, None)

        phases = {}

        def sample(phase):
            for peer, group in members.items():
                figures = [tools.footprint_kib(tools.listener_pid(p["h1"])) for p in group]
                phases.setdefault(peer, {})[phase] = {
                    k: median_spread([mib(f[k]) for f in figures]) for k in ("rss", "pss", "uss")}
                phases[peer][phase]["each uss"] = [mib(f["uss"]) for f in figures]
            tools.log(f"footprint {phase}: " + "; ".join(
                f"{peer} USS {phases[peer][phase]['uss']['median']} MiB (each {phases[peer][phase]['each uss']})"
                for peer in members))

        time.sleep(5)
        sample("started")
        throughput = {}
        cpu = {}
        for peer, group in members.items():
            for p in group:
                pid = tools.listener_pid(p["h1"])
                with tools.CpuUse(pid, tools.LOAD_CPU) as use:
                    h2 = load.h2load(f"http://127.0.0.1:{p['h2c']}/small", load_seconds, 8, 16)
                throughput.setdefault(peer, {}).setdefault("h2c req/s", []).append(h2["req/s"])
                cpu.setdefault(peer, {}).setdefault("h2c µs/req", []).append(
                    use.micros_per(h2["succeeded"]))
                with tools.CpuUse(pid, tools.LOAD_CPU) as use:
                    h1 = load.wrk_max(p["h1"], "/small", load_seconds)
                throughput[peer].setdefault("h1 req/s", []).append(h1)
                if upload:
                    throughput[peer].setdefault("64 MiB upload MiB/s", []).append(
                        load.curl_uploads(f"http://127.0.0.1:{p['h2c']}/upload", upload_file, 1, 1))
        time.sleep(REST)
        sample("at rest after load")
        if idle:
            for peer, group in members.items():
                port = group[0]["h1"]
                holder = load.hold_idle_connections(port, idle)
                try:
                    time.sleep(3)
                    f = tools.footprint_kib(tools.listener_pid(port))
                    phases[peer][f"{idle:,} idle connections (first one)"] = {
                        k: mib(v) for k, v in f.items()}
                    tools.log(f"footprint {peer} with {idle:,} idle connections: USS {mib(f['uss'])} MiB")
                finally:
                    holder.stdin.close()
                    holder.wait(60)
            time.sleep(REST + 5)
            sample("at rest after the idle connections closed")
            for peer, group in members.items():  # the one that held them
                f = tools.footprint_kib(tools.listener_pid(group[0]["h1"]))
                phases[peer]["the first one, at rest after its idle connections closed"] = {
                    k: mib(v) for k, v in f.items()}
        return {"phases": phases,
                "throughput": {peer: {k: median_spread(v) for k, v in t.items()} for peer, t in throughput.items()},
                "cpu": {peer: {k: median_spread(v) for k, v in t.items()} for peer, t in cpu.items()}}
    finally:
        tools.stop(procs)


def workload(settings, stack):
    """(7) Memory per pod: 4 sidecars and 4 HAProxy processes side by side (the bench's upstreams)."""
    from .workloads import IDLE_CONNECTIONS, figure
    result = run(settings.work / "footprint", "java", peers.SIDECAR_JVM, COUNT, True, IDLE_CONNECTIONS,
                 settings.duration, True, upstreams=False)
    phases = result["phases"]
    idle_phase = next((k for k in phases["Sluice"] if "idle connections (first" in k), None)

    def uss(phase):
        return {p: (phases[p][phase]["uss"]["median"] if p in phases else None) for p in peers.PEERS}

    def each(phase, kind):
        return {p: (phases[p][phase][kind]["median"] if p in phases else None) for p in peers.PEERS}

    figures = [figure(f"USS per proxy at rest after load, {COUNT} side by side", "MiB", "lower",
                      uss("at rest after load")),
               figure("PSS per proxy at rest after load", "MiB", "lower", each("at rest after load", "pss"),
                      target=False),
               figure("RSS per proxy at rest after load", "MiB", "lower", each("at rest after load", "rss"),
                      target=False),
               figure("USS per proxy when started", "MiB", "lower", uss("started"), target=False)]
    if idle_phase:
        figures.append(figure(f"USS with {IDLE_CONNECTIONS:,} idle connections (one of them)", "MiB", "lower",
                              {p: (phases[p][idle_phase]["uss"] if p in phases else None) for p in peers.PEERS},
                              target=False))
        after = "the first one, at rest after its idle connections closed"
        figures.append(figure(f"USS of that one, {REST + 5} s after they closed", "MiB", "lower",
                              {p: (phases[p][after]["uss"] if p in phases else None) for p in peers.PEERS},
                              target=False))
    return {
        "id": "footprint", "title": "Memory per pod",
        "setup": (f"{COUNT} sidecars and {COUNT} HAProxy 2.6 processes run side by side on the proxy core, as "
                  "pods on one node, each with an HTTP/1.1 and an h2c listener. USS is the memory a process "
                  "has to itself (private clean and dirty pages, /proc/PID/smaps_rollup): what each extra pod "
                  "costs the node when its image's files are shared. Every proxy in turn gets h2load over h2c "
                  f"({settings.duration} s, 8 x 16 streams), wrk over HTTP/1.1 ({settings.duration} s, 32 "
                  f"connections) and a 64 MiB upload; then {REST} s without traffic. Medians over the "
                  f"{COUNT}; min and max in the JSON. The sidecar's JVM: {' '.join(peers.sidecar_flags())}, with """
                  f"{' '.join(f'{k}={v}' for k, v in peers.SIDECAR_ENV.items())}."),
        "figures": figures,
        "raw": result,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--java", default="java")
    parser.add_argument("--flags", default=" ".join(peers.SIDECAR_JVM), help="the sidecar's JVM flags")
    parser.add_argument("--count", type=int, default=COUNT)
    parser.add_argument("--haproxy", action="store_true")
    parser.add_argument("--idle", type=int, default=10_000)
    parser.add_argument("--load-seconds", type=int, default=10)
    parser.add_argument("--no-upload", action="store_true")
    parser.add_argument("--out", help="JSON file for the figures")
    args = parser.parse_args()
    tools.raise_fd_limit()
    tools.need_archive()
    flags = shlex.split(args.flags)
    result = run(tools.WORK / "footprint", args.java, flags, args.count, args.haproxy, args.idle,
                 args.load_seconds, not args.no_upload)
    result["java"] = args.java
    result["flags"] = flags
    print(json.dumps(result, indent=1))
    if args.out:
        pathlib.Path(args.out).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    sys.exit(main())
