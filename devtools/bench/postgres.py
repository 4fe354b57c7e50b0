"""The PostgreSQL rows: the benchmark's store copied into a throwaway PostgreSQL 15 cluster and measured
as on SQLite, and live update — a note saved by another process, until it is on the screen — on both.

The cluster is the tests' own (`tests/servers/postgres.py`: initdb in a temporary folder, a loopback
port, removed after); the copy is `oncall migrate` (`usecases.transfer.migrate_store`), timed too.
On SQLite a screen notices other writers by polling every `refresh_seconds` (1 s); on PostgreSQL it
is told by LISTEN/NOTIFY.
"""

from __future__ import annotations

import statistics
import time
import uuid
from pathlib import Path

from oncall_tui.store import writes
from oncall_tui.usecases.queue import Queue

from .measure import history_needles, open_session, start_app


def start_cluster():
    from tests.servers.postgres import start_cluster as start

    return start()


def remove_cluster(cluster) -> None:
    from tests.servers.postgres import remove_cluster as remove

    remove(cluster)


def copy_store(db: Path, cluster, out: dict) -> str:
    """`oncall migrate` of the SQLite store *db* into a new database of *cluster*; returns its URL."""
    from oncall_tui.usecases.transfer import migrate_store

    name = f"bench_{uuid.uuid4().hex[:8]}"
    with cluster.admin() as conn:
        conn.execute(f"CREATE DATABASE {name}")
    url = cluster.url(name)
    started = time.perf_counter()
    moved, _, _ = migrate_store(str(db), url)
    out["pg_migrate_s"] = time.perf_counter() - started
    out["pg_events"] = moved.tables.get("events", 0)
    with cluster.admin(name) as conn:
        conn.execute("VACUUM ANALYZE")  # as autovacuum would soon after such a load
    return url


def measure_live(db: Path | str, env: dict, quiet: float, out: dict, key: str, notes: int) -> None:
    """Another engineer saves a note on the case on screen: seconds from their commit to the frame showing it."""
    session = open_session(db)
    top = Queue(session).page(0, 1)[0]
    with start_app(db, env) as term:
        term.key_until(b"\r", history_needles(session, top.id))
        term.settle(quiet)
        seen = []
        for n in range(notes):
            body = f"live-{n}-{uuid.uuid4().hex[:8]}"
            writes.add_case_event(session.store, top.id, kind="note", body=body, author="kenji", now=session.now())
            seen.append(term.key_until(b"", [body], timeout=10))  # no key: only waiting for the frame
            term.settle(quiet)
    seen_ms = sorted(s * 1000 for s in seen)
    out[f"{key}_p50_ms"] = statistics.median(seen_ms)
    out[f"{key}_max_ms"] = seen_ms[-1]
