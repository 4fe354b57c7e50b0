"""What `python -m devtools.bench` measures in one app or one process: start-up, keys, heat, search.

Each `measure_*` fills *out* with metric keys that `run.METRICS` labels and
budgets. Sessions on a store are opened once per path and closed by `close_all`.
"""

from __future__ import annotations

import math
import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from oncall_tui.config import Config
from oncall_tui.store import derived
from oncall_tui.store.search import search
from oncall_tui.ui.safe import visible
from oncall_tui.usecases.queue import Queue
from oncall_tui.usecases.session import Session

from . import pty as bench_pty
from .search import bench_search

ONSCREEN_PASS = 20  # j presses from the top row before going back: inside any plausible page


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


# -- measurements -------------------------------------------------------------------

def queue_drawn(db: Path) -> list[str]:
    """Text that is on the terminal once the queue is: its header and the hottest row's customer."""
    top = Queue(open_session(db)).page(0, 1)
    return ["HEAT", visible(top[0].customer)[:12]] if top else ["HEAT"]


def app_argv(db: Path) -> list[str]:
    """The full screen, started as engineers start it (`oncall --db DB`)."""
    return [sys.executable, "-m", "oncall_tui", "--db", str(db)]


def start_app(db: Path, env: dict) -> bench_pty.Terminal:
    """The app in a 120×40 pty, its queue drawn and its output settled."""
    term = bench_pty.Terminal(app_argv(db), env)
    try:
        term.wait_for_text(queue_drawn(db), 60)
        term.settle(0.5)
    except BaseException:
        term.close()
        raise
    return term


def freshen(db: Path) -> None:
    """Rescore every open case at the wall clock, as the app's tick would have.

    A cached store was scored when it was built: a case written to now would
    be rescored on its own and jump ahead of cases that waited as long.
    """
    session = open_session(db)
    derived.retick(session.store, datetime.now(timezone.utc), session.models.weights)


def measure_start(db: Path, env: dict, starts: int, out: dict) -> None:
    """Median start times of the app and the bare app, headless and in the pty, interleaved."""
    needles = queue_drawn(db)
    bare = bench_pty.BARE_APP
    # Warm-up (unmeasured): compiles bytecode into the cache and warms the OS file cache.
    bench_pty.headless_start(bench_pty.HEADLESS_APP, [str(db)], env, "screen=queue")
    bench_pty.headless_start(bare, ["headless"], env, "bare")
    runs: dict[str, list[float]] = {k: [] for k in ("start_headless_s", "bare_headless_s", "start_pty_s", "bare_pty_s")}
    for _ in range(starts):
        runs["start_headless_s"].append(bench_pty.headless_start(bench_pty.HEADLESS_APP, [str(db)], env,
                                                                 "screen=queue"))
        runs["bare_headless_s"].append(bench_pty.headless_start(bare, ["headless"], env, "bare"))
        runs["start_pty_s"].append(bench_pty.pty_start(app_argv(db), env, needles)[0])
        runs["bare_pty_s"].append(bench_pty.pty_start([sys.executable, "-c", bare, "pty"], env,
                                                      [bench_pty.BARE_TEXT])[0])
    for key, values in runs.items():
        out[key] = statistics.median(values)


def measure_keys(db: Path, env: dict, moves: int, quiet: float, out: dict) -> None:
    """j presses in a 120×40 pty: on-screen and scrolling moves, bytes, G, then peak RSS."""
    with start_app(db, env) as term:
        onscreen = []
        while len(onscreen) < moves:
            term.key(b"g", quiet)  # back to the top row (unmeasured)
            onscreen += [term.key(b"j", quiet) for _ in range(min(ONSCREEN_PASS, moves - len(onscreen)))]
        term.key(b"g", quiet)
        term.key(b"\x04", quiet)  # ctrl+d, page down: the cursor lands on the last visible row
        scrolling = [term.key(b"j", quiet) for _ in range(moves)]
        # Once: the widget caches rows, so a second G would not read the store again.
        out["jump_end_ms"] = term.key(b"G", quiet).last * 1000
        out["rss_mb"] = term.peak_rss_kib() / 1024
    for name, frames in (("onscreen", onscreen), ("scroll", scrolling)):
        lasts = [f.last * 1000 for f in frames]
        out[f"{name}_p50_ms"] = statistics.median(lasts)
        out[f"{name}_p95_ms"] = percentile(lasts, 95)
        out[f"{name}_first_p50_ms"] = statistics.median(f.first * 1000 for f in frames)
        out[f"{name}_bytes"] = statistics.median(f.nbytes for f in frames)
    out["onscreen_frames"] = statistics.median(f.frames for f in onscreen)


