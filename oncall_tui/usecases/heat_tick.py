"""The heat tick: every open case rescored as time passes, in its own process.

Rescoring every open case each minute is CPU work: in a thread of the app it
held the GIL against the screen (on-screen move p95 7 ms -> 35 ms while it ran
at 100k cases). A child process uses the other core and keeps its RetickMemo
between ticks. The app sends one JSON line per tick and reads one back:

    {"now": "2026-11-24T09:00:00Z", "heat": {...}}     (the [heat] table of the config)
    -> {"changed": 12}  |  {"error": "what went wrong"}

The store's target reaches the process in its environment, not its
arguments: a PostgreSQL URL may hold a password, and every user of the
machine can read a process's arguments.

Every engineer's app ticks each minute; the first tick of a minute does the
work for everyone sharing the store (it leaves that minute's heat sample),
the others find the sample and skip: on PostgreSQL a team of 24 rescores
100k cases once a minute, not 24 times.

The process ends when its standard input closes (the app quits or dies). A
tick sent to a process that died meanwhile (killed between ticks) starts a
new one and is sent again: no tick is lost.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import datetime
from typing import Any, Mapping

from ..core.timeutil import format_ts, parse_ts
from ..store import queries
from ..store.derived import RetickMemo, retick
from ..store.engines import open_store
from .models import models_for

MODULE = "oncall_tui.usecases.heat_tick"
TARGET_VARIABLE = "ONCALL_HEAT_STORE"


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

    async def tick(self, now: datetime, heat: Mapping[str, Any] | None = None) -> int:
        """Rescore every open case at *now* with the shipped weights and the [heat] table *heat*.

        Returns how many cases changed; raises HeatProcessError. A process found
        dead (killed since the last tick, not yet reaped) is replaced and the
        tick sent again, once.
        """
        request = (json.dumps({"now": format_ts(now), "heat": dict(heat or {})}) + "\n").encode()
        for attempt in (1, 2):
            if self.pid is None:
                await self._start()
            try:
                self.proc.stdin.write(request)
                await self.proc.stdin.drain()
                line = await asyncio.wait_for(self.proc.stdout.readline(), self.timeout)
            except (BrokenPipeError, ConnectionResetError):
                line = b""
            except asyncio.TimeoutError:
                await self.stop()
                raise HeatProcessError(f"the heat tick took over {self.timeout:.0f} s and was stopped; "
                                       "the next tick starts a new one") from None
            if line:
                break
            detail = await self._stderr_tail()
            await self.stop()
            if attempt == 2 or detail:
                raise HeatProcessError(f"the heat process stopped ({detail or 'no message'}); "
                                       "the next tick starts a new one")
            # Killed between ticks without a word: a new process takes this very tick.
        reply = json.loads(line)
        if "error" in reply:
            raise HeatProcessError(reply["error"])
        return reply["changed"]

    async def _start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", MODULE, env={**os.environ, TARGET_VARIABLE: self.store_path},
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)

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
        try:
            proc.stdin.close()
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            await asyncio.wait_for(proc.wait(), 2)
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()


def serve(store_path: str, lines, out) -> None:
    """The process side: one tick per line of *lines*, one reply per tick to *out*."""
    store = open_store(store_path, migrate=False, create=False)
    memo = RetickMemo()
    seen: tuple[str, object] | None = None  # the last [heat] table and the weights it gave
    try:
        for line in lines:
            try:
                request = json.loads(line)
                raw = json.dumps(request.get("heat") or {}, sort_keys=True)
                if seen is None or seen[0] != raw:
                    seen = (raw, models_for(request.get("heat") or {}, "[heat]").weights)
                now = parse_ts(request["now"])
                if queries.heat_sampled(store, now):
                    # Another engineer's process (maybe on another bastion) rescored this minute already.
                    reply = {"changed": 0}
                else:
                    reply = {"changed": retick(store, now, seen[1], memo=memo)}
            except Exception as exc:  # reported to the app, which shows it; the next tick tries again
                reply = {"error": f"heat tick: {type(exc).__name__}: {exc}"}
            out.write(json.dumps(reply) + "\n")
            out.flush()
    finally:
        store.close()


if __name__ == "__main__":
    serve(os.environ[TARGET_VARIABLE], sys.stdin, sys.stdout)
