"""The benchmark: `python -m devtools.bench [--sizes 10000,100000] [--json] [--only GROUPS]`.

Measures, at each store size, what an engineer feels and what the issue
budgets (at 100k open cases, on a 2-core machine):

- build: writing a synthetic store (cached per size, schema and code; `--rebuild`);
- start: process start to the first queue frame, headless and in a real 120×40
  pty, next to a bare Textual app measured the same way in the same run;
- keys: key→frame latency of `j` in the pty, on-screen moves and scrolling
  moves apart, bytes written per move, `G`, and the app's peak RSS;
- heat: full rescore (`derived.retick`), one case refresh (`derived.refresh_cases`),
  the top-40 queue page (`usecases.queue.Queue.page`); in the pty, on-screen
  moves and peak RSS while the heat ticks every 2 s;
- search: full-text search, a rare term and the most common one;
- writers: in the pty, on-screen moves while 8 processes save notes as fast
  as they can; bytes the idle queue writes when another engineer saves a
  note on a case far off screen;
- history: enter → the history screen's first frame, the case holding a 2 MB
  customer message;
- decoder: the jargon decoder on a 2 kB message, a 100 000-letter word, a 2 MB log;
- readings: the heat's readings folding messages built to be slow (a check's word, then "a.a.a.…" and
  other runs, 4 kB: what the fold reads of a message), as a customer's message and as a note;
- import: `oncall import` of a big interchange file (200 MiB; `--import-mb`),
  its duration and peak RSS, once per run (it does not depend on the store size);
- postgres: the same store copied into a throwaway PostgreSQL 15 cluster with
  `oncall migrate`, then keys, the queue page, heat, search and history on it;
  and live update on both engines: another process saves a note on the case
  on screen, until the frame showing it (SQLite polls each second; PostgreSQL
  is told by LISTEN/NOTIFY).
- rt (only when asked: `--only rt`; needs root and RT 5 installed by `.ci/install-rt.sh`):
  a private RT 5 seeded with the test world and `--rt-tickets` more tickets; first sync
  throughput, incremental and no-op sync, a customer's history from the store versus from RT.

The measurements live in `measure`, `others`, `decoder`, `readings` and `importing`; this
module runs and reports them. Budgets are checked on every size measured.
Progress goes to stderr; the table (or `--json`) to stdout. Nothing here
asserts: read the ok? column.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from oncall_tui.core.timeutil import parse_ts
from oncall_tui.store.sqlite.schema import SCHEMA_VERSION

from . import data as bench_data
from . import pty as bench_pty
from .decoder import measure_decoder
from .importing import measure_import
from .measure import (
    close_all,
    measure_heat,
    measure_history,
    measure_keys,
    measure_search,
    measure_start,
    measure_ticking,
)
from .others import measure_idle_note, measure_writers
from .readings import measure_readings
from .rt_sync import measure_rt

GROUPS = ("build", "start", "keys", "heat", "search", "writers", "history", "decoder", "readings", "import",
          "postgres", "rt")
#: Groups run only when named in --only (they need more than this checkout: a running RT).
ASKED_ONLY = {"rt"}
#: Groups that run the app or read the store of each size (the others need no store).
STORE_GROUPS = {"start", "keys", "heat", "search", "writers", "history", "postgres"}
#: PostgreSQL's rows: the SQLite metric measured again on PostgreSQL, with its budget.
PG_METRICS = ("onscreen_p95_ms", "scroll_p95_ms", "queue_page_ms", "history_2mb_ms", "history_ms", "search_rare_ms",
              "search_common_ms", "search_2mb_ms", "retick_s", "refresh_case_ms")


# key, label, budget text, check(value, results of that size) -> ok
Check = Callable[[float, dict], bool]
METRICS: list[tuple[str, str, str, Check | None]] = [
    ("build_s", "store build (s)", "—", None),
    ("start_headless_s", "start → first frame, headless (s)", "≤ 1.0 and ≤ 1.3× bare",
     lambda v, r: v <= 1.0 and v <= 1.3 * r.get("bare_headless_s", math.inf)),
    ("bare_headless_s", "  bare Textual app, headless (s)", "—", None),
    ("start_pty_s", "start → queue drawn, 120×40 pty (s)", "≤ 1.0 and ≤ 1.3× bare",
     lambda v, r: v <= 1.0 and v <= 1.3 * r.get("bare_pty_s", math.inf)),
    ("bare_pty_s", "  bare Textual app, pty (s)", "—", None),
    ("onscreen_p50_ms", "key→frame on-screen move p50 (ms)", "—", None),
    ("onscreen_p95_ms", "key→frame on-screen move p95 (ms)", "≤ 25", lambda v, r: v <= 25),
    ("onscreen_first_p50_ms", "  first frame after key p50 (ms)", "—", None),
    ("onscreen_frames", "  frames per on-screen move (median)", "—", None),
    ("scroll_p50_ms", "key→frame scrolling move p50 (ms)", "—", None),
    ("scroll_p95_ms", "key→frame scrolling move p95 (ms)", "≤ 25", lambda v, r: v <= 25),
    ("scroll_first_p50_ms", "  first frame after key p50 (ms)", "—", None),
    ("onscreen_bytes", "bytes per on-screen move (median)", "≤ 512", lambda v, r: v <= 512),
    ("scroll_bytes", "bytes per scrolling move (median)", "≤ 8192", lambda v, r: v <= 8192),
    ("jump_end_ms", "G: jump to the last case, once (ms)", "—", None),
    ("rss_mb", "peak RSS of the app (MB)", "≤ 100", lambda v, r: v <= 100),
    ("tick_onscreen_p95_ms", "on-screen move p95, the heat ticking every 2 s (ms)", "≤ 25",
     lambda v, r: v <= 25),
    ("tick_rss_mb", "  peak RSS of the app meanwhile (MB)", "≤ 100", lambda v, r: v <= 100),
    ("heat_rss_mb", "  peak RSS of its heat process (MB)", "—", None),
    ("retick_s", "heat: retick every open case, each minute (s)", "≤ 1.5", lambda v, r: v <= 1.5),
    ("retick_first_s", "  first retick in a fresh process (s)", "—", None),
    ("refresh_case_ms", "heat: refresh_cases, one case (ms, median)", "≤ 10", lambda v, r: v <= 10),
    ("queue_page_ms", "queue_page top 40 (ms, median)", "≤ 5", lambda v, r: v <= 5),
    ("search_rare_ms", "search: top 50, term in ≤10k events (ms)", "≤ 50", lambda v, r: v <= 50),
    ("search_rare_events", "  events matching that term", "—", None),
    ("search_common_ms", "search: top 50, most common term (ms)", "—", None),
    ("search_common_events", "  events matching it (result capped by time)", "—", None),
    ("writers_p95_ms", "on-screen move p95, 8 processes writing notes (ms)", "≤ 25", lambda v, r: v <= 25),
    ("writers_p50_ms", "  p50 meanwhile (ms)", "—", None),
    ("writers_notes", "  notes they wrote meanwhile", "—", None),
    ("writers_notes_per_s", "  notes per second", "—", None),
    ("writers_refused", "  notes refused (store locked too long)", "—", None),
    ("idle_note_bytes", "idle queue, a note on a case off screen: bytes beyond the title line", "0",
     lambda v, r: v == 0),
    ("idle_note_total_bytes", "  bytes in all, title line and frame markers included", "—", None),
    ("idle_note_rows", "  screen rows redrawn beyond the title line", "—", None),
    ("history_2mb_ms", "enter → history frame, a 2 MB message in the case (ms, median)", "≤ 50",
     lambda v, r: v <= 50),
    ("history_2mb_first_ms", "  first open in the session (ms)", "—", None),
    ("history_ms", "  a case without it (ms, median)", "—", None),
    ("history_2mb_write_s", "  saving that 2 MB message in the store (s)", "—", None),
    ("search_2mb_ms", "search: a word of that 2 MB log, top 50 (ms, median)", "≤ 50", lambda v, r: v <= 50),
    ("intents_2kb_ms", "jargon decoder: a 2 kB message (ms, median of 30)", "≤ 5", lambda v, r: v <= 5),
    ("intents_word_ms", "jargon decoder: a 100 000-letter word (ms, best of 30)", "≤ 20", lambda v, r: v <= 20),
    ("intents_2mb_ms", "jargon decoder: a 2 MB message (ms, best of 30)", "—", None),
    ("readings_hostile_max_ms", "heat readings: the slowest message built to be slow, folded (ms)", "≤ 50",
     lambda v, r: v <= 50),
    ("readings_hostile_median_ms", "  the median of them (ms)", "—", None),
    ("readings_hostile_messages", "  messages folded (each shape as a message and as a note)", "—", None),
    ("live_p50_ms", "live update: another process's note → on screen, SQLite polling 1 s (ms, p50)", "—", None),
    ("live_max_ms", "  slowest of the notes (ms)", "—", None),
    ("pg_migrate_s", "PostgreSQL: oncall migrate of this store from SQLite (s)", "—", None),
    ("pg_events", "  events copied", "—", None),
    ("pg_live_p50_ms", "PostgreSQL: live update by LISTEN/NOTIFY (ms, p50)", "≤ 500", lambda v, r: v <= 500),
    ("pg_live_max_ms", "  slowest of the notes (ms)", "≤ 500", lambda v, r: v <= 500),
    ("import_rss_mb", "oncall import of a big interchange file: peak RSS (MB)", "—", None),
    ("import_s", "  its duration (s)", "—", None),
    ("import_file_mb", "  the file's size (MB)", "—", None),
    ("import_events", "  events in it", "—", None),
    ("rt_first_sync_tickets_per_s", "RT first sync into an empty store (tickets/s)", "—", None),
    ("rt_first_sync_s", "  its duration (s)", "—", None),
    ("rt_first_sync_tickets", "  tickets", "—", None),
    ("rt_first_sync_events", "  events", "—", None),
    ("rt_check_s", "  the configuration probe before it (s)", "—", None),
    ("rt_incremental_s", "RT incremental sync: 3 answers and a new ticket (s)", "—", None),
    ("rt_incremental_tickets", "  tickets it pulled", "—", None),
    ("rt_noop_s", "RT sync with nothing new (s)", "—", None),
    ("rt_history_store_ms", "a customer's history from the store (ms)", "—", None),
    ("rt_history_rt_ms", "  the same from RT REST2 (ms)", "—", None),
    ("rt_history_events", "  events in it", "—", None),
    ("rt_history_same", "  the same events both ways (1 = yes)", "1", lambda v, r: v == 1),
]


def _with_postgres_rows(metrics: list) -> list:
    """Each metric of PG_METRICS followed by its PostgreSQL twin (same budget)."""
    out = []
    for key, label, budget, check in metrics:
        out.append((key, label, budget, check))
        if key in PG_METRICS:
            out.append((f"pg_{key}", f"  PostgreSQL: {label.strip()}", budget,
                        None if check is None else (lambda v, r, c=check: c(v, r))))
    return out


METRICS = _with_postgres_rows(METRICS)


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def code_fingerprint() -> str:
    """What cached stores depend on besides size and schema: the generator and the heat model."""
    root = Path(__file__).resolve().parents[2]
    digest = hashlib.sha1(str(bench_data.GENERATOR_VERSION).encode())
    for rel in ("devtools/bench/data.py", "oncall_tui/core/heat_stats.py", "oncall_tui/core/heat_score.py",
                "oncall_tui/core/heat_weights.py", "oncall_tui/core/lexicon.py", "oncall_tui/data/heat.toml",
                "oncall_tui/data/lexicon_fr.txt", "oncall_tui/data/lexicon_en.txt"):
        path = root / rel
        digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()[:10]


def cached_store(cache_dir: Path, size: int, *, rebuild: bool) -> tuple[Path, dict]:
    """The store of *size* cases, built now or earlier; returns its path and build info."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    stem = f"store-{size}-schema{SCHEMA_VERSION}-{code_fingerprint()}"
    path, meta_path = cache_dir / f"{stem}.db", cache_dir / f"{stem}.json"
    if not rebuild and path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        log(f"{size} cases: cached store {path} (built in {meta['seconds']:.1f} s)")
        return path, {**meta, "cached": True}
    for old in cache_dir.glob(f"store-{size}-*"):  # other schema/code versions of this size
        old.unlink()
    log(f"{size} cases: building store ({size * bench_data.EVENTS_PER_CASE} events)…")
    partial = cache_dir / f"{stem}.partial"
    info = bench_data.build_store(partial, size, now=datetime.now(timezone.utc))
    os.replace(partial, path)
    meta = asdict(info)
    meta_path.write_text(json.dumps(meta))
    log(f"{size} cases: built in {info.seconds:.1f} s")
    return path, {**meta, "cached": False}


