"""What changed in the store since a mark: new events, and the change log (schema migration 4).

New events are read by their sequence number; case, customer, incident and
outbox updates and heat ticks by the change log the store's triggers keep.
A reader far behind (a bulk import) is told `overflow` and refreshes everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .db import Store

LIMIT = 5000  # rows read per look; beyond, everything is reported changed


@dataclass(frozen=True)
class Mark:
    """How far a reader has read: the last event and the last change-log row."""

    event_seq: int
    change_seq: int


@dataclass
class Touched:
    """What changed between two marks."""

    cases: set[str] = field(default_factory=set)
    customers: set[str] = field(default_factory=set)
    incidents: set[str] = field(default_factory=set)
    outbox: set[str] = field(default_factory=set)  # cases whose outbox rows changed
    heat: bool = False  # a heat tick rescored the open cases
    overflow: bool = False  # too much to list: assume everything changed

    def __bool__(self) -> bool:
        return bool(self.cases or self.customers or self.incidents or self.outbox or self.heat or self.overflow)


def mark(store: Store) -> Mark:
    row = store.query_one("SELECT (SELECT COALESCE(MAX(seq), 0) FROM events), "
                          "(SELECT COALESCE(MAX(seq), 0) FROM changes)")
    return Mark(row[0], row[1])


def since(store: Store, start: Mark) -> tuple[Mark, Touched]:
    """What changed after *start*, and the mark to read from next time."""
    touched = Touched()
    events = store.query("SELECT seq, case_id, customer_id, incident_id FROM events WHERE seq > ? "
                         "ORDER BY seq LIMIT ?", (start.event_seq, LIMIT + 1))
    changes = store.query("SELECT seq, case_id, customer_id, incident_id, what FROM changes WHERE seq > ? "
                          "ORDER BY seq LIMIT ?", (start.change_seq, LIMIT + 1))
    if len(events) > LIMIT or len(changes) > LIMIT or (changes and changes[0]["seq"] > start.change_seq + 1
                                                       and _pruned(store, start.change_seq)):
        return mark(store), Touched(overflow=True)
    for seq, case_id, customer_id, incident_id in events:
        _add(touched, case_id, customer_id, incident_id)
    for seq, case_id, customer_id, incident_id, what in changes:
        if what == "heat":
            touched.heat = True
        elif what == "outbox":
            touched.outbox.add(case_id)
        _add(touched, case_id, customer_id, incident_id)
    end = Mark(events[-1]["seq"] if events else start.event_seq, changes[-1]["seq"] if changes else start.change_seq)
    return end, touched


def _add(touched: Touched, case_id: str | None, customer_id: str | None, incident_id: str | None) -> None:
    if case_id:
        touched.cases.add(case_id)
    if customer_id:
        touched.customers.add(customer_id)
    if incident_id:
        touched.incidents.add(incident_id)


def _pruned(store: Store, seq: int) -> bool:
    """Whether change rows after *seq* were pruned before this reader saw them."""
    row = store.query_one("SELECT MIN(seq) FROM changes")
    return row[0] is not None and row[0] > seq + 1 and seq > 0


def customers_of(store: Store, case_ids: set[str]) -> set[str]:
    """The customers of these cases."""
    ids = sorted(case_ids)
    out: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        out |= {r[0] for r in store.query(f"SELECT DISTINCT customer_id FROM cases WHERE id IN "
                                          f"({','.join('?' * len(chunk))})", chunk)}
    return out
