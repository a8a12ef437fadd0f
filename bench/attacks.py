#!/usr/bin/python3
"""The attacks of issue #22 against the standalone Sluice sidecar and HAProxy 2.6, side by side.

    /usr/bin/python3 bench/attacks.py               # every attack, 3 repetitions (~40 min)
    /usr/bin/python3 bench/attacks.py --repeat 1 --only rapid-reset,slowloris

Starts a counting upstream (HTTP/1.1 and h2c, harness/counting_upstream.py), then for each attack
and repetition, alternating the peers, a fresh proxy in front of it on core 0: the sidecar as a
user runs it (`java -jar sluice-sidecar.jar --config FILE`, its own default memory settings) or
HAProxy 2.6 (nbthread 1) with the equivalent configuration. During each attack: the proxy's RSS,
PSS and USS and its CPU seconds; what reached the upstream; what the attacker got; what a steady
normal client got meanwhile (harness/steady_client.py); the log lines the proxy wrote. Writes
bench/results/<date>-attacks.md and .json. Figures, never assertions.
"""

import argparse
import asyncio
import collections
import datetime
import json
import os
import pathlib
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request


def need_h2():
    """The attacks speak raw HTTP/2 with python3-h2's HPACK: Debian's python3 has it."""
    try:
        import h2  # noqa: F401
    except ImportError:
        system = "/usr/bin/python3"
        if os.path.realpath(sys.executable) == os.path.realpath(system) or not os.path.exists(system):
            sys.exit("bench: the attacks need python3-h2 (apt-get install -y python3-h2)")
        if subprocess.run([system, "-c", "import h2"], capture_output=True).returncode != 0:
            subprocess.run(["apt-get", "install", "-y", "-qq", "python3-h2"], check=True)
        os.execv(system, [system, *sys.argv])


need_h2()
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import attack_cases, load, tools  # noqa: E402
from harness.peers import max_connections  # noqa: E402
from harness.workloads import median  # noqa: E402

SLUICE, HAPROXY = "Sluice", "HAProxy 2.6"
PEERS = (SLUICE, HAPROXY)
WORK = tools.WORK / "attacks"
# Ports in 44000-44999: the upstream, then per proxy an HTTP/1.1 and an h2c listener.
UP_H1, UP_H2C = 44001, 44002
PORTS = {SLUICE: {"h1": 44010, "h2c": 44011, "admin": 44019}, HAPROXY: {"h1": 44020, "h2c": 44021}}
NORMAL_RATE = 10  # requests/s of the steady client, half HTTP/1.1, half h2c
NOTES = tools.ROOT / "bench" / "attacks-notes.md"


class Attack:
    def __init__(self, id, title, run, settle, setup, before=None, headline=()):
        self.id, self.title, self.run, self.settle, self.setup = id, title, run, settle, setup
        self.before = before or {}  # case -> (old sidecar, HAProxy 2.6), quoted from issue #22
        self.headline = headline  # (case, figure) pairs for the summary's "attacker got" column


