"""The terminal an engineer's SSH session gives us, and what to do when it vanishes.

When the session closes, the terminal hangs up: every write to it fails. Textual's
output thread dies on the first failed write, and its shutdown then waits forever to
queue the last frames — the process would stay, and what the app started (Pebble, the
heat process, the demo folder) with it. Once the terminal is gone, output goes nowhere.
"""

from __future__ import annotations

import os
import threading

from textual.drivers.linux_driver import LinuxDriver

TERMINAL_GONE = threading.Event()


def terminal_gone() -> None:
    """The session's terminal hung up: drop every further write (ours, Textual's, Python's at exit)."""
    TERMINAL_GONE.set()
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for fd in (1, 2):
            os.dup2(devnull, fd)
    finally:
        os.close(devnull)


class SessionDriver(LinuxDriver):
    """Textual's Linux driver, for a terminal that can hang up under it."""

    def write(self, data: str) -> None:
        if not TERMINAL_GONE.is_set():
            super().write(data)

    def close(self) -> None:
        # The output thread may have died on the hang-up with writes queued: stopping it would block.
        if not TERMINAL_GONE.is_set():
            super().close()