def measure_ticking(db: Path, env: dict, size: int, quiet: float, out: dict) -> None:
    """On-screen moves and peak RSS while the heat tick rescores every open case (env: a 2 s tick)."""
    seconds = 4 + size / 12_500  # a few ticks: the first one at 100k takes 3-5 s here
    with start_app(db, env) as term:
        moves = []
        started = time.perf_counter()
        while time.perf_counter() - started < seconds:  # the first tick decodes every case, later ones reuse it
            term.key(b"g", quiet)
            moves += [term.key(b"j", quiet) for _ in range(ONSCREEN_PASS)]
        out["tick_onscreen_p95_ms"] = percentile([f.last * 1000 for f in moves], 95)
        out["tick_rss_mb"] = term.peak_rss_kib() / 1024
        children = term.children()
        if len(children) != 1:
            raise RuntimeError(f"expected the app to run one heat process, found {len(children)}")
        out["heat_rss_mb"] = term.peak_rss_kib(children[0]) / 1024


def measure_search(db: Path, out: dict, *, rare: str | None = None, common: str | None = None) -> dict:
    """Top-50 full-text search for a rarer term (≤ 10k events) and the most common one, as the UI runs it."""
    report = bench_search(open_session(db).store, rare=rare, common=common)
    out["search_rare_ms"] = report["rare_budget"]["ms"]
    out["search_rare_events"] = report["rare_budget"]["matching_events"]
    out["search_common_ms"] = report["common_budget"]["ms"]
    out["search_common_events"] = report["common_budget"]["matching_events"]
    return report


def measure_heat(db: Path, anchor: datetime, out: dict, repeats: int = 21) -> None:
    """retick all open cases, refresh single cases, and read the top of the queue."""
    session = open_session(db)
    store, heat = session.store, session.models.heat
    now = anchor + timedelta(minutes=5)  # time has passed: heat moves, as on a real tick
    started = time.perf_counter()
    derived.retick(store, now, heat.weights)
    out["retick_first_s"] = time.perf_counter() - started
    # The app ticks every minute in a long-lived process, keeping what each tick learned
    # for the next (RetickMemo): the steady cost is what the budget is about.
    memo = derived.RetickMemo()
    derived.retick(store, now, heat.weights, memo=memo)
    ticks = []
    for minute in range(1, 4):
        started = time.perf_counter()
        derived.retick(store, now + timedelta(minutes=minute), heat.weights, memo=memo)
        ticks.append(time.perf_counter() - started)
    out["retick_s"] = statistics.median(ticks)
    count = store.query_one("SELECT COUNT(*) FROM cases")[0]
    rng = random.Random(0)
    ids = [f"B-{rng.randrange(count):06d}" for _ in range(repeats)]
    times = []
    for case_id in ids:
        started = time.perf_counter()
        with store.write() as conn:  # a real refresh commits; that is part of its cost
            derived.refresh_cases(conn, [case_id], now, heat)
        times.append(time.perf_counter() - started)
    out["refresh_case_ms"] = statistics.median(times) * 1000
    queue = Queue(session)  # the screen's queue: the store's one queue query, rows as the screen gets them
    queue.page(0, 40)  # warm
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        rows = queue.page(0, 40)
        times.append(time.perf_counter() - started)
    if len(rows) != min(40, count):
        raise RuntimeError(f"the queue's page returned {len(rows)} rows from a store of {count} open cases")
    out["queue_page_ms"] = statistics.median(times) * 1000


