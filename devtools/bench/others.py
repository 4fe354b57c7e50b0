"""The app while other engineers write to the same store: keys under load, and bytes when idle.

Both run the app in the 120×40 pty on a store freshly rescored at the wall
clock (`measure.freshen`), so a note rescoring one case does not make it
jump the queue.
"""

from __future__ import annotations

import select
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

from oncall_tui.usecases import writing
from oncall_tui.usecases.queue import Queue

from . import pty as bench_pty
from .measure import ONSCREEN_PASS, freshen, open_session, percentile, start_app

WRITERS = 8
IDLE_WINDOW = 2.5  # seconds of output counted after the note: the app polls for changes every second
TITLE_ROW = 1  # the queue's title line: case counts per heat band


def measure_writers(db: Path, env: dict, moves: int, quiet: float, out: dict, writers: int = WRITERS) -> None:
    """On-screen moves while *writers* processes save notes as fast as they can; and how many they saved."""
    freshen(db)
    with start_app(db, env) as term:
        procs = [subprocess.Popen([sys.executable, "-m", "devtools.bench.writer", str(db), str(n)], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for n in range(writers)]
        try:
            for proc in procs:
                _wait_ready(proc)
            term.settle(quiet)  # the first notes reach the screen
            frames = []
            started = time.perf_counter()
            while len(frames) < moves:
                term.key(b"g", quiet)  # back to the top row (unmeasured)
                frames += [term.key(b"j", quiet) for _ in range(min(ONSCREEN_PASS, moves - len(frames)))]
            seconds = time.perf_counter() - started
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
        notes = refused = 0
        for proc in procs:
            stdout, stderr = proc.communicate(timeout=60)
            last = stdout.strip().splitlines()[-1:] if stdout else []
            if proc.returncode != 0 or not last or len(last[0].split()) != 2:
                raise RuntimeError(f"writer {proc.args[-1]} failed (exit {proc.returncode}): "
                                   f"{(stdout + stderr).strip()[-400:]}")
            wrote, failed = map(int, last[0].split())
            notes, refused = notes + wrote, refused + failed
    lasts = [f.last * 1000 for f in frames]
    out["writers_p50_ms"] = statistics.median(lasts)
    out["writers_p95_ms"] = percentile(lasts, 95)
    out["writers_notes"] = notes
    out["writers_notes_per_s"] = notes / seconds
    out["writers_refused"] = refused


def _wait_ready(proc: subprocess.Popen, timeout: float = 60) -> None:
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    line = proc.stdout.readline() if ready else ""
    if line.strip() != "ready":
        proc.kill()
        _, stderr = proc.communicate()
        raise RuntimeError(f"writer {proc.args[-1]} did not start: {(line + stderr).strip()[-400:]}")


def measure_idle_note(db: Path, env: dict, out: dict, attempts: int = 3) -> None:
    """Bytes the idle app writes when another engineer saves a note on a case far below the screen.

    The WAITING, AGE and LOCAL cells show minutes: the first refresh after a
    minute ends legitimately repaints them. So the rows are painted afresh
    (a resize, as a terminal window sends) and the note saved and the output
    counted within that same minute; a window that crosses a minute is retried.
    """
    freshen(db)
    session = open_session(db)
    queue = Queue(session)
    coldest = queue.page_from_end(0, 1)
    if not coldest or queue.count() <= bench_pty.ROWS:
        raise RuntimeError(f"{db}: too few open cases for one to be off screen")
    case_id = coldest[0].id
    with start_app(db, env) as term:
        for _ in range(attempts):
            minute = _fresh_minute(term, need=IDLE_WINDOW + 1.5)
            writing.add(session, case_id, "note", "Customer called back: the backup finished, nothing to do.")
            data = term.read_for(IDLE_WINDOW)
            if int(time.time() // 60) == minute:
                break
        else:
            raise RuntimeError(f"the idle window crossed a minute {attempts} times in a row")
    rows = bench_pty.bytes_by_row(data)
    out["idle_note_bytes"] = sum(n for row, n in rows.items() if row != TITLE_ROW)
    out["idle_note_total_bytes"] = len(data)
    out["idle_note_rows"] = len([row for row in rows if row != TITLE_ROW])


def _fresh_minute(term: bench_pty.Terminal, *, need: float) -> int:
    """Repaint the whole screen early enough in a minute that *need* seconds remain; returns that minute."""
    while True:
        if 60 - time.time() % 60 < need + 1.5:
            time.sleep(60 - time.time() % 60 + 0.1)
        minute = int(time.time() // 60)
        # Two redraws, each waited for: resizes sent closer together could reach the app as one, of no size change.
        term.resize(bench_pty.COLS - 1, bench_pty.ROWS, 0.3)
        term.resize(bench_pty.COLS, bench_pty.ROWS, 0.5)
        if int(time.time() // 60) == minute and 60 - time.time() % 60 >= need:
            return minute