def scratch_copy(path: Path, into: Path) -> Path:
    """A private copy: the measured app and heat writes must not change the cached store."""
    target = into / path.name
    shutil.copyfile(path, target)
    return target


# -- running and reporting ----------------------------------------------------------

def run(sizes: list[int], *, groups: set[str], moves: int, starts: int, quiet: float, cache_dir: Path,
        rebuild: bool, import_mb: float, rt_tickets: int = 200, live_notes: int = 20) -> dict[int, dict]:
    """Measure every group in *groups* at every size; returns {size: {metric: value}}."""
    results: dict[int, dict] = {}
    with tempfile.TemporaryDirectory(prefix="oncall-bench-") as tmp:
        tmp_path = Path(tmp)
        config_dir = tmp_path / "config"
        config_dir.mkdir()
        # The heat tick is measured on its own (retick_s); in the app it would fire
        # mid-measurement and disturb the key timings, so it is pushed back.
        (config_dir / "config.toml").write_text("[ui]\ntick_seconds = 3600\n")
        env = bench_pty.child_env({"ONCALL_CONFIG_DIR": str(config_dir), "ONCALL_DATA_DIR": str(tmp_path / "data"),
                                   "ONCALL_USER": "bench"}, str(cache_dir / "pycache"))
        ticking = tmp_path / "ticking"
        ticking.mkdir()
        (ticking / "config.toml").write_text("[ui]\ntick_seconds = 2\n")
        ticking_env = {**env, "ONCALL_CONFIG_DIR": str(ticking)}
        for size in sizes:
            out = results[size] = {}
            if "decoder" in groups:  # needs no store; measured at each size all the same, as a second sample
                log(f"{size} cases: jargon decoder…")
                measure_decoder(out)
            if "readings" in groups:  # needs no store either
                log(f"{size} cases: the heat's readings on hostile text…")
                log(f"{size} cases: slowest: {measure_readings(out)}")
            if not groups & (STORE_GROUPS | {"build"}):
                continue
            path, meta = cached_store(cache_dir, size, rebuild=rebuild)
            if "build" in groups:
                out["build_s"] = meta["seconds"]
                out["build_cached"] = meta["cached"]
            if not groups & STORE_GROUPS:
                continue
            work = tmp_path / str(size)
            work.mkdir()
            db = scratch_copy(path, work)
            try:
                if "start" in groups:
                    log(f"{size} cases: start-up ({starts} runs each)…")
                    measure_start(db, env, starts, out)
                if "keys" in groups:
                    log(f"{size} cases: {moves} on-screen and {moves} scrolling moves in the pty…")
                    measure_keys(db, env, moves, quiet, out)
                if "heat" in groups:
                    log(f"{size} cases: heat and queries…")
                    measure_heat(db, parse_ts(meta["anchor"]), out)
                    measure_ticking(db, ticking_env, size, quiet, out)
                if "search" in groups:
                    log(f"{size} cases: full-text search…")
                    measure_search(db, out)
                # These write to the store (notes, a 2 MB message): after the measurements that read it.
                if "writers" in groups:
                    log(f"{size} cases: {moves} on-screen moves while 8 processes write notes…")
                    measure_writers(db, env, moves, quiet, out)
                    log(f"{size} cases: an idle queue, a note on a case off screen…")
                    measure_idle_note(db, env, out)
                if "history" in groups:
                    log(f"{size} cases: opening a case with a 2 MB message…")
                    measure_history(db, env, quiet, out)
                if "postgres" in groups:
                    measure_postgres(path, db, parse_ts(meta["anchor"]), env, moves, quiet, out, size, live_notes)
            finally:
                close_all()
                shutil.rmtree(work, ignore_errors=True)
        if "import" in groups:
            # Into an empty store, whatever the sizes: reported once, in the last size's column.
            log(f"oncall import of a {import_mb:g} MiB interchange file…")
            work = tmp_path / "import"
            work.mkdir()
            try:
                measure_import(work, env, import_mb, results[sizes[-1]])
            finally:
                shutil.rmtree(work, ignore_errors=True)
        if "rt" in groups:
            # A private RT, whatever the sizes: reported once, in the last size's column.
            log(f"a private RT 5: the test world and {rt_tickets} more tickets, then syncs…")
            work = tmp_path / "rt"
            work.mkdir()
            try:
                measure_rt(work, rt_tickets, results[sizes[-1]])
            finally:
                shutil.rmtree(work, ignore_errors=True)
    return results