_SESSIONS: dict[str, Session] = {}


def open_session(db: Path) -> Session:
    """The benchmark's own session on *db* (an engineer called "bench"), opened once per store."""
    session = _SESSIONS.get(str(db))
    if session is None:
        session = _SESSIONS[str(db)] = Session.open(db, Config(), user="bench", create=False, migrate=False)
    return session


def close_all() -> None:
    while _SESSIONS:
        _SESSIONS.popitem()[1].close()


def history_needles(session: Session, case_id: str) -> list[str]:
    """What the history screen of *case_id* draws once opened: its header ("their time Tue 10:12 (…)") and
    the last line of its timeline (the newest entry's, at the bottom). A frame with the header alone is not
    the case opened: a newly composed screen drew its timeline one frame later."""
    from oncall_tui.ui.screens.history import PREVIEW_LINES
    from oncall_tui.usecases.history import case_view

    newest = case_view(session, case_id, newest=1).timeline[-1]
    lines = [line.strip() for line in newest.body.splitlines() if line.strip()]
    if newest.cut or len(lines) > PREVIEW_LINES:
        last = "shows it all"  # "… 2,093,637 more characters — x shows it all"
    else:
        last = lines[-1][:20] if lines else newest.author
    return ["their time", last]


def measure_history(db: Path, env: dict, quiet: float, out: dict, opens: int = 15) -> None:
    """enter → the first frame of the history screen, on a case holding a 2 MB customer message.

    The message (a pasted log) is added to the hottest case first; then in
    the pty, that case is opened *opens* times and, each time, a case
    without it for comparison. The very first open (it loads the screen's
    code and styles) is reported apart. Fifteen opens: with five, the median
    moved by 20 ms between two runs of the same code.
    """
    from oncall_tui.store import writes

    from .data import pasted_log

    freshen(db)
    session = open_session(db)
    top = Queue(session).page(0, 1)[0]
    started = time.perf_counter()
    writes.add_case_event(session.store, top.id, kind="message", direction="in", channel="email",
                          body=pasted_log(2 * 2 ** 20), author=f"{top.customer_id}-contact", now=session.now())
    out["history_2mb_write_s"] = time.perf_counter() - started
    page = [row.id for row in Queue(session).page(0, ONSCREEN_PASS)]
    if top.id not in page[:-1]:
        raise RuntimeError(f"{top.id} left the first {ONSCREEN_PASS} rows after its 2 MB message")
    index = page.index(top.id)
    needles = {top.id: history_needles(session, top.id), page[index + 1]: history_needles(session, page[index + 1])}
    with start_app(db, env) as term:
        for _ in range(index):
            term.key(b"j", quiet)  # onto the case with the 2 MB message; the next row has none

        def open_case(case_id: str) -> float:
            seconds = term.key_until(b"\r", needles[case_id])
            term.settle(quiet)  # the rest of its frames (the decoder's suggestion), unmeasured
            term.key(b"\x1b", 0.3)  # escape: back to the queue (Textual waits to tell it from a sequence)
            return seconds

        first = open_case(top.id)
        big, small = [], []
        for _ in range(opens):
            big.append(open_case(top.id))
            term.key(b"j", quiet)
            small.append(open_case(page[index + 1]))
            term.key(b"k", quiet)
    out["history_2mb_first_ms"] = first * 1000
    out["history_2mb_ms"] = statistics.median(big) * 1000
    out["history_ms"] = statistics.median(small) * 1000
    # A search that finds the log: its one-line excerpt must not read the 2 MB word by word.
    times = []
    for _ in range(5):
        started = time.perf_counter()
        hits = search(session.store, "fastcgi upstream", limit=50)
        times.append(time.perf_counter() - started)
    if not any(h.case_id == top.id and h.kind == "message" for h in hits):
        raise RuntimeError("the search for a word of the 2 MB log did not find it")
    out["search_2mb_ms"] = statistics.median(times) * 1000