A = attack_cases
ATTACKS = [
    Attack("malformed-chunked", "1. Malformed chunked bodies", A.malformed_chunked, 3,
           "A chunked POST /chunk on a new HTTP/1.1 connection per case, then `GET /chunk-next` on the "
           "same connection; the connection watched for 10 s.",
           {c: ("200, forwarded with an empty complete body; next request never answered; open at 320 s",
                "400 and close") for c in list(A.CHUNKED)[:5]}
           | {"data longer than size": ("forwarded truncated, 200", "400 and close")},
           [(c, "status") for c in A.CHUNKED]),
    Attack("host-confusion", "2. Host confusion", A.host_confusion, 3,
           "HTTP/1.1 GETs naming two authorities; a new connection each, watched for 5 s.",
           {"absolute-form, other Host": ("routed on public.example, the upstream got Host: internal.example",
                                          "400"),
            "two Host fields": ("both forwarded", "400")},
           [(c, "status") for c in A.HOSTS]),
    Attack("malformed-h2", "3. Malformed HTTP/2 requests", A.malformed_h2, 3,
           "h2spec cannot be installed here (no Debian or npm package; no Go module proxy to build it "
           "from), so the cases the issue names, by hand: on one h2c connection per case, stream 1 "
           "downloads 1 MiB (every DATA frame acknowledged with WINDOW_UPDATE); once its first DATA "
           "arrives, stream 3 sends the malformed HEADERS. Bound: 10 s per case.",
           {"no :method": ("no answer (40 s observed)", "stream error (h2spec 146/147)"),
            "no :scheme": ("forwarded", "stream error"),
            ":path without /": ("forwarded: `GET h2/noslash` reached the upstream", "stream error"),
            "no :path": ("whole connection closed INTERNAL_ERROR, the other stream cut at 64 KB",
                         "stream error")},
           [(c, "answer") for c in A.MALFORMED_H2] + [("no :path", "other stream")]),
    Attack("memory-pinning", "4. Memory pinning by a client that never opens its window",
           A.memory_pinning, 10,
           f"{A.PIN_CONNECTIONS} h2c connections, each opening as many streams as the proxy advertises in "
           "SETTINGS_MAX_CONCURRENT_STREAMS (1,000 if it advertises none), each a GET of 1 MiB; the "
           "attacker reads the socket but keeps the default 65,535-byte windows and never sends "
           f"WINDOW_UPDATE; held {A.PIN_HOLD:.0f} s, then it leaves; memory after: 10 s later.",
           {"": ("~73 MB pulled and 142 MB buffers per connection; 5 connections ~700 MB, still held 10 s "
                 "after; a normal request took 4.1 s", "~33 MB")},
           [("", "reset by the proxy"), ("", "attacker got (KiB)")]),
    Attack("concurrent-streams", "5. 1,000 concurrent streams on one connection", A.concurrent_streams, 10,
           "One h2c connection sends 1,000 GETs of 100 bytes in one write, before reading the server's "
           "SETTINGS (as a client may), with windows large enough for all; read for up to 10 s, then a "
           "PING says whether the connection is still there.",
           {"": ("1,000 accepted; past 200 refused streams the connection is closed", "")},
           [("", "served"), ("", "refused / reset"), ("", "connection")]),
    Attack("rapid-reset", "6. Rapid reset spread under the per-connection limit", A.rapid_reset, 10,
           f"{A.RR_CONNECTIONS:,} h2c connections ({A.RR_PARALLEL} at a time, for at most "
           f"{A.RR_BOUND:.0f} s), each sending {A.RR_STREAMS} HEADERS + RST_STREAM(CANCEL) pairs in one "
           "write followed by a PING, and closing once the PING is answered (or after 5 s): the issue's "
           f"1,000 x 100, which the attacker (Python, one core) sends in under 10 s. Then "
           f"{A.RR_LATE_CONNECTIONS} connections ({A.RR_LATE_PARALLEL} at a time) whose {A.RR_STREAMS} "
           "resets come only once the proxy answered a PING sent after the HEADERS (so it read them), "
           "each stream asking 1 MiB: these reach the upstream, and must be cancelled there. The "
           "proxy's figures below cover both parts.",
           {A.RR_CASES[0]: ("88,117 of 100,000 reached the upstream; CPU 38 % average; worst normal "
                            "request 708 ms", "none forwarded")},
           [(c, "GOAWAY") for c in A.RR_CASES]),
    Attack("slowloris", "7. Slowloris, idle and half-sent connections", A.slowloris, 10,
           f"HTTP/1.1, held up to {A.SLOW_BOUND:.0f} s: 2,000 connections sending a request line and "
           f"then one header byte every {A.DRIP_SECONDS:.0f} s; 50 sending nothing; 50 stopping inside the "
           "head; 50 stopping inside a body (head complete, 10 of 100 bytes).",
           {"slowloris (a header byte every 3 s)": ("open for 135 s", "408 at its timeout"),
            "idle (nothing sent)": ("open at 320 s", "closed at its timeout"),
            "half-sent head": ("open at 320 s", "408 at its timeout")},
           [(g, "answers") for g in A.SLOW_GROUPS] + [(g, "closed after, median (s)") for g in A.SLOW_GROUPS]),
    Attack("control-floods", "8. SETTINGS and PING floods from a client that never reads",
           A.control_floods, 10,
           f"One h2c connection per flood sends empty SETTINGS (then PING) frames for {A.FLOOD_SECONDS:.0f} "
           "s as fast as the proxy takes them (64 KiB writes, each waiting for the previous one to leave "
           "the attacker's buffer) and never reads; afterwards what it was sent is read for 3 s, counting "
           "the ACKs and looking for a GOAWAY. \"Stopped reading\": the first write that did not leave "
           "within 1 s. \"Frames written\" includes what still sat in the socket buffers at the end.",
           {c: ("40-110 % of a core", "under 4 % of a core") for c in A.FLOODS},
           [(c, "proxy CPU (% of a core)") for c in A.FLOODS] + [(c, "stopped reading at (s)") for c in A.FLOODS]
           + [(c, "cut at (s)") for c in A.FLOODS]),
    Attack("client-resets", "10. Log lines for 200 client TCP resets", A.client_resets, 3,
           f"{A.RESETS} h2c connections one after another, each asking 1 MiB and reset by the client "
           "(SO_LINGER 0, a TCP RST) once the first DATA arrived; the log lines are everything the proxy "
           "wrote to stdout and stderr during the attack.",
           {"": ("400 lines (a two-line WARN per reset)", "")},
           [("", "connections reset")]),
]
BY_ID = {a.id: a for a in ATTACKS}
FLOOD_IDS = ("memory-pinning", "concurrent-streams", "rapid-reset", "slowloris", "control-floods")


