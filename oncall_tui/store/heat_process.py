"""The heat tick in its own process.

Rescoring every open case each minute is CPU work: in a thread of the app it
held the GIL against the screen (on-screen move p95 7 ms -> 35 ms while it ran
at 100k cases). A child process uses the other core and keeps its RetickMemo
between ticks. The app sends one JSON line per tick and reads one back:

    {"now": "2026-11-24T09:00:00Z", "weights": {...} | null}
    -> {"changed": 12}  |  {"error": "what went wrong"}

The process ends when its standard input closes (the app quits or dies).
"""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import fields
from datetime import datetime

from ..core.timeutil import format_ts


class HeatProcessError(Exception):
    """The heat process failed a tick or stopped; the message says how."""


class HeatProcess:
    """The app's handle on its heat process: started at the first tick, restarted if it died."""

    def __init__(self, store_path: str, *, timeout: float = 300.0) -> None:
        self.store_path = store_path
        self.timeout = timeout
        self.proc: asyncio.subprocess.Process | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None and self.proc.returncode is None else None

    async def tick(self, now: datetime, weights=None) -> int:
        """Rescore every open case at *now*; returns how many changed. Raises HeatProcessError."""
        if self.pid is None:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "oncall_tui.store.heat_process", self.store_path,
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        request = {"now": format_ts(now),
                   "weights": None if weights is None else {f.name: getattr(weights, f.name) for f in fields(weights)}}
        try:
            self.proc.stdin.write((json.dumps(request) + "\n").encode())
            await self.proc.stdin.drain()
            line = await asyncio.wait_for(self.proc.stdout.readline(), self.timeout)
        except (BrokenPipeError, ConnectionResetError):
            line = b""
        except asyncio.TimeoutError:
            await self.stop()
            raise HeatProcessError(f"the heat tick took over {self.timeout:.0f} s and was stopped; "
                                   "the next tick starts a new one") from None
        if not line:
            detail = await self._stderr_tail()
            await self.stop()
            raise HeatProcessError(f"the heat process stopped ({detail or 'no message'}); "
                                   "the next tick starts a new one")
        reply = json.loads(line)
        if "error" in reply:
            raise HeatProcessError(reply["error"])
        return reply["changed"]

    async def _stderr_tail(self) -> str:
        try:
            text = await asyncio.wait_for(self.proc.stderr.read(), 2)
        except asyncio.TimeoutError:
            return ""
        lines = text.decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else ""

    async def stop(self) -> None:
        """Close its input (it exits at once between ticks); kill it if it does not."""
        proc, self.proc = self.proc, None
        if proc is None or proc.returncode is not None:
            return
        proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 2)
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()


def serve(store_path: str, lines, out) -> None:
    """The process side: one tick per line of *lines*, one reply per tick to *out*."""
    from ..core.heat_weights import load_weights
    from ..core.timeutil import parse_ts
    from .db import Store
    from .derived import RetickMemo, retick

    store = Store.open(store_path, migrate=False)
    memo = RetickMemo()
    weights_seen: tuple[str, object] | None = None  # the last weights line and what it read as
    try:
        for line in lines:
            try:
                request = json.loads(line)
                raw = json.dumps(request.get("weights"), sort_keys=True)
                if weights_seen is None or weights_seen[0] != raw:
                    mapping = request.get("weights")
                    weights_seen = (raw, None if mapping is None else load_weights(mapping, "heat tick"))
                reply = {"changed": retick(store, parse_ts(request["now"]), weights_seen[1], memo=memo)}
            except Exception as exc:  # reported to the app, which shows it; the next tick tries again
                reply = {"error": f"heat tick: {type(exc).__name__}: {exc}"}
            out.write(json.dumps(reply) + "\n")
            out.flush()
    finally:
        store.close()


if __name__ == "__main__":
    serve(sys.argv[1], sys.stdin, sys.stdout)
