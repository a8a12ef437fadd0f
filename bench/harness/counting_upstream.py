"""An upstream that counts and records what reached it: HTTP/1.1 on H1_PORT, h2c on H2C_PORT.

    python3 -m harness.counting_upstream H1_PORT H2C_PORT

Answers every request with 200: /1m with 1 MiB, anything else with a few bytes. Records every
request head (method, target or pseudo-headers, Host fields, x-case) and its body as it arrived,
how it ended (complete, cut by the peer, unreadable framing), and per path the requests started,
the streams the proxy reset and the response bytes it pulled. Reads nothing it does not have to:
HTTP/1.1 bodies are parsed strictly so that a body that was forwarded broken shows as broken.
Control, on the HTTP/1.1 port and never counted: GET /__counts (JSON); GET /__reset (the counts
and records), GET /__reset?run=NAME (also the protocol errors seen from the proxy, and marks the
start of run NAME in the log).
Needs python3-h2 (Debian), so runs under /usr/bin/python3.
"""

import asyncio
import json
import sys

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings

BIG = 1 << 20
SMALL = b"x" * 100
KEPT = 300  # records kept per reset: enough for every case of an attack, bounded under floods
QUIET = ("/normal", "/warm")  # the steady client and warm-up: counted, never recorded


class Tally:
    def __init__(self):
        self.reset()

    def reset(self):
        self.paths, self.records, self.errors = {}, [], []

    def count(self, path, key, n=1):
        top = "/" + path.lstrip("/").split("/", 1)[0].split("?", 1)[0] if path.startswith("/") else "other"
        slot = self.paths.setdefault(top, {"started": 0, "completed": 0, "reset by proxy": 0,
                                           "body cut": 0, "cut by close": 0,
                                           "bytes sent": 0})
        slot[key] += n

    def record(self, path, entry):
        if not path.startswith(QUIET) and len(self.records) < KEPT:
            self.records.append(entry)
        return entry


TALLY = Tally()


# HTTP/1.1 -------------------------------------------------------------------------------------

class BadFraming(Exception):
    pass


async def read_chunked(reader, entry):
    """Reads a chunked body strictly; every byte that arrived is in entry['body']."""
    while True:
        line = await reader.readuntil(b"\r\n")
        size_text = line[:-2].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
            if not size_text or size_text.startswith((b"-", b"+", b"0x", b"0X")) or size > 1 << 40:
                raise ValueError
        except ValueError:
            raise BadFraming(f"chunk size line {line[:40]!r}")
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers
                pass
            return
        data = await reader.readexactly(size)
        entry["body"] += len(data)
        entry["prefix"] = (entry["prefix"] + data.decode("latin-1"))[:40]
        if await reader.readexactly(2) != b"\r\n":
            raise BadFraming("no CRLF after chunk data")


async def h1_connection(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target = (lines[0].split(" ") + ["", ""])[:2]
            fields = [tuple(part.strip() for part in line.split(":", 1)) for line in lines[1:] if ":" in line]
            def values(name):
                return [v for k, v in fields if k.lower() == name]
            if target.startswith("/__"):
                await control(target, writer)
                continue
            TALLY.count(target, "started")
            entry = TALLY.record(target, {"proto": "h1", "method": method, "target": target,
                                          "host": values("host"), "case": ",".join(values("x-case")),
                                          "te": ",".join(values("transfer-encoding")),
                                          "content-length": ",".join(values("content-length")),
                                          "body": 0, "prefix": "", "ended": "complete"})
            try:
                if "chunked" in entry["te"].lower():
                    await read_chunked(reader, entry)
                elif entry["content-length"]:
                    data = await reader.readexactly(int(entry["content-length"].split(",")[0]))
                    entry["body"], entry["prefix"] = len(data), data[:40].decode("latin-1")
            except BadFraming as e:
                entry["ended"] = f"unreadable: {e}"
                TALLY.count(target, "body cut")
                return
            except (asyncio.IncompleteReadError, ConnectionError):
                entry["ended"] = "cut by the proxy"
                TALLY.count(target, "body cut")
                return
            TALLY.count(target, "completed")
            body = b"x" * BIG if target.startswith("/1m") else SMALL
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
            TALLY.count(target, "bytes sent", len(body))
            await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
        pass
    finally:
        writer.close()


async def control(target, writer):
    if target.startswith("/__reset"):
        errors = TALLY.errors
        TALLY.reset()
        if "?run=" in target:  # a new run: protocol errors counted from here, and it says so in the log
            print(f"run {target.split('?run=', 1)[1]}", file=sys.stderr, flush=True)
        else:
            TALLY.errors = errors
        body = b"reset\n"
    else:
        body = json.dumps({"paths": TALLY.paths, "records": TALLY.records, "errors": TALLY.errors}).encode()
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                 % len(body) + body)
    await writer.drain()


