"""A slow link: a TCP relay on 127.0.0.1 that carries RATE bytes a second each way, adds DELAY ms
one way, and holds at most QUEUE bytes in flight (then stops reading, so the sender feels
back-pressure, as on a real slow link with a small router buffer).

    python slow_link.py UPSTREAM_PORT RATE DELAY_MS QUEUE

It listens on a free port, prints that port on one line, and relays until killed. Per direction
the bytes leave at RATE (each chunk is due when the previous one has gone, plus its own length
over RATE) and arrive DELAY later.
"""

from __future__ import annotations

import asyncio
import socket
import sys

CHUNK = 1024


async def pipe(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    rate: float,
    delay: float,
    queue_limit: int,
) -> None:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()
    state = {"queued": 0, "sent_at": 0.0}
    room = asyncio.Event()
    room.set()

    async def read() -> None:
        while data := await reader.read(CHUNK):
            while state["queued"] > queue_limit:
                room.clear()
                await room.wait()
            state["sent_at"] = max(loop.time(), state["sent_at"]) + len(data) / rate
            state["queued"] += len(data)
            await queue.put((state["sent_at"] + delay, data))
        await queue.put(None)

    async def write() -> None:
        while (item := await queue.get()) is not None:
            due, data = item
            if (wait := due - loop.time()) > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
            state["queued"] -= len(data)
            room.set()
        writer.close()

    await asyncio.gather(read(), write(), return_exceptions=True)


async def main(upstream: int, rate: float, delay: float, queue_limit: int) -> None:
    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection("127.0.0.1", upstream)
        for w in (client_w, server_w):
            s = w.get_extra_info("socket")
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        await asyncio.gather(
            pipe(client_r, server_w, rate, delay, queue_limit),
            pipe(server_r, client_w, rate, delay, queue_limit),
            return_exceptions=True,
        )

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    up, rate_, delay_ms, queue_ = sys.argv[1:5]
    asyncio.run(main(int(up), float(rate_), float(delay_ms) / 1000, int(queue_)))
