"""A real HTTP server on 127.0.0.1 that misbehaves on purpose: slow, endless, or saying hostile things.

Each path's first segment is one behaviour:
- `/drip`: headers at once, then one body byte every 0.2 s for a minute;
- `/slow-headers`: the status line and headers one byte every 0.2 s;
- `/endless`: a chunked body that never ends;
- `/error`: HTTP 500 with the body given as `server.error_body`;
- anything else: 200, and the request body is kept in `server.received`.
`server.connected` is set at the first connection, `server.gone` when a client hangs up before its
answer ended.
"""

from __future__ import annotations

import asyncio
import threading


class HostileServer:
    def __init__(self) -> None:
        self.error_body = b"maintenance"
        self.received: list[bytes] = []
        self.gone = threading.Event()
        self.connected = threading.Event()
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> HostileServer:
        self.thread.start()
        if not self.ready.wait(10):
            raise RuntimeError("the hostile HTTP server did not start")
        return self

    def __exit__(self, *exc) -> None:
        self.loop.call_soon_threadsafe(self.stopping.set)
        self.thread.join(10)

    def _run(self) -> None:
        self.loop.run_until_complete(self._main())
        self.loop.close()

    async def _main(self) -> None:
        self.stopping = asyncio.Event()
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self.ready.set()
        await self.stopping.wait()
        server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connected.set()
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            # The first segment chooses the behaviour, so a client that adds its own path (RT's /REST/2.0/…)
            # under a base URL of /drip meets the same server.
            path = "/" + head.split(b" ", 2)[1].split(b"?")[0].decode().split("/")[1]
            length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            body = await reader.readexactly(length) if length else b""
            if path == "/drip":
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 300\r\n\r\n")
                for _ in range(300):
                    writer.write(b" ")
                    await writer.drain()
                    await asyncio.sleep(0.2)
            elif path == "/slow-headers":
                for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: " + b"x" * 300:
                    writer.write(bytes([byte]))
                    await writer.drain()
                    await asyncio.sleep(0.2)
            elif path == "/endless":
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                chunk = b"[" * 65536
                while True:
                    writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    await writer.drain()
            elif path == "/error":
                writer.write(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: %d\r\n\r\n%s"
                             % (len(self.error_body), self.error_body))
            else:
                self.received.append(body)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            self.gone.set()
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except (ConnectionError, asyncio.CancelledError):
                pass
