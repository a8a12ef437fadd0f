"""A normal client beside an attack: GET /normal at a fixed rate through a proxy, each request on
a new connection, alternately HTTP/1.1 (H1_PORT) and h2c prior knowledge (H2C_PORT).

    python3 -m harness.steady_client H1_PORT H2C_PORT RATE

Requests start on schedule whether or not earlier ones finished (open loop: a stalled proxy shows
as latency, not as fewer attempts). Each has TIMEOUT seconds. When stdin closes it waits for the
ones in flight and prints one JSON list: [protocol, ok, milliseconds, what went wrong] per request.
"""

import asyncio
import json
import sys
import time

from harness import h2frames

TIMEOUT = 10.0


async def h1_get(port):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(b"GET /normal HTTP/1.1\r\nHost: normal.test\r\nConnection: close\r\n\r\n")
        head = await reader.readuntil(b"\r\n\r\n")
        status = head.split(b" ", 2)[1]
        length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), 0)
        await reader.readexactly(length)
        return status == b"200", "" if status == b"200" else f"status {status.decode()}"
    finally:
        writer.close()


async def h2c_get(port):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(h2frames.client_start() + h2frames.get(1, "/normal", "normal.test"))
        frames = h2frames.FrameReader(reader, writer)
        status = None
        while True:
            got = await frames.next()
            if got is None:
                return False, f"closed (status {status})"
            kind, flags, stream, payload = got
            if kind == h2frames.HEADERS and stream == 1:
                status = payload.get(":status")
            elif kind == h2frames.RST_STREAM and stream == 1:
                return False, f"RST_STREAM {h2frames.error_name(payload)}"
            elif kind == h2frames.GOAWAY:
                return False, f"GOAWAY {h2frames.error_name(payload)}"
            if stream == 1 and flags & h2frames.END_STREAM and kind in (h2frames.DATA, h2frames.HEADERS):
                return status == "200", "" if status == "200" else f"status {status}"
    finally:
        writer.close()


async def one(protocol, port, results):
    started = time.monotonic()
    try:
        ok, why = await asyncio.wait_for((h1_get if protocol == "h1" else h2c_get)(port), TIMEOUT)
    except asyncio.TimeoutError:
        ok, why = False, f"no answer in {TIMEOUT:.0f} s"
    except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as e:
        ok, why = False, type(e).__name__
    results.append([protocol, ok, round((time.monotonic() - started) * 1000, 2), why])


async def main(h1_port, h2c_port, rate):
    loop = asyncio.get_running_loop()
    stdin_closed = loop.run_in_executor(None, sys.stdin.read)
    results, tasks, n = [], [], 0
    start = time.monotonic()
    while not stdin_closed.done():
        protocol = "h1" if n % 2 == 0 else "h2c"
        tasks.append(asyncio.create_task(one(protocol, h1_port if protocol == "h1" else h2c_port, results)))
        n += 1
        await asyncio.wait([stdin_closed], timeout=max(0.0, start + n / rate - time.monotonic()))
    await asyncio.gather(*tasks)
    print(json.dumps(results), flush=True)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])))
