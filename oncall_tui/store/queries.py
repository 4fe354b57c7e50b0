"""Read queries behind the screens and the command-line twin.

Screens call these; they hold no SQL of their own. Every query here is backed
by an index so it stays fast at 100k cases.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from .db import Store

QUEUE_VIEWS = ("all", "waiting", "mine", "region")


@dataclass(frozen=True)
class QueueFilter:
    """Which open cases the queue shows."""

    text: str = ""
    view: str = "all"  # all | waiting | mine | region
    me: str = ""
    customer_ids: tuple[str, ...] = ()  # for the "region" view: customers in business hours

    def where(self) -> tuple[str, list]:
        clauses, params = ["c.is_open = 1"], []
        if self.view == "waiting":
            clauses.append("c.waiting_since IS NOT NULL")
        elif self.view == "mine":
            clauses.append("c.assignee = ?")
            params.append(self.me)
        elif self.view == "region":
            clauses.append(f"c.customer_id IN ({','.join('?' * len(self.customer_ids)) or 'NULL'})")
            params.extend(self.customer_ids)
        if self.text:
            like = "%" + self.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            clauses.append("(cu.name LIKE ? ESCAPE '\\' OR c.subject LIKE ? ESCAPE '\\' OR c.id LIKE ? ESCAPE '\\'"
                           " OR c.customer_id LIKE ? ESCAPE '\\' OR c.assignee LIKE ? ESCAPE '\\')")
            params.extend([like] * 5)
        return " AND ".join(clauses), params


QUEUE_COLUMNS = ("c.id, c.customer_id, cu.name AS customer, cu.timezone, cu.tier, cu.language, c.subject, "
                 "c.status, c.heat, c.waiting_since, c.opened_at, c.exchanges, c.assignee, c.incident_id, "
                 "c.stats")


def queue_page(store: Store, flt: QueueFilter, offset: int, limit: int) -> list[sqlite3.Row]:
    """Rows *offset*..*offset+limit* of the queue, hottest first."""
    where, params = flt.where()
    return store.query(
        f"SELECT {QUEUE_COLUMNS} FROM cases c JOIN customers cu ON cu.id = c.customer_id "
        f"WHERE {where} ORDER BY c.heat DESC, c.id LIMIT ? OFFSET ?", (*params, limit, offset))


def queue_page_from_end(store: Store, flt: QueueFilter, offset: int, limit: int) -> list[sqlite3.Row]:
    """The queue read from its cold end: rows counted *offset* from the last, coldest first."""
    where, params = flt.where()
    return store.query(
        f"SELECT {QUEUE_COLUMNS} FROM cases c JOIN customers cu ON cu.id = c.customer_id "
        f"WHERE {where} ORDER BY c.heat ASC, c.id DESC LIMIT ? OFFSET ?", (*params, limit, offset))


def queue_count(store: Store, flt: QueueFilter) -> int:
    if flt.view == "all" and not flt.text:
        return sum(queue_bands(store))  # every open case is in one band: no count over the cases
    where, params = flt.where()
    join = "JOIN customers cu ON cu.id = c.customer_id" if flt.text else ""
    return store.query_one(f"SELECT COUNT(*) FROM cases c {join} WHERE {where}", params)[0]


def queue_bands(store: Store) -> tuple[int, int, int]:
    """Open cases that are hot, warm and cool (bands in core.model)."""
    # Kept by triggers (schema migration 3): no count over the cases.
    counts = dict(store.query("SELECT band, n FROM queue_counts"))
    return counts["hot"], counts["warm"], counts["cool"]


def heat_samples(store: Store, since: str) -> list[sqlite3.Row]:
    return store.query("SELECT at, hot, warm, open FROM heat_samples WHERE at >= ? ORDER BY at", (since,))


def hot_per_hour(store: Store, since: str) -> list[int]:
    """The most cases that were hot at once in each hour since *since* (oldest first), for the sparkline."""
    rows = store.query("SELECT substr(at, 1, 13) AS hour, MAX(hot) FROM heat_samples WHERE at >= ? "
                       "GROUP BY hour ORDER BY hour", (since,))
    return [r[1] for r in rows]


def get_case(store: Store, case_id: str) -> sqlite3.Row | None:
    return store.query_one(
        f"SELECT {QUEUE_COLUMNS}, c.summary, c.external_ref, c.last_event_at FROM cases c "
        "JOIN customers cu ON cu.id = c.customer_id WHERE c.id = ?", (case_id,))


def get_customer(store: Store, customer_id: str) -> sqlite3.Row | None:
    return store.query_one("SELECT * FROM customers WHERE id = ?", (customer_id,))


def customer_assets(store: Store, customer_id: str) -> list[sqlite3.Row]:
    return store.query("SELECT * FROM assets WHERE customer_id = ? ORDER BY kind DESC, name", (customer_id,))


def customer_cases(store: Store, customer_id: str) -> list[sqlite3.Row]:
    return store.query("SELECT id, subject, status, opened_at, heat, assignee, summary FROM cases "
                       "WHERE customer_id = ? ORDER BY opened_at", (customer_id,))


def customer_history(store: Store, customer_id: str) -> list[sqlite3.Row]:
    """Every event of the customer across cases and channels, oldest first."""
    return store.query(
        "SELECT e.seq, e.id, e.case_id, c.subject, e.at, e.kind, e.direction, e.author, e.author_region, "
        "e.channel, e.body, e.meta FROM events e LEFT JOIN cases c ON c.id = e.case_id "
        "WHERE e.customer_id = ? ORDER BY e.at, e.seq", (customer_id,))


def case_events(store: Store, case_id: str) -> list[sqlite3.Row]:
    return store.query(
        "SELECT seq, id, case_id, at, kind, direction, author, author_region, channel, body, meta "
        "FROM events WHERE case_id = ? ORDER BY at, seq", (case_id,))


def engineers(store: Store) -> dict[str, sqlite3.Row]:
    return {r["name"]: r for r in store.query("SELECT * FROM engineers")}


def newest_event_at(store: Store) -> str | None:
    row = store.query_one("SELECT MAX(at) FROM events")
    return row[0] if row else None
