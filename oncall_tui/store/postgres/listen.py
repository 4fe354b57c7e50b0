"""Hearing other bastions: one LISTEN connection per process, in a thread of its own.

Every commit that adds events, change-log rows or presence notifies channel
`oncall` (schema triggers). The listener counts notifications (`version`)
and calls its callbacks, so a screen refreshes within milliseconds of
another engineer's commit, without polling the server.

When the server goes away (a restart, the network) the listener notices at
once (the server closes the socket) or within seconds (TCP keepalives and a
periodic ping); it marks the store `down` — reads then fail at once instead
of waiting — and reconnects by itself, with backoff. Once back it checks the
pool's idle connections and counts one more version, so every reader re-reads
the durable change log: nothing committed meanwhile is missed.
"""

from __future__ import annotations

import threading
import time

import psycopg

from .connect import connect_options
from .schema import CHANNEL

PING_EVERY = 5.0  # seconds between pings of an idle listening connection
BACKOFF = (0.1, 2.0)  # seconds between attempts to reconnect: first, most


class Listener(threading.Thread):
    """LISTEN on the store's channel; `version` grows with every notification and every loss or return."""

    def __init__(self, shared) -> None:
        super().__init__(name="oncall-listen", daemon=True)
        self.shared = shared
        self.version = 0
        self.down = False
        self.callbacks: list = []
        self.ready = threading.Event()
        self.stopping = threading.Event()

    def wait_ready(self, timeout: float) -> None:
        """Wait until the first LISTEN is in place (or the first attempt failed): no commit after it is missed."""
        self.ready.wait(timeout)

    def stop(self) -> None:
        self.stopping.set()

    def _news(self) -> None:
        self.version += 1
        for callback in list(self.callbacks):
            try:
                callback()
            except Exception:  # a screen's callback must not end the listening
                pass

    def run(self) -> None:
        pause = BACKOFF[0]
        while not self.stopping.is_set():
            try:
                with psycopg.connect(self.shared.target, **connect_options()) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    if self.down:
                        self.shared.pool.check()  # idle pooled connections died with the server: replace them
                        self.down = False
                        self._news()
                    self.ready.set()
                    pause = BACKOFF[0]
                    self._listen(conn)
            except psycopg.Error:
                if not self.down and not self.stopping.is_set():
                    self.down = True
                    self._news()
                self.ready.set()
                self.stopping.wait(pause)
                pause = min(pause * 2, BACKOFF[1])

    def _listen(self, conn: psycopg.Connection) -> None:
        pinged = time.monotonic()
        while not self.stopping.is_set():
            for _ in conn.notifies(timeout=0.5):
                self._news()
            if time.monotonic() - pinged > PING_EVERY:
                conn.execute("SELECT 1")  # a silent network loss raises here, not never
                pinged = time.monotonic()
