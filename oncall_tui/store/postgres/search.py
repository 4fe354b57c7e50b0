"""Full-text matches with PostgreSQL: tsvector and GIN (`events_fts`, schema migration 1).

Each word of the query matches an event whose text holds it — as written
(accents folded), or stemmed as French or English (an event is stemmed in
its customer's language). Words are letters and digits only (`parse_query`)
and reach the server as parameters, so nothing the user types is syntax.
Ranking is `ts_rank` over the words as written (stems match but do not
rank), given negated (lower is better, as bm25 on SQLite).
The budget is the statement's timeout; *should_stop* cancels the statement.
PostgreSQL indexes no word longer than 2,047 bytes: a "word" that long (a
pasted blob without spaces) is not found by its prefix, as it is on SQLite.
Words of scripts without spaces are read in the bodies (`scan`, ILIKE).
"""

from __future__ import annotations

import threading
from typing import Callable

import psycopg
from psycopg import errors as pgerrors

from .connect import connection_lost, fault

_CONFIGS = ("oncall_simple", "oncall_fr", "oncall_en")


def _term_query(term, params: list) -> str:
    """The tsquery of one term: a word as written or stemmed in French or English; a phrase or a prefix
    as written only (stemming would drop a phrase's stop words and match what the user did not type)."""
    text = " ".join(term.words)
    if term.prefix:
        # "certif*" finds "certificat" and "certificate".
        params.append(" <-> ".join([*term.words[:-1], term.words[-1] + ":*"]))
        return "to_tsquery('oncall_simple', %s)"
    if len(term.words) > 1:
        params.append(text)
        return "phraseto_tsquery('oncall_simple', %s)"
    readings = []
    for config in _CONFIGS:
        params.append(text)
        readings.append(f"plainto_tsquery('{config}', %s)")
    return "(" + " || ".join(readings) + ")"


def matches(store, terms: list, *, limit: int, customer_id: str | None, newest: bool, budget: float | None,
            should_stop: Callable[[], bool] | None):
    """[(seq, -ts_rank)] best first, or with *newest* the newest matches; see `Store.search_matches`."""
    params: list = []
    query = " && ".join(_term_query(t, params) for t in terms)
    where = "f.tsv @@ q.q" + (" AND f.customer_id = %s" if customer_id else "")
    if customer_id:
        params.append(customer_id)
    if newest:
        sql = f"SELECT f.seq, 0.0 FROM events_fts f, (SELECT {query} AS q) q WHERE {where} ORDER BY f.seq DESC LIMIT %s"
    else:
        sql = (f"SELECT f.seq, -ts_rank('{{0, 0, 0, 1}}', f.tsv, q.q) AS r FROM events_fts f, "
               f"(SELECT {query} AS q) q WHERE {where} ORDER BY r, f.at DESC, f.seq DESC LIMIT %s")
    params.append(limit)
    return _run(store, sql, params, budget, should_stop)


def scan(store, parts: list[str], *, limit: int, customer_id: str | None, budget: float | None,
         should_stop: Callable[[], bool] | None):
    """The newest events whose body holds every one of *parts* (ILIKE: case-blind, as SQLite's LIKE),
    newest first; see `Store.scan_bodies`."""
    where = " AND ".join(["e.body ILIKE %s ESCAPE '\\'"] * len(parts))
    params: list = ["%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%" for w in parts]
    if customer_id:
        where += " AND e.customer_id = %s"
        params.append(customer_id)
    params.append(limit)
    return _run(store, f"SELECT e.seq, 0.0 FROM events e WHERE {where} ORDER BY e.seq DESC LIMIT %s", params,
                budget, should_stop)


def _run(store, sql: str, params: list, budget: float | None, should_stop: Callable[[], bool] | None):
    """Run *sql* within *budget* (the statement's timeout), cancelled when *should_stop* says so:
    (rows, "ok") or (None, "timeout"|"cancelled") or (message, "error")."""
    if should_stop is not None and should_stop():
        return None, "cancelled"
    stopped = threading.Event()
    cancelled: list[bool] = []

    def run(conn):
        raw = conn.raw
        watcher = None
        if should_stop is not None:
            def watch() -> None:
                while not stopped.wait(0.05):
                    if should_stop():
                        cancelled.append(True)
                        raw.cancel_safe()
                        return
            watcher = threading.Thread(target=watch, name="oncall-search-stop", daemon=True)
            watcher.start()
        try:
            with raw.transaction():
                if budget is not None:
                    raw.execute("SELECT set_config('statement_timeout', %s, true)", (f"{max(1, int(budget * 1000))}ms",))
                return [(r[0], float(r[1])) for r in raw.execute(sql, params).fetchall()]
        finally:
            stopped.set()
            if watcher is not None:
                watcher.join()

    try:
        return store.borrow(run), "ok"
    except pgerrors.QueryCanceled:
        return None, "cancelled" if cancelled else "timeout"
    except psycopg.Error as exc:
        if connection_lost(exc):
            raise fault(exc, store.path) from exc
        return str(exc).splitlines()[0], "error"
