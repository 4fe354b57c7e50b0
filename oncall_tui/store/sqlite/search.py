"""Full-text matches with SQLite FTS5 (the `events_fts` index, accents folded by `remove_diacritics 2`).

Each term becomes a quoted FTS5 string, so operators (`AND`, `NEAR(`, `-`,
`"`…) are never interpreted and never raise; a prefix term gets FTS5's `*`.
A search runs under a time budget checked by the connection's progress
handler: a very common word cannot hold a thread for long.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Callable

#: SQLite VM instructions between two checks of the clock / the stop flag.
PROGRESS_STEP = 2000


def fts_query(terms: list) -> str:
    """The safe FTS5 MATCH expression: every term quoted, all required."""
    # Tokens hold letters and digits only, so they never contain a quote.
    return " ".join('"' + " ".join(t.words) + '"' + ("*" if t.prefix else "") for t in terms)


def _matches_sql(customer: bool, order: str) -> str:
    # Only rowid, bm25 and what the order needs: the ranking sorts every match, so
    # it must carry little; bodies and names are fetched for the winners only.
    return ("SELECT events_fts.rowid, bm25(events_fts) AS r FROM events_fts JOIN events e "
            "ON e.seq = events_fts.rowid WHERE events_fts MATCH ?"
            + (" AND e.customer_id = ?" if customer else "") + f" ORDER BY {order} LIMIT ?")


def matches(conn, terms: list, *, limit: int, customer_id: str | None, newest: bool, budget: float | None,
            should_stop: Callable[[], bool] | None):
    """[(seq, bm25)] best first — or, with *newest*, straight off the index in rowid order, which stops after
    *limit* rows; see `Store.search_matches`."""
    match = fts_query(terms)
    params = (match, customer_id, limit) if customer_id else (match, limit)
    order = "events_fts.rowid DESC" if newest else "r, e.at DESC, e.seq DESC"
    return _run(conn, _matches_sql(bool(customer_id), order), params, budget, should_stop)


def scan(conn, parts: list[str], *, limit: int, customer_id: str | None, budget: float | None,
         should_stop: Callable[[], bool] | None):
    """The newest events whose body holds every one of *parts* (LIKE, newest first); see `Store.scan_bodies`."""
    where = " AND ".join(["e.body LIKE ? ESCAPE '\\'"] * len(parts))
    params = tuple("%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%" for w in parts)
    sql = (f"SELECT e.seq, 0.0 FROM events e WHERE {where}" + (" AND e.customer_id = ?" if customer_id else "")
           + " ORDER BY e.seq DESC LIMIT ?")
    return _run(conn, sql, (*params, *((customer_id,) if customer_id else ()), limit), budget, should_stop)


def _run(conn, sql: str, params: tuple, budget: float | None, should_stop: Callable[[], bool] | None):
    """Run *sql* under a deadline/stop flag: (rows, "ok") or (None, "timeout"|"cancelled") or (msg, "error")."""
    deadline = None if budget is None else time.monotonic() + budget
    why: list[str] = []

    def progress() -> int:
        if should_stop is not None and should_stop():
            why.append("cancelled")
            return 1
        if deadline is not None and time.monotonic() > deadline:
            why.append("timeout")
            return 1
        return 0

    if deadline is not None or should_stop is not None:
        conn.set_progress_handler(progress, PROGRESS_STEP)
    try:
        return [(r[0], r[1]) for r in conn.raw.execute(sql, params)], "ok"
    except sqlite3.OperationalError as exc:
        if why:
            return None, why[0]
        # Quoted terms cannot be FTS syntax errors; anything else is reported, not raised.
        return str(exc), "error"
    finally:
        conn.set_progress_handler(None, 0)