# h2c ------------------------------------------------------------------------------------------

class H2Connection(asyncio.Protocol):
    """One h2c connection from a proxy; responses are sent as flow control allows, and no faster
    than the socket takes them."""

    def connection_made(self, transport):
        self.transport = transport
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(
            client_side=False, header_encoding="utf-8", validate_inbound_headers=False,
            normalize_inbound_headers=False, validate_outbound_headers=False))
        self.conn.local_settings = h2.settings.Settings(client=False, initial_values={
            h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: 1000,
            h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 1 << 24})
        self.conn.initiate_connection()
        self.conn.increment_flow_control_window(1 << 30)
        self.pending = {}  # stream id -> [path, bytes left to send or None, record]
        self.paused = False
        self.flush()

    def data_received(self, data):
        try:
            events = self.conn.receive_data(data)
        except h2.exceptions.ProtocolError as e:  # the proxy broke the protocol: counted, then closed
            TALLY.errors.append(repr(e)[:200])
            print(f"h2c: closing a connection from the proxy: {e!r}", file=sys.stderr, flush=True)
            self.flush()
            self.transport.close()
            return
        for event in events:
            self.on_event(event)
        self.pump()
        self.flush()

    def on_event(self, event):
        if isinstance(event, h2.events.RequestReceived):
            head = dict(event.headers)
            path = head.get(":path", "")
            TALLY.count(path or "other", "started")
            record = TALLY.record(path, {"proto": "h2", "stream": event.stream_id,
                                         "head": {k: v for k, v in event.headers if k != "user-agent"},
                                         "case": head.get("x-case", ""), "ended": "open"})
            self.pending[event.stream_id] = [path, None, record]
            if event.stream_ended:
                self.respond(event.stream_id)
        elif isinstance(event, h2.events.DataReceived):
            self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            self.respond(event.stream_id)
        elif isinstance(event, h2.events.StreamReset):
            self.reset_by_proxy(event.stream_id)

    def reset_by_proxy(self, stream):
        entry = self.pending.pop(stream, None)
        if entry:
            TALLY.count(entry[0] or "other", "reset by proxy")
            entry[2]["ended"] = f"reset by the proxy after {entry[2].get('sent', 0)} bytes"

    def respond(self, stream):
        entry = self.pending.get(stream)
        if entry is None or entry[1] is not None:
            return
        body = BIG if entry[0].startswith("/1m") else len(SMALL)
        entry[1] = body
        try:
            self.conn.send_headers(stream, [(":status", "200"), ("content-length", str(body))])
        except h2.exceptions.ProtocolError:  # reset in the same read as its HEADERS
            self.reset_by_proxy(stream)
            return
        TALLY.count(entry[0] or "other", "completed")

    def pump(self):
        if self.transport.is_closing():
            return
        for stream, entry in list(self.pending.items()):
            while entry[1] and not self.paused:
                n = min(entry[1], self.conn.local_flow_control_window(stream), 16384)
                if n <= 0:
                    break
                try:
                    self.conn.send_data(stream, b"x" * n, end_stream=n == entry[1])
                except h2.exceptions.ProtocolError:  # reset meanwhile
                    break
                entry[1] -= n
                entry[2]["sent"] = entry[2].get("sent", 0) + n
                TALLY.count(entry[0] or "other", "bytes sent", n)
                self.transport.write(self.conn.data_to_send())
            if entry[1] == 0:
                entry[2]["ended"] = "complete"
                del self.pending[stream]
            elif self.conn.streams.get(stream) is None or self.conn.streams[stream].closed:
                self.reset_by_proxy(stream)

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.transport.write(data)

    def pause_writing(self):
        self.paused = True

    def resume_writing(self):
        self.paused = False
        self.pump()
        self.flush()

    def connection_lost(self, exc):
        for path, _, record in self.pending.values():
            TALLY.count(path or "other", "cut by close")
            record["ended"] = f"connection closed after {record.get('sent', 0)} bytes"
        self.pending.clear()


async def main(h1_port, h2c_port):
    loop = asyncio.get_running_loop()
    h1 = await asyncio.start_server(h1_connection, "127.0.0.1", h1_port, limit=1 << 20, backlog=4096)
    h2c = await loop.create_server(H2Connection, "127.0.0.1", h2c_port, backlog=4096)
    async with h1, h2c:
        await asyncio.gather(h1.serve_forever(), h2c.serve_forever())


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
