"""Full-text search timed as the screen runs it: a rare term and the most common one.

    python -m devtools.bench.search STORE [SIZE]    (builds a synthetic store of SIZE cases if missing)
"""

from __future__ import annotations

import statistics
import time

from oncall_tui.store.db import Store
from oncall_tui.store.engines import open_store
from oncall_tui.store.search import DEFAULT_BUDGET, SearchResults, parse_query, search
from oncall_tui.store.sqlite.search import fts_query


def bench_search(store: Store, *, rare: str | None = None, common: str | None = None, limit: int = 50,
                 repeat: int = 5, rare_max: int = 10_000) -> dict:
    """Time top-*limit* searches for a rare term (≤ *rare_max* events) and the most common one.

    Terms default to picks from the index vocabulary. Returns milliseconds (median
    of *repeat*), hit counts and the truncated flag, with and without the budget.
    """
    conn = store.conn
    total = conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    if store.backend == "postgresql":
        if rare is None or common is None:
            raise ValueError("on PostgreSQL, give the terms (picked on the SQLite store of the same data)")
    elif rare is None or common is None:
        conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.events_vocab USING fts5vocab(main, events_fts, row)")
        if rare is None:
            rare = conn.execute("SELECT term FROM temp.events_vocab WHERE doc <= ? AND length(term) > 3 "
                                "ORDER BY doc DESC LIMIT 1", (rare_max,)).fetchone()[0]
        if common is None:
            common = conn.execute("SELECT term FROM temp.events_vocab ORDER BY doc DESC LIMIT 1").fetchone()[0]
    report: dict = {"events": total, "limit": limit}
    for label, term in (("rare", rare), ("common", common)):
        if store.backend == "postgresql":
            docs = conn.execute("SELECT COUNT(*) FROM events_fts WHERE tsv @@ plainto_tsquery('oncall_simple', ?)",
                                (term,)).fetchone()[0]
        else:
            docs = conn.execute("SELECT COUNT(*) FROM events_fts WHERE events_fts MATCH ?",
                                (fts_query(parse_query(term)),)).fetchone()[0]
        for mode, budget in (("budget", DEFAULT_BUDGET), ("unbounded", None)):
            times, result = [], SearchResults()
            for _ in range(repeat):
                t0 = time.perf_counter()
                result = search(store, term, limit=limit, budget=budget)
                times.append((time.perf_counter() - t0) * 1000)
            report[f"{label}_{mode}"] = {"term": term, "matching_events": docs, "ms": round(statistics.median(times), 1),
                                         "hits": len(result), "truncated": result.truncated}
    return report


if __name__ == "__main__":
    import json
    import sys
    from datetime import datetime, timezone
    from pathlib import Path

    path = Path(sys.argv[1])
    if not path.exists():
        from .data import build_store

        info = build_store(path, int(sys.argv[2]) if len(sys.argv) > 2 else 100_000,
                           now=datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc))
        print(f"built {path}: {info.events} events in {info.seconds:.1f} s", file=sys.stderr)
    s = open_store(path, migrate=False)
    try:
        print(json.dumps(bench_search(s), indent=2))
    finally:
        s.close()
