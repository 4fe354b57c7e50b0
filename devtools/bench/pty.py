"""Process-level measurements for the benchmark: start-up, keys in a real pty, memory.

`Terminal` plays the terminal emulator: it runs a program on a pseudo-terminal
of a given size, reads everything the program writes, and answers Textual's
synchronized-output query (DECRQM 2026) the way modern terminals do, so each
frame ends with the marker ``ESC[?2026l`` and frames can be told apart.
Everything here is POSIX-only and uses the standard library.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass

SYNC_END = b"\x1b[?2026l"
_SYNC_QUERY = b"\x1b[?2026$p"
_SYNC_REPLY = b"\x1b[?2026;2$y"  # "mode 2026 known, currently reset": Textual then syncs frames
_ESCAPES = re.compile(r"\x1b(?:\[[0-9;?<>=$]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_SYNC_START = b"\x1b[?2026h"
_MOVE_TO = re.compile(rb"\x1b\[(\d+);(\d+)H")


def plain_text(data: bytes) -> str:
    """Terminal output with escape sequences removed (for "has this text been drawn?")."""
    return _ESCAPES.sub("", data.decode("utf-8", "replace"))


def bytes_by_row(data: bytes) -> dict[int, int]:
    """Bytes of *data* that draw on each screen row (1-based), as Textual writes frames.

    Textual moves the cursor (``ESC[row;colH``) before each run of changed
    cells: what follows a move, up to the next one, draws on that row. The
    frame markers and a move followed by nothing (Textual parks the cursor at
    the end of each frame) draw nothing and count on no row.
    """
    data = data.replace(_SYNC_START, b"").replace(SYNC_END, b"")
    rows: dict[int, int] = {}
    moves = list(_MOVE_TO.finditer(data))
    for n, move in enumerate(moves):
        end = moves[n + 1].start() if n + 1 < len(moves) else len(data)
        if end > move.end():
            row = int(move.group(1))
            rows[row] = rows.get(row, 0) + end - move.start()
    return rows


_NOT_INHERITED = frozenset({"PYTHONDONTWRITEBYTECODE", "COLUMNS", "LINES", "COLORTERM", "NO_COLOR",
                            "ONCALL_CONFIG", "ONCALL_DB"})


def child_env(extra: dict[str, str], pycache: str) -> dict[str, str]:
    """The environment of measured processes: ours, our package importable, bytecode cached.

    Installed apps run from compiled bytecode; a checkout with
    PYTHONDONTWRITEBYTECODE would recompile every module at each start and
    penalise the app against the bare Textual app, so bytecode goes to *pycache*.
    """
    # Colour depth, size and Textual's own switches come from us, not from whoever runs the bench.
    env = {k: v for k, v in os.environ.items()
           if k not in _NOT_INHERITED and not k.startswith("TEXTUAL")}
    # The checkout's root: `oncall_tui` and `devtools` (the writers the bench starts) importable.
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    env["PYTHONPYCACHEPREFIX"] = pycache
    env.update(extra)
    return env


COLS, ROWS = 120, 40  # the terminal every pty measurement runs in


@dataclass
class KeyFrame:
    """What one key press produced: first and last frame time after the key, and bytes written."""

    first: float
    last: float
    nbytes: int
    frames: int


class Terminal:
    """A program running on a pty of *cols* × *rows*; `close()` ends it by its PID."""

    def __init__(self, argv: list[str], env: dict[str, str], *, cols: int = COLS, rows: int = ROWS) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.output = bytearray()
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=dict(env, TERM="xterm-256color"),
                                     start_new_session=True, preexec_fn=_controlling_tty, close_fds=True)
        os.close(slave)
        self._answered = 0

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _read(self, timeout: float) -> bytes:
        """One read of whatever is available within *timeout*; b"" if nothing (or the program ended)."""
        ready, _, _ = select.select([self.master], [], [], max(0.0, timeout))
        if not ready:
            return b""
        try:
            data = os.read(self.master, 1 << 16)
        except OSError:  # EIO: the program closed the terminal
            return b""
        # Answer each sync query; look at the new bytes plus a tail, as a query may straddle two reads.
        window = bytes(self.output[-(len(_SYNC_QUERY) - 1):]) + data if self.output else data
        for _ in range(window.count(_SYNC_QUERY)):
            os.write(self.master, _SYNC_REPLY)
            self._answered += 1
        self.output += data
        return data

    def wait_for_text(self, needles: list[str], timeout: float) -> float:
        """Seconds from spawn until every needle has been drawn; raises TimeoutError naming them."""
        deadline = self.started + timeout
        while time.perf_counter() < deadline:
            if self._read(deadline - time.perf_counter()):
                text = plain_text(bytes(self.output))
                if all(n in text for n in needles):
                    return time.perf_counter() - self.started
            elif self.proc.poll() is not None:
                break
        tail = plain_text(bytes(self.output[-400:])).strip()
        raise TimeoutError(f"{' '.join(self.proc.args[:3])}: {needles} not drawn within {timeout:.0f} s "
                           f"(exit status {self.proc.poll()}); last output: {tail[-200:]!r}")

    def settle(self, quiet: float, timeout: float = 10.0) -> None:
        """Read until the program has written nothing for *quiet* seconds."""
        deadline = time.perf_counter() + timeout
        last = time.perf_counter()
        while time.perf_counter() < deadline and time.perf_counter() - last < quiet:
            if self._read(quiet - (time.perf_counter() - last)):
                last = time.perf_counter()

    def key(self, keys: bytes, quiet: float, timeout: float = 5.0) -> KeyFrame:
        """Send *keys* and read until the output has gone quiet for *quiet* seconds.

        Latency is measured to the end of the last frame (the sync end marker),
        so the quiet window itself is not counted; without markers, to the last byte.
        """
        sent = time.perf_counter()
        os.write(self.master, keys)
        first = last = None
        nbytes = frames = 0
        tail = b""
        last_data = sent
        while nbytes == 0 or time.perf_counter() - last_data < quiet:
            if time.perf_counter() - sent > timeout:
                raise TimeoutError(f"key {keys!r}: no output, or no quiet output, within {timeout:.0f} s")
            data = self._read(quiet - (time.perf_counter() - last_data) if nbytes else 0.05)
            if not data:
                continue
            last_data = time.perf_counter()
            nbytes += len(data)
            ends = (tail + data).count(SYNC_END) - tail.count(SYNC_END)
            tail = data[-len(SYNC_END):]
            if ends or not self._answered:
                frames += ends
                first = first if first is not None else last_data - sent
                last = last_data - sent
        return KeyFrame(first or 0.0, last or 0.0, nbytes, frames)

    def key_until(self, keys: bytes, needles: list[str], timeout: float = 10.0) -> float:
        """Send *keys*; seconds until the end of the first frame after them that shows every needle.

        Without frame markers (a terminal that does not sync), until the needles are written.
        """
        start = len(self.output)
        sent = time.perf_counter()
        os.write(self.master, keys)
        while time.perf_counter() - sent < timeout:
            if not self._read(timeout - (time.perf_counter() - sent)):
                continue
            now = time.perf_counter()
            written = bytes(self.output[start:])
            end = written.rfind(SYNC_END) if self._answered else len(written)
            if end >= 0 and all(n in plain_text(written[:end]) for n in needles):
                return now - sent
        tail = plain_text(bytes(self.output[start:])[-400:]).strip()
        raise TimeoutError(f"key {keys!r}: {needles} not drawn within {timeout:.0f} s; last output: {tail[-200:]!r}")

    def read_for(self, seconds: float) -> bytes:
        """Everything the program writes in the next *seconds* (the sync queries answered)."""
        start = len(self.output)
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            self._read(deadline - time.perf_counter())
        return bytes(self.output[start:])

    def resize(self, cols: int, rows: int, quiet: float, timeout: float = 10.0) -> None:
        """Change the terminal's size as a terminal window does (the kernel sends the program SIGWINCH);
        returns once the program has redrawn and then written nothing for *quiet* seconds."""
        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        deadline = time.perf_counter() + timeout
        while not self._read(deadline - time.perf_counter()):  # a busy machine may take a while to redraw
            if time.perf_counter() >= deadline:
                raise TimeoutError(f"no redraw within {timeout:.0f} s of resizing to {cols}×{rows}")
        self.settle(quiet)

    def peak_rss_kib(self, pid: int | None = None) -> int:
        """VmHWM of the program (or of *pid*): its peak resident memory so far, in KiB."""
        pid = self.pid if pid is None else pid
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        raise RuntimeError(f"/proc/{pid}/status has no VmHWM line")

    def children(self) -> list[int]:
        """Processes the program started and that still run (the heat process)."""
        with open(f"/proc/{self.pid}/task/{self.pid}/children", encoding="ascii") as f:
            return [int(pid) for pid in f.read().split()]

    def close(self, quit_keys: bytes | None = b"q", grace: float = 3.0) -> None:
        """Ask the program to quit with *quit_keys*, then SIGTERM/SIGKILL its process group by PID."""
        if self.master < 0:
            return
        try:
            if quit_keys and self.proc.poll() is None:
                os.write(self.master, quit_keys)
                deadline = time.perf_counter() + grace
                while self.proc.poll() is None and time.perf_counter() < deadline:
                    self._read(0.05)
            for sig in (signal.SIGTERM, signal.SIGKILL):
                if self.proc.poll() is not None:
                    break
                os.killpg(self.proc.pid, sig)  # our child leads its own session: only its processes
                try:
                    self.proc.wait(grace)
                except subprocess.TimeoutExpired:
                    pass
        finally:
            os.close(self.master)
            self.master = -1

    def __enter__(self) -> "Terminal":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _controlling_tty() -> None:
    # In the child, after setsid(): make the pty its controlling terminal, as a login shell would.
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


# -- start-up ---------------------------------------------------------------------

HEADLESS_APP = """
import gc
import sys

gc.disable()  # as `oncall` does (commands/screen.py:run_app): the app turns it back on after the first frame
from oncall_tui.config import Config
from oncall_tui.ui import app as app_module
from oncall_tui.ui.app import OncallApp
from oncall_tui.usecases.session import Session

class FirstFrame(OncallApp):
    _BASE_PATH = app_module.__file__  # find oncall.tcss next to the real app, not this script

    def on_ready(self):
        # Ready follows the first full refresh of the screen; exit after it is drawn.
        table = self.screen.query_one("QueueTable")
        self.seen = f"screen={self.screen.name} rows={table.row_count}"
        self.call_after_refresh(self.exit)

app = FirstFrame(Session.open(sys.argv[1], Config(tick_seconds=3600), user="bench"))
app.run(headless=True, size=(120, 40))
print(app.seen)
"""

BARE_APP = """
import sys
from textual.app import App, ComposeResult
from textual.widgets import Static

HEADLESS = sys.argv[1] == "headless"

class Bare(App):
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Static("HEAT bare textual app")

    def on_ready(self):
        if HEADLESS:
            self.call_after_refresh(self.exit)

app = Bare()
app.run(headless=HEADLESS, size=(120, 40) if HEADLESS else None)
print("bare")
"""
BARE_TEXT = "HEAT bare textual app"


def headless_start(code: str, args: list[str], env: dict[str, str], expect: str, timeout: float = 60) -> float:
    """Seconds from spawning `python -c code` to its exit; its stdout must contain *expect*."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True,
                          timeout=timeout)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0 or expect not in proc.stdout:
        raise RuntimeError(f"headless start failed (exit {proc.returncode}, expected {expect!r} on stdout): "
                           f"{(proc.stdout + proc.stderr).strip()[-400:]}")
    return elapsed


def pty_start(argv: list[str], env: dict[str, str], needles: list[str], timeout: float = 60) -> tuple[float, int]:
    """Seconds from spawn until *needles* are drawn on a 120×40 pty, and the process's peak RSS (KiB)."""
    with Terminal(argv, env) as term:
        seconds = term.wait_for_text(needles, timeout)
        return seconds, term.peak_rss_kib()
