"""Opens N HTTP/1.1 keep-alive connections to 127.0.0.1:PORT, sends one GET /small on each, reads
the answer, prints "ready N" and holds them until stdin closes."""

import asyncio
import sys


async def one(port, held):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /small HTTP/1.1\r\nHost: bench\r\n\r\n")
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(head.split(b"\r\n")[0].decode())
    await reader.readexactly(length)
    held.append(writer)


async def main(port, count):
    held = []
    batch = 500  # opened in batches: no accept-queue overflow
    for start in range(0, count, batch):
        await asyncio.gather(*(one(port, held) for _ in range(min(batch, count - start))))
    print(f"ready {len(held)}", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)
    for w in held:
        w.close()


if __name__ == "__main__":
    try:
        asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
    except Exception as e:  # reported to the harness on the first line
        print(f"failed: {e!r}", flush=True)
        sys.exit(1)