# Peers ----------------------------------------------------------------------------------------

def sidecar_config():
    p = PORTS[SLUICE]
    return f"""# The attacks' sidecar: two listeners with the default limits, one rule each, in front of the
# counting upstream. Nothing tuned: what a user gets.
version: 1
admin: {{address: 127.0.0.1:{p['admin']}}}
listeners:
  - {{name: h1, address: 127.0.0.1:{p['h1']}}}
  - {{name: h2c, address: 127.0.0.1:{p['h2c']}}}
rules:
  - name: h1
    listener: h1
    upstream: {{protocol: http1, endpoints: [127.0.0.1:{UP_H1}]}}
  - name: h2c
    listener: h2c
    upstream: {{protocol: h2c, endpoints: [127.0.0.1:{UP_H2C}]}}
"""


def haproxy_config():
    p = PORTS[HAPROXY]
    return f"""# HAProxy 2.6 with the sidecar's default limits: header read 10 s (408), idle keep-alive 60 s,
# request 60 s, 10,000 connections per listener (or what the open-files limit allows), 100 concurrent
# streams per HTTP/2 connection (HAProxy's default, as the sidecar's). No log directive: like the
# sidecar, it logs no requests; -db keeps its alerts on stderr.
global
    nbthread 1
    maxconn {max_connections()}
defaults
    mode http
    maxconn {min(10_000, max_connections())}
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-request 10s
    timeout http-keep-alive 60s
    option http-keep-alive
frontend h1
    bind 127.0.0.1:{p['h1']}
    default_backend up_h1
frontend h2c
    bind 127.0.0.1:{p['h2c']}
    default_backend up_h2c
backend up_h1
    http-reuse always
    server s 127.0.0.1:{UP_H1}
backend up_h2c
    http-reuse always
    server s 127.0.0.1:{UP_H2C} proto h2
"""


class Proxy:
    """One proxy process for one attack run, its output captured in files."""

    def __init__(self, peer):
        self.peer = peer
        self.out, self.err = WORK / f"{tag(peer)}.stdout", WORK / f"{tag(peer)}.stderr"
        if peer == SLUICE:  # as a user runs it: no JVM options, the jar sizes itself
            cmd = ["java", "-jar", tools.SIDECAR_JAR, "--config", WORK / "sidecar.yaml"]
        else:
            cmd = ["haproxy", "-db", "-f", WORK / "haproxy.cfg"]
        with open(self.out, "w") as out, open(self.err, "w") as err:
            self.proc = subprocess.Popen(tools.pinned(tools.PROXY_CPU, cmd), stdout=out, stderr=err,
                                         stdin=subprocess.DEVNULL)
        RUNNING.append(self.proc)
        for port in (PORTS[peer]["h1"], PORTS[peer]["h2c"]):
            tools.wait_port(port, self.proc)
        # The sidecar's launcher starts the JVM that serves; HAProxy -db is the process itself.
        self.pid = tools.listener_pid(PORTS[peer]["h1"])
        self.launcher = self.proc.pid if self.pid != self.proc.pid else None

    def log_lines(self):
        return sum(p.read_bytes().count(b"\n") for p in (self.out, self.err))

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.launcher:  # the sidecar stops when its launcher goes; make sure of it
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        RUNNING.remove(self.proc)


