"""Every network call bounded: connect, read and overall deadlines, a size cap, and a way to stop it.

httpx's timeouts apply per operation: a server that sends one byte a second
never trips them, and nothing caps the body. `fetch` adds the overall deadline
and the cap, reads the body as it streams, and gives up within a tenth of a
second when the caller's *cancel* event is set (the app quitting).
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from typing import Any

import httpx


class FetchError(Exception):
    """A call stopped by its limits (too slow, too large) or by the caller; the message says which."""


@dataclass(frozen=True)
class Limits:
    connect: float = 5.0  # seconds to connect
    read: float = 15.0  # seconds between two pieces of the answer
    total: float = 30.0  # seconds for the whole exchange
    max_bytes: int = 50 * 1024 * 1024  # the answer's size cap

    def timeout(self) -> httpx.Timeout:
        return httpx.Timeout(self.read, connect=min(self.connect, self.total))


@dataclass(frozen=True)
class Fetched:
    status: int
    reason: str
    headers: httpx.Headers
    body: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


async def fetch(client: httpx.AsyncClient, method: str, url: str, *, limits: Limits,
                cancel: threading.Event | asyncio.Event | None = None, **kwargs: Any) -> Fetched:
    """*method* *url* with *client*, within *limits*; FetchError when too slow, too large or cancelled.

    httpx errors (cannot connect, connection reset) pass through unchanged.
    """
    task = asyncio.ensure_future(_read(client, method, url, limits, **kwargs))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limits.total
    try:
        while not task.done():
            if cancel is not None and cancel.is_set():
                raise FetchError("stopped: oncall is closing")
            left = deadline - loop.time()
            if left <= 0:
                raise FetchError(f"no complete answer within {limits.total:g} s")
            await asyncio.wait({task}, timeout=min(0.1, left))
        return task.result()
    finally:
        if not task.done():
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 — the reason given is ours
                pass


async def _read(client: httpx.AsyncClient, method: str, url: str, limits: Limits, **kwargs: Any) -> Fetched:
    async with client.stream(method, url, timeout=limits.timeout(), **kwargs) as response:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limits.max_bytes:
            raise FetchError(f"the answer is {int(declared):,} bytes, over the {limits.max_bytes:,}-byte cap")
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limits.max_bytes:
                raise FetchError(f"the answer exceeds the {limits.max_bytes:,}-byte cap")
            chunks.append(chunk)
        return Fetched(response.status_code, response.reason_phrase, response.headers, b"".join(chunks))


def fetch_blocking(method: str, url: str, *, limits: Limits, cancel: threading.Event | None = None,
                   **kwargs: Any) -> Fetched:
    """`fetch` for callers without an event loop (a CLI command, a worker thread)."""
    async def run() -> Fetched:
        async with httpx.AsyncClient() as client:
            return await fetch(client, method, url, limits=limits, cancel=cancel, **kwargs)
    return asyncio.run(run())