def measure_postgres(cached: Path, db: Path, anchor: datetime, env: dict, moves: int, quiet: float, out: dict,
                     size: int, live_notes: int) -> None:
    """The PostgreSQL rows (see `postgres`), and live update on SQLite beside them."""
    from . import postgres

    log(f"{size} cases: live update on SQLite (polling)…")
    postgres.measure_live(db, env, quiet, out, "live", live_notes)
    terms = measure_search(db, {})
    log(f"{size} cases: starting a throwaway PostgreSQL cluster, copying the store with oncall migrate…")
    cluster = postgres.start_cluster()
    try:
        pg: dict = {}
        url = postgres.copy_store(cached, cluster, out)
        log(f"{size} cases: PostgreSQL: copied in {out['pg_migrate_s']:.0f} s; keys, heat, search, history…")
        measure_keys(url, env, moves, quiet, pg)
        measure_heat(url, anchor, pg)
        measure_search(url, pg, rare=terms["rare_budget"]["term"], common=terms["common_budget"]["term"])
        measure_history(url, env, quiet, pg)
        log(f"{size} cases: PostgreSQL: live update…")
        postgres.measure_live(url, env, quiet, out, "pg_live", live_notes)
        out.update({f"pg_{k}": v for k, v in pg.items() if k in PG_METRICS})
    finally:
        close_all()
        postgres.remove_cluster(cluster)