def tag(peer):
    return "sluice" if peer == SLUICE else "haproxy"


RUNNING = []  # every process this run started and has not stopped: stopped on any exit


def warm(peer):
    """A few seconds of ordinary requests on both listeners (the JIT's first compilations, the
    upstream connections), as every run gets before its attack."""
    for protocol, h1 in (("h1", True), ("h2c", False)):
        load.h2load(f"http://127.0.0.1:{PORTS[peer][protocol]}/warm", 2, 4, 1 if h1 else 10, h1=h1)


# One run --------------------------------------------------------------------------------------

def run_once(attack, peer):
    proxy, normal = Proxy(peer), None
    try:
        warm(peer)
        time.sleep(1)
        before = tools.footprint_kib(proxy.pid)
        lines0 = proxy.log_lines()
        upstream(f"/__reset?run={urllib.parse.quote(f'{attack.id} {peer}')}")
        normal = subprocess.Popen(tools.pinned(tools.LOAD_CPU, [
            sys.executable, "-m", "harness.steady_client", PORTS[peer]["h1"], PORTS[peer]["h2c"], NORMAL_RATE]),
            cwd=tools.ROOT / "bench", stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        RUNNING.append(normal)
        target = attack_cases.Target(peer, PORTS[peer]["h1"], PORTS[peer]["h2c"], proxy.pid, UP_H1)
        with load.PeakRss(proxy.pid, smaps=True) as peak:
            cpu0, start = tools.cpu_seconds(proxy.pid), time.monotonic()
            cases = asyncio.run(asyncio.wait_for(attack.run(target), 300))
            cpu, seconds = tools.cpu_seconds(proxy.pid) - cpu0, time.monotonic() - start
        normal_seen = json.loads(normal.communicate("", timeout=30)[0])
        time.sleep(attack.settle)
        after = tools.footprint_kib(proxy.pid)
        errors = json.loads(upstream("/__counts"))["errors"]
        process = {"peak RSS (MiB)": peak.peak / 1024, "peak PSS (MiB)": peak.peak_pss / 1024,
                   "peak USS (MiB)": peak.peak_uss / 1024, "RSS before (MiB)": before["rss"] / 1024,
                   f"RSS {attack.settle} s after (MiB)": after["rss"] / 1024,
                   f"USS {attack.settle} s after (MiB)": after["uss"] / 1024,
                   "CPU (s)": cpu, "CPU (% of a core)": 100 * cpu / seconds, "attack (s)": seconds,
                   **normal_figures(normal_seen), "log lines": proxy.log_lines() - lines0,
                   "protocol errors the upstream saw": len(errors)}
        if proxy.launcher:
            process["launcher RSS (MiB)"] = tools.rss_kib(proxy.launcher) / 1024
        run = {"cases": cases, "process": {k: round(v, 2) if isinstance(v, float) else v
                                            for k, v in process.items()}}
        if attack.id == "client-resets" or process["log lines"]:
            run["log sample"] = sample_lines(proxy, lines0)
        if errors:
            run["upstream errors"] = errors[:5]
        if peer == SLUICE:
            run["first line"] = proxy.out.read_text().split("\n", 1)[0]
        return run
    finally:
        if normal is not None:
            if normal.poll() is None:
                normal.kill()
            RUNNING.remove(normal)
        proxy.stop()


def upstream(path):
    with urllib.request.urlopen(f"http://127.0.0.1:{UP_H1}{path}", timeout=10) as response:
        return response.read()


def normal_figures(seen):
    """The steady client's requests: how many succeeded, p99 and worst of all (a failure counts
    with the time it took to fail), and why the others failed."""
    times = sorted(ms for _, _, ms, _ in seen)
    ok = sum(1 for _, good, _, _ in seen if good)
    failures = collections.Counter(why for _, good, _, why in seen if not good)
    return {"normal ok": ok, "normal requests": len(seen),
            "normal p99 (ms)": times[min(len(times) - 1, int(len(times) * 0.99))] if times else None,
            "normal worst (ms)": times[-1] if times else None,
            "normal failures": ", ".join(f"{n} {w}" for w, n in failures.most_common()) or "none"}


def sample_lines(proxy, skip):
    lines = []
    for path in (proxy.out, proxy.err):
        lines += path.read_text(errors="replace").splitlines()
    return lines[skip:skip + 6] if len(lines) > skip else []


# Main -----------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="repetitions per attack and peer (default 3)")
    parser.add_argument("--only", help=f"comma-separated attacks of: {','.join(BY_ID)}")
    parser.add_argument("--render", metavar="JSON", help="only write the report again from a results JSON")
    parser.add_argument("--notes", default=str(NOTES), help="Markdown appended to the report: what the "
                        "figures say (keep it current with the last run)")
    args = parser.parse_args()
    notes = pathlib.Path(args.notes)
    if args.render:
        write(json.loads(pathlib.Path(args.render).read_text()), notes)
        return
    chosen = args.only.split(",") if args.only else list(BY_ID)
    unknown = [a for a in chosen if a not in BY_ID]
    if unknown:
        parser.error(f"--only {','.join(unknown)}: unknown (expected some of {','.join(BY_ID)})")
    tools.need_tools()
    if not tools.SIDECAR_JAR.exists():
        sys.exit(f"bench: build the sidecar first: ./mvnw -B -q package -pl sidecar/proxy -am -DskipTests "
                 f"({tools.SIDECAR_JAR} is missing)")
    tools.raise_fd_limit()
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "sidecar.yaml").write_text(sidecar_config())
    (WORK / "haproxy.cfg").write_text(haproxy_config())
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench: terminated"))
    full = not args.only and args.repeat == 3
    today = datetime.date.today().isoformat()
    results = {"date": today, "stem": f"{today}-attacks" + ("" if full else "-partial"),
               "machine": tools.machine(), "versions": tools.versions(), "sluice": git_commit(),
               "command": "/usr/bin/python3 bench/attacks.py " + " ".join(sys.argv[1:]),
               "repeat": args.repeat, "attacks": {}}
    started = time.monotonic()
    try:
        upstream = subprocess.Popen(tools.pinned(tools.LOAD_CPU, [
            sys.executable, "-m", "harness.counting_upstream", UP_H1, UP_H2C]),
            cwd=tools.ROOT / "bench", stdout=subprocess.DEVNULL, stderr=open(WORK / "upstream.log", "w"))
        RUNNING.append(upstream)
        tools.wait_port(UP_H1, upstream)
        tools.wait_port(UP_H2C, upstream)
        for i in range(args.repeat):
            for n, attack_id in enumerate(chosen):
                attack = BY_ID[attack_id]
                runs = results["attacks"].setdefault(attack_id, {peer: [] for peer in PEERS})
                for peer in PEERS if (i + n) % 2 == 0 else reversed(PEERS):
                    tools.log(f"{attack.title}: {peer}, run {i + 1}/{args.repeat}")
                    try:
                        runs[peer].append(run_once(attack, peer))
                    except Exception as e:  # the others still run; the report says what failed
                        tools.log(f"  failed: {e!r}")
                        runs[peer].append({"error": repr(e)[:500]})
    finally:
        tools.stop(RUNNING)
    results["minutes"] = round((time.monotonic() - started) / 60, 1)
    write(results, notes)


