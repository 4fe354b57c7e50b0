"""Read queries behind the screens and the command-line twin.

Screens call these; they hold no SQL of their own. Every query here is backed
by an index so it stays fast at 100k cases.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from ..core.timeutil import format_ts, parse_ts
from .db import Store
from .derived import INCIDENT_OPEN_SQL

QUEUE_VIEWS = ("all", "waiting", "mine", "region")


@dataclass(frozen=True)
class QueueFilter:
    """Which open cases the queue shows."""

    text: str = ""
    view: str = "all"  # all | waiting | mine | region
    me: str = ""
    customer_ids: tuple[str, ...] = ()  # for the "region" view: customers in business hours
    sort: str = "heat"  # a key of QUEUE_ORDERS

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
                 "c.status, c.heat, c.waiting_since, c.opened_at, c.exchanges, c.assignee, c.incident_id")
#: What scoring a case needs beyond the queue's columns (for the explained queue).
EXPLAIN_COLUMNS = f"c.stats, {INCIDENT_OPEN_SQL} AS incident_open"


#: Queue orders: (first to last, last to first). Ties always fall back on the case id, so a page
#: boundary never shows a row twice or skips one.
QUEUE_ORDERS = {
    # At the same heat, the exact sum of its points first (`Heat.rank`).
    "heat": ("c.heat DESC, c.heat_rank DESC, c.id", "c.heat ASC, c.heat_rank ASC, c.id DESC"),
    # Longest waiting on us first; cases not waiting on us after them, hottest first.
    "waiting": ("(c.waiting_since IS NULL), c.waiting_since ASC, c.heat DESC, c.heat_rank DESC, c.id",
                "(c.waiting_since IS NULL) DESC, c.waiting_since DESC, c.heat ASC, c.heat_rank ASC, c.id DESC"),
    "age": ("c.opened_at ASC, c.id", "c.opened_at DESC, c.id DESC"),
    "customer": ("cu.name, c.heat DESC, c.heat_rank DESC, c.id",
                 "cu.name DESC, c.heat ASC, c.heat_rank ASC, c.id DESC"),
}


def queue_page(store: Store, flt: QueueFilter, offset: int, limit: int, *,
               explained: bool = False) -> list[sqlite3.Row]:
    """Rows *offset*..*offset+limit* of the queue in its order, hottest first by default (both faces).

    *explained* adds the stats and whether the incident is open, to score each row.
    """
    where, params = flt.where()
    extra = f", {EXPLAIN_COLUMNS}" if explained else ""
    return store.query(
        f"SELECT {QUEUE_COLUMNS}{extra} FROM cases c JOIN customers cu ON cu.id = c.customer_id "
        f"WHERE {where} ORDER BY {QUEUE_ORDERS[flt.sort][0]} LIMIT ? OFFSET ?", (*params, limit, offset))


def queue_page_from_end(store: Store, flt: QueueFilter, offset: int, limit: int) -> list[sqlite3.Row]:
    """The queue read from its end: rows counted *offset* from the last, last first."""
    where, params = flt.where()
    return store.query(
        f"SELECT {QUEUE_COLUMNS} FROM cases c JOIN customers cu ON cu.id = c.customer_id "
        f"WHERE {where} ORDER BY {QUEUE_ORDERS[flt.sort][1]} LIMIT ? OFFSET ?", (*params, limit, offset))


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


def heat_inputs(store: Store, case_id: str) -> sqlite3.Row | None:
    """What scoring one case needs: its stats, status, opening, tier, whether its incident is open; and its subject."""
    return store.query_one(
        f"SELECT c.subject, c.stats, c.status, c.opened_at, cu.tier, {INCIDENT_OPEN_SQL} AS incident_open "
        "FROM cases c JOIN customers cu ON cu.id = c.customer_id WHERE c.id = ?", (case_id,))


def heat_sampled(store: Store, now) -> bool:
    """Whether the open cases were already rescored in *now*'s minute (its heat sample is there)."""
    return store.query_one("SELECT 1 FROM heat_samples WHERE at = ?", (format_ts(now.replace(second=0)),)) is not None


def last_tick(store: Store):
    """When the heat of every open case was last rescored (the latest heat sample), or None."""
    row = store.query_one("SELECT MAX(at) FROM heat_samples")
    return parse_ts(row[0]) if row and row[0] else None


def customer_timezones(store: Store) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in store.query("SELECT id, timezone FROM customers")]


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


def customer_history(store: Store, customer_id: str, *, preview: int | None = None,
                     newest: int | None = None) -> list[sqlite3.Row]:
    """Every event of the customer across cases and channels (only the *newest* ones if given), oldest first.

    With *preview*, bodies are cut to that many characters (`length` is the whole body's).
    """
    body = "substr(e.body, 1, ?)" if preview else "e.body"
    order = "e.at DESC, e.seq DESC LIMIT ?" if newest is not None else "e.at, e.seq"
    rows = store.query(
        f"SELECT e.seq, e.id, e.case_id, c.subject, e.at, e.kind, e.direction, e.author, e.author_region, "
        f"e.channel, {body} AS body, length(e.body) AS length, e.meta FROM events e "
        f"LEFT JOIN cases c ON c.id = e.case_id WHERE e.customer_id = ? ORDER BY {order}",
        ((preview,) if preview else ()) + (customer_id,) + ((newest,) if newest is not None else ()))
    return rows[::-1] if newest is not None else rows