def size_label(size: int) -> str:
    return f"{size // 1000}k" if size >= 1000 and size % 1000 == 0 else str(size)


def evaluate(results: dict[int, dict]) -> list[dict]:
    """One entry per measured metric: values by size, budget, and ok (None without budget)."""
    rows = []
    for key, label, budget, check in METRICS:
        values = {size: r[key] for size, r in results.items() if key in r}
        if not values:
            continue
        ok = None if check is None else all(check(v, results[s]) for s, v in values.items())
        rows.append({"metric": key, "label": label, "values": values, "budget": budget, "ok": ok,
                     "cached": {s: results[s].get("build_cached") for s in values} if key == "build_s" else None})
    return rows


def _format(key: str, value: float) -> str:
    if key.endswith("_s"):
        return f"{value:.3f}" if value < 10 else f"{value:.1f}"
    if key.endswith("_bytes"):
        return f"{value:.0f}"
    if key.endswith("_ms") or key.endswith("_mb"):
        return f"{value:.1f}"
    return f"{value:g}"


def table(rows: list[dict], sizes: list[int]) -> str:
    """The human table: metric | one column per size | budget | ok?"""
    header = ["metric", *(size_label(s) for s in sizes), "budget", "ok?"]
    lines = [header]
    for row in rows:
        cells = [row["label"]]
        for size in sizes:
            value = row["values"].get(size)
            text = "" if value is None else _format(row["metric"], value)
            if row["cached"] and row["cached"].get(size):
                text += " (cached)"
            cells.append(text)
        cells += [row["budget"], {True: "ok", False: "MISS", None: ""}[row["ok"]]]
        lines.append(cells)
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for n, line in enumerate(lines):
        out.append(" | ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths))))
        if n == 0:
            out.append("-+-".join("-" * w for w in widths))
    return "\n".join(out)


def machine() -> dict:
    import textual

    return {"cpus": os.cpu_count(), "python": platform.python_version(), "textual": textual.__version__,
            "platform": platform.platform(), "schema": SCHEMA_VERSION, "loadavg": _loadavg()}


def _loadavg() -> str:
    # Other work on the machine skews every timing: the report says how busy it was.
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    from platformdirs import user_cache_path

    p = argparse.ArgumentParser(prog="python -m devtools.bench", description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="10000,100000", help="store sizes in open cases, comma-separated")
    p.add_argument("--moves", type=int, default=200, help="measured j presses of each kind (on-screen, scrolling)")
    p.add_argument("--starts", type=int, default=9, help="measured starts of each kind (median reported)")
    p.add_argument("--quiet-ms", type=float, default=60.0,
                   help="no output for this long ends a key's frames (not counted in the latency)")
    p.add_argument("--only", default="", help=f"comma-separated groups to run: {', '.join(GROUPS)}")
    p.add_argument("--import-mb", type=float, default=200.0, help="size of the interchange file imported (MiB)")
    p.add_argument("--live-notes", type=int, default=20,
                   help="notes another process saves for the live-update rows, on each engine")
    p.add_argument("--rt-tickets", type=int, default=200, help="tickets added to the RT world for the rt group")
    p.add_argument("--json", action="store_true", help="print JSON instead of the table")
    p.add_argument("--rebuild", action="store_true", help="rebuild the cached stores")
    p.add_argument("--cache-dir", type=Path, default=Path(os.environ.get("ONCALL_BENCH_CACHE")
                                                              or user_cache_path("oncall-tui") / "bench"),
                   help="where built stores are kept (default: $ONCALL_BENCH_CACHE or the user cache dir)")
    args = p.parse_args(argv)
    try:
        args.size_list = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        p.error(f"--sizes: expected comma-separated integers, got {args.sizes!r}")
    if not args.size_list or min(args.size_list) < 1:
        p.error(f"--sizes: expected positive case counts, got {args.sizes!r}")
    args.groups = {g.strip() for g in args.only.split(",") if g.strip()} or set(GROUPS) - ASKED_ONLY
    if args.groups - set(GROUPS):
        p.error(f"--only: unknown group {sorted(args.groups - set(GROUPS))[0]!r} (expected {', '.join(GROUPS)})")
    if args.moves < 1 or args.starts < 1 or args.live_notes < 1:
        p.error("--moves, --starts and --live-notes: expected at least 1")
    if args.import_mb <= 0:
        p.error(f"--import-mb: expected a positive size, got {args.import_mb:g}")
    if args.groups & {"writers", "history"} and min(args.size_list) < 2 * bench_pty.ROWS:
        p.error(f"--sizes: the writers and history groups need at least {2 * bench_pty.ROWS} cases in every size")
    if "keys" in args.groups and min(args.size_list) < args.moves + 60:
        p.error(f"--moves {args.moves}: scrolling moves need at least {args.moves + 60} cases in every size")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    load_before = _loadavg()
    results = run(args.size_list, groups=args.groups, moves=args.moves, starts=args.starts,
                  quiet=args.quiet_ms / 1000, cache_dir=args.cache_dir, rebuild=args.rebuild,
                  import_mb=args.import_mb, rt_tickets=args.rt_tickets, live_notes=args.live_notes)
    rows = evaluate(results)
    if args.json:
        json.dump({"machine": {**machine(), "loadavg_before": load_before}, "sizes": args.size_list, "moves": args.moves, "starts": args.starts,
                   "seconds": round(time.perf_counter() - started, 1),
                   "metrics": [{**r, "values": {str(s): v for s, v in r["values"].items()},
                                "cached": None if r["cached"] is None else {str(s): c for s, c in r["cached"].items()}}
                               for r in rows]}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        m = machine()
        print(f"oncall-tui benchmark — {m['cpus']} CPUs, Python {m['python']}, Textual {m['textual']}, "
              f"schema {m['schema']}, {args.moves} moves, {args.starts} starts, "
              f"load average {load_before} before / {m['loadavg']} after")
        print(table(rows, args.size_list))
        print(f"total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