def git_commit():
    try:
        return tools.run(["git", "-C", str(tools.ROOT), "rev-parse", "--short", "HEAD"]).strip()
    except RuntimeError:
        return "unknown"


# Report ---------------------------------------------------------------------------------------

def summarize(values):
    """Repetitions as one cell: a number as median [min-max]; words as they are, or each with how
    many repetitions said it when they differ."""
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        mid, lo, hi = median(values), min(values), max(values)
        return number(mid) if lo == hi else f"{number(mid)} [{number(lo)}–{number(hi)}]"
    texts = [number(v) if isinstance(v, (int, float)) else str(v) for v in values]
    counted = collections.Counter(texts)
    if len(counted) == 1:
        return texts[0]
    return "; ".join(f"{t} (×{n})" for t, n in counted.most_common())


def number(v):
    if isinstance(v, int) or float(v).is_integer() and abs(v) >= 100:
        return f"{int(v):,}"
    return f"{v:,.1f}" if abs(v) >= 10 else f"{v:.2f}".rstrip("0").rstrip(".")


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def good_runs(runs):
    return [r for r in runs if "error" not in r]


def case_table(attack, data):
    """One table per attack: a row per case and peer, a column per figure (the union over cases),
    and what issue #22 measured before where it says."""
    rows = {}
    for peer in PEERS:
        for run in good_runs(data.get(peer, [])):
            for case, figures in run["cases"].items():
                for name, value in figures.items():
                    rows.setdefault(case, {}).setdefault(name, {}).setdefault(peer, []).append(value)
    names = list(dict.fromkeys(n for figures in rows.values() for n in figures))
    cases = any(rows) and list(rows) != [""]
    before = any(attack.before.get(case) for case in rows)
    head = (["case"] if cases else []) + ["peer"] + names + (["before (issue #22)"] if before else [])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for case, figures in rows.items():
        for k, peer in enumerate(PEERS):
            row = ([case if k == 0 else ""] if cases else []) + [peer]
            row += [summarize(figures.get(n, {}).get(peer, [])) for n in names]
            if before:
                row.append((attack.before.get(case) or ("", ""))[k] or "—")
            lines.append("| " + " | ".join(cell(c) for c in row) + " |")
    return lines + [""]


