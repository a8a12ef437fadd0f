# A real WebSocket server (python3-websockets, Debian) for WebSocketIT: echoes every message;
# "close-<code>" makes it close with that code. Prints its port, then serves until killed.
import asyncio

import websockets


async def echo(ws, path=None):
    try:
        async for message in ws:
            if isinstance(message, str) and message.startswith("close-"):
                await ws.close(int(message[6:]), "asked to")
                return
            await ws.send(message)
    except websockets.ConnectionClosed:
        pass


async def main():
    async with websockets.serve(echo, "127.0.0.1", 0, max_size=None, ping_interval=None) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Future()


asyncio.run(main())