def customer_events_span(store: Store, customer_id: str) -> tuple[int, str | None]:
    """How many events the customer has, and when the first one was."""
    row = store.query_one("SELECT COUNT(*), MIN(at) FROM events WHERE customer_id = ?", (customer_id,))
    return (row[0], row[1]) if row else (0, None)


def event_body(store: Store, event_id: str) -> str | None:
    row = store.query_one("SELECT body FROM events WHERE id = ?", (event_id,))
    return row[0] if row else None


def find_customers(store: Store, ref: str) -> list[sqlite3.Row]:
    """Customers *ref* names: the id exactly (or an id merged into another); else an e-mail address exactly
    (the customer's own, or a person of theirs); else a name — the customer's or one of their people's —
    exactly, else containing it."""
    row = store.query_one("SELECT * FROM customers WHERE id = ?", (ref,))
    if row is not None:
        return [row]
    merged = store.query_one("SELECT c.* FROM customer_overrides o JOIN customers c ON c.id = o.customer_id "
                             "WHERE o.kind = 'customer' AND o.key = ?", (ref,))
    if merged is not None:
        return [merged]
    if "@" in ref:
        rows = store.query("SELECT c.* FROM customers c WHERE c.id IN ("
                           "SELECT c2.id FROM customers c2, json_each(c2.emails) e WHERE lower(e.value) = lower(?) "
                           "UNION SELECT p.customer_id FROM people p WHERE p.email = lower(?)) ORDER BY c.id",
                           (ref, ref))
        if rows:
            return rows
    exact = store.query("SELECT * FROM customers WHERE id IN (SELECT id FROM customers WHERE lower(name) = lower(?) "
                        "UNION SELECT customer_id FROM people WHERE lower(name) = lower(?)) ORDER BY id", (ref, ref))
    if exact:
        return exact
    like = "%" + ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return store.query("SELECT * FROM customers WHERE id IN (SELECT id FROM customers WHERE name LIKE ? ESCAPE '\\' "
                       "UNION SELECT customer_id FROM people WHERE name LIKE ? ESCAPE '\\') ORDER BY name, id",
                       (like, like))


def customers_with_counts(store: Store) -> list[sqlite3.Row]:
    """Every customer with their number of cases and of open cases, by name."""
    return store.query(
        "SELECT cu.id, cu.name, cu.language, cu.timezone, cu.tier, cu.emails, COUNT(c.id) AS cases, "
        "COALESCE(SUM(c.is_open), 0) AS open_cases FROM customers cu LEFT JOIN cases c ON c.customer_id = cu.id "
        "GROUP BY cu.id, cu.name, cu.language, cu.timezone, cu.tier, cu.emails ORDER BY cu.name, cu.id")


def case_events(store: Store, case_id: str) -> list[sqlite3.Row]:
    return store.query(
        "SELECT seq, id, case_id, at, kind, direction, author, author_region, channel, body, meta "
        "FROM events WHERE case_id = ? ORDER BY at, seq", (case_id,))


def engineers(store: Store) -> dict[str, sqlite3.Row]:
    return {r["name"]: r for r in store.query("SELECT * FROM engineers")}


def engineer(store: Store, name: str) -> sqlite3.Row | None:
    return store.query_one("SELECT * FROM engineers WHERE name = ?", (name,))


def newest_event_at(store: Store) -> str | None:
    row = store.query_one("SELECT MAX(at) FROM events")
    return row[0] if row else None


def known_customers(store: Store, ids: list[str]) -> set[str]:
    """Which of *ids* are customers in the store."""
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        found.update(r[0] for r in store.query(
            f"SELECT id FROM customers WHERE id IN ({','.join('?' * len(chunk))})", chunk))
    return found


def sync_cursor(store: Store, source: str) -> str | None:
    row = store.query_one("SELECT cursor FROM sync_cursors WHERE source = ?", (source,))
    return row[0] if row else None


def external_ref(store: Store, case_id: str) -> str | None:
    """The case's reference in its helpdesk ("rt:123"), "" for a local case, None without such a case."""
    row = store.query_one("SELECT external_ref FROM cases WHERE id = ?", (case_id,))
    return row[0] if row else None


def has_event_prefixed(store: Store, case_id: str, prefix: str) -> bool:
    """Whether an event id of the case starts with *prefix* (events pulled from one source)."""
    return store.query_one("SELECT 1 FROM events WHERE case_id = ? AND substr(id, 1, ?) = ? LIMIT 1",
                           (case_id, len(prefix), prefix)) is not None


def ticket_opened_by(store: Store, case_id: str) -> str | None:
    """The source whose outbox opened *case_id*'s ticket (a case oncall opened itself), or None."""
    row = store.query_one("SELECT source FROM outbox WHERE case_id = ? AND action = 'create' AND state = 'sent' "
                          "ORDER BY id LIMIT 1", (case_id,))
    return row[0] if row else None


def action_events(store: Store, customer_id: str) -> list[sqlite3.Row]:
    """The customer's action runs, newest first (at, author, meta)."""
    return store.query("SELECT at, author, meta FROM events WHERE customer_id = ? AND kind = 'action' "
                       "ORDER BY at DESC", (customer_id,))


def latest_customer_messages(store: Store, case_id: str, limit: int) -> list:
    """The customer's latest *limit* messages, calls or chats on the case (body, at), newest first."""
    return list(store.query("SELECT body, at FROM events WHERE case_id = ? AND direction = 'in' "
                            "AND kind IN ('message', 'chat', 'call') ORDER BY at DESC, seq DESC LIMIT ?",
                            (case_id, limit)))