def process_table(data):
    names = []
    for peer in PEERS:
        for run in good_runs(data.get(peer, [])):
            names += [n for n in run["process"] if n not in names]
    lines = ["| figure | " + " | ".join(PEERS) + " |", "|---|" + "---|" * len(PEERS)]
    for name in names:
        values = [summarize([r["process"].get(name) for r in good_runs(data.get(p, []))]) for p in PEERS]
        lines.append(f"| {cell(name)} | " + " | ".join(cell(v) for v in values) + " |")
    return lines + [""]


def figure_of(data, peer, case, name):
    return summarize([r["cases"].get(case, {}).get(name) for r in good_runs(data.get(peer, []))])


def process_of(data, peer, name):
    return summarize([r["process"].get(name) for r in good_runs(data.get(peer, []))])


def grouped(pairs):
    """(case, value) pairs as one cell: cases with the same value named together."""
    by_value = {}
    for case, value in pairs:
        by_value.setdefault(value, []).append(case)
    if len(by_value) == 1 and len(pairs) > 1:
        return f"all {len(pairs)}: {next(iter(by_value))}"
    return "<br>".join(f"{', '.join(c for c in cases if c)}{': ' if any(cases) else ''}{value}"
                       for value, cases in by_value.items())


def reached_of(data, peer):
    """Every figure about the upstream, for the summary."""
    figures = {}
    for run in good_runs(data.get(peer, []))[:1]:
        for case, names in run["cases"].items():
            for name in names:
                if name.startswith(("reached upstream", "pulled from upstream", "upstream streams")):
                    figures.setdefault(name, []).append((case, figure_of(data, peer, case, name)))
    cells = [(f"{name}: " if name != "reached upstream" else "") + grouped(pairs)
             for name, pairs in figures.items()]
    return "<br>".join(cells) or "—"


def summary_table(results):
    lines = ["| attack | peer | peak RSS (MiB) | CPU (s) | reached the upstream | the attacker got | normal "
             "client: ok / requests, worst (ms) | log lines |", "|---|---|---|---|---|---|---|---|"]
    for attack_id, data in results["attacks"].items():
        attack = BY_ID[attack_id]
        for k, peer in enumerate(PEERS):
            names = list(dict.fromkeys(name for _, name in attack.headline))
            got = "<br>".join(f"{name}: " + grouped([(case, figure_of(data, peer, case, n))
                                                     for case, n in attack.headline if n == name])
                              for name in names)
            normal = (f"{process_of(data, peer, 'normal ok')} / {process_of(data, peer, 'normal requests')}, "
                      f"{process_of(data, peer, 'normal worst (ms)')}")
            lines.append(f"| {attack.title if k == 0 else ''} | {peer} | {process_of(data, peer, 'peak RSS (MiB)')} "
                         f"| {process_of(data, peer, 'CPU (s)')} | {cell(reached_of(data, peer))} | {cell(got)} "
                         f"| {normal} | {process_of(data, peer, 'log lines')} |")
    return lines + [""]


