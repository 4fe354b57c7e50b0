"""Files sent with messages: described in the store (name, type, size, where to fetch), never their content.

The content stays in the helpdesk until an engineer asks for one file
(`oncall attachment get`); the history and search only need the description.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..core.text import fold
from .db import Store

_IN = 500


def for_events(store: Store, event_ids: Iterable[str]) -> dict[str, list[Any]]:
    """The files of each of *event_ids* that has some, in the order they were sent."""
    ids = list(dict.fromkeys(event_ids))
    found: dict[str, list[Any]] = {}
    for start in range(0, len(ids), _IN):
        chunk = ids[start:start + _IN]
        for r in store.query("SELECT event_id, position, name, content_type, size, ref FROM attachments "
                             f"WHERE event_id IN ({','.join('?' * len(chunk))}) ORDER BY event_id, position",
                             tuple(chunk)):
            found.setdefault(r["event_id"], []).append(r)
    return found


def of_customer(store: Store, customer_id: str) -> dict[str, list[Any]]:
    """The files of every event of the customer's history, by event id (one indexed query)."""
    found: dict[str, list[Any]] = {}
    for r in store.query("SELECT a.event_id, a.position, a.name, a.content_type, a.size, a.ref FROM events e "
                         "JOIN attachments a ON a.event_id = e.id WHERE e.customer_id = ? "
                         "ORDER BY a.event_id, a.position", (customer_id,)):
        found.setdefault(r["event_id"], []).append(r)
    return found


def of_case(store: Store, case_id: str) -> list[Any]:
    """Every file sent on *case_id*, oldest first, with the event that carried it."""
    return store.query(
        "SELECT a.event_id, a.position, a.name, a.content_type, a.size, a.ref, e.at, e.author FROM attachments a "
        "JOIN events e ON e.id = a.event_id WHERE e.case_id = ? ORDER BY e.at, e.seq, a.position", (case_id,))


def matching_names(store: Store, words: list[str], *, customer_id: str | None = None,
                   limit: int = 50) -> list[Any]:
    """Events (seq) with a file whose name holds every one of *words* (folded: no case, no accents), newest first."""
    if not words:
        return []
    clauses = " AND ".join("a.name_folded LIKE ? ESCAPE '\\'" for _ in words)
    params: list = [f"%{_escape(fold(w))}%" for w in words]
    if customer_id is not None:
        clauses += " AND e.customer_id = ?"
        params.append(customer_id)
    return store.query(f"SELECT DISTINCT e.seq, e.at, a.name FROM attachments a JOIN events e ON e.id = a.event_id "
                       f"WHERE {clauses} ORDER BY e.at DESC, e.seq DESC LIMIT ?", (*params, limit))


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