def standalone_memory(results):
    """Item 9: the standalone jar's memory under the floods, from the runs of 4-8."""
    lines = ["| attack | Sluice peak RSS (MiB) | Sluice RSS after (MiB) | Sluice launcher RSS (MiB) | "
             "HAProxy peak RSS (MiB) |", "|---|---|---|---|---|"]
    for attack_id in FLOOD_IDS:
        data = results["attacks"].get(attack_id)
        if not data:
            continue
        settle = BY_ID[attack_id].settle
        lines.append(f"| {BY_ID[attack_id].title} | {process_of(data, SLUICE, 'peak RSS (MiB)')} | "
                     f"{process_of(data, SLUICE, f'RSS {settle} s after (MiB)')} | "
                     f"{process_of(data, SLUICE, 'launcher RSS (MiB)')} | "
                     f"{process_of(data, HAPROXY, 'peak RSS (MiB)')} |")
    first = next((r.get("first line") for d in results["attacks"].values() for r in good_runs(d.get(SLUICE, []))
                  if r.get("first line")), None)
    lines += ["", "Before (issue #22): `java -jar sluice-sidecar.jar` with no JVM flags grew to 480–570 MiB "
              "RSS under these floods."]
    if first:
        lines += ["", f"The sidecar's first line in these runs: `{first}`"]
    return lines + [""]


def markdown(results):
    m, v = results["machine"], results["versions"]
    lines = [f"# Attacks: Sluice beside HAProxy 2.6 — {results['date']}", "",
             "The attacks of issue #22, each against a fresh proxy on core 0 of this machine, in front of "
             "the same counting upstream (HTTP/1.1 and h2c, Python, core 1); the attacker, the upstream "
             f"and a steady normal client ({NORMAL_RATE} GET/s, each on a new connection, alternately "
             "HTTP/1.1 and h2c, 10 s timeout) share core 1, on loopback.", "",
             f"- Machine: {m['cpu']}, {m['cores']} cores, {m['memory GiB']} GiB, Linux {m['kernel']}",
             f"- Sluice: the standalone jar at commit {results['sluice']}, started as a user would "
             "(`java -jar sluice-sidecar.jar --config FILE`, no JVM option: its launcher starts the "
             "sidecar's JVM), default listener limits; its memory and CPU are the serving JVM's (the "
             "launcher's RSS is listed apart). " + v["java"],
             f"- {v['haproxy']}: `haproxy -db`, nbthread 1, the sidecar's limits (config in "
             "`bench/attacks.py`).",
             f"- Method: {results['repeat']} repetitions per attack and peer, peers alternating; each run "
             "starts the proxy, warms it with 2 s of ordinary HTTP/1.1 and h2c requests, then attacks. "
             "A figure is the median [min–max] of the repetitions; words that differed between them are "
             "given with their counts. Memory sampled every 50 ms (RSS) and 200 ms (PSS, USS from "
             "`/proc/PID/smaps_rollup`) during the attack; CPU is utime+stime over the attack. Every "
             "repetition is in the JSON beside this file.",
             f"- Reproduce: `{results['command'].strip()}`" + (f" ({results['minutes']} min)" if "minutes" in results else ""),
             "", "## Summary", ""]
    lines += summary_table(results)
    for attack_id, data in results["attacks"].items():
        attack = BY_ID[attack_id]
        lines += [f"## {attack.title}", "", attack.setup, ""]
        errors = [f"{p}: {r['error']}" for p in PEERS for r in data.get(p, []) if "error" in r]
        if errors:
            lines += ["Failed runs: " + "; ".join(errors), ""]
        lines += case_table(attack, data)
        lines += ["The proxy meanwhile:", ""] + process_table(data)
        samples = {p: next((r["log sample"] for r in good_runs(data.get(p, [])) if r.get("log sample")), None)
                   for p in PEERS}
        for peer, sample in samples.items():
            if sample:
                lines += [f"{peer}'s first log lines during the attack:", "", "```", *sample, "```", ""]
        if attack_id == "control-floods":
            lines += ["## 9. The standalone jar's memory under the floods (4–8)", ""] + standalone_memory(results)
    return "\n".join(lines) + "\n"


def write(results, notes):
    tools.RESULTS.mkdir(parents=True, exist_ok=True)
    stem = results["stem"]
    (tools.RESULTS / f"{stem}.json").write_text(json.dumps(results, indent=1) + "\n")
    md = tools.RESULTS / f"{stem}.md"
    text = markdown(results)
    if notes.exists():
        text += "\n" + notes.read_text()
    md.write_text(text)
    tools.log(f"report: {md}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        tools.stop(RUNNING)
        sys.exit("bench: interrupted")
