"""The outbox: replies, notes and status changes waiting to reach a helpdesk.

A row's life: ``pending`` → ``sending`` (claimed by one process, with a lease
in ``next_attempt_at``) → ``sent``; a failure puts it back to ``pending`` with a
later ``next_attempt_at``, or to ``unsure`` when the request may have reached
the helpdesk (the next attempt looks in the helpdesk's history before sending),
or to ``failed`` when retrying cannot help. A ``sending`` row whose lease ran
out belonged to a process that died mid-send, so it is treated as ``unsure``.

Per case and source, rows go out strictly in order: only the oldest unsent
row of a case is ever due, so a second reply never overtakes the first.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

from ..core.model import OutboxItem
from ..core.timeutil import format_ts, human_duration, parse_ts
from .db import Store

UNSENT = ("pending", "unsure", "sending")
LEASE = timedelta(minutes=2)  # longer than any single delivery (a few RT calls of ≤ 15 s)
_ACTION_NOUNS = {"correspond": ("reply", "replies"), "create": ("new ticket", "new tickets"),
                 "comment": ("note", "notes"), "status": ("status change", "status changes")}

_COLUMNS = ("o.id, o.event_id, o.case_id, o.source, o.action, o.payload, o.state, o.attempts, o.last_error, "
            "COALESCE(o.next_attempt_at, o.created_at) AS next_at, o.remote_ref, o.created_at, o.sent_at, "
            "COALESCE(c.external_ref, '') AS external_ref, o.author, o.exclusive_until")
_DUE_WHERE = (
    "o.state IN ('pending', 'unsure', 'sending') AND COALESCE(o.next_attempt_at, o.created_at) <= :now "
    "AND (CAST(:source AS TEXT) IS NULL OR o.source = :source) "
    # A row its author sends with their own token is theirs alone for a while (see writes.enqueue).
    "AND (o.exclusive_until IS NULL OR o.exclusive_until <= :now OR o.author = :me) "
    "AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.case_id = o.case_id AND p.source = o.source "
    "AND p.id < o.id AND p.state IN ('pending', 'unsure', 'sending'))")


def _item(row) -> OutboxItem:
    try:
        payload = json.loads(row["payload"] or "{}")
    except ValueError:
        payload = {}  # the sender reports the missing field with the row id
    return OutboxItem(id=row["id"], event_id=row["event_id"], case_id=row["case_id"], source=row["source"],
                      action=row["action"], payload=payload if isinstance(payload, dict) else {},
                      state=row["state"], attempts=row["attempts"], last_error=row["last_error"],
                      next_attempt_at=row["next_at"], remote_ref=row["remote_ref"], created_at=row["created_at"],
                      sent_at=row["sent_at"], external_ref=row["external_ref"], author=row["author"],
                      exclusive_until=row["exclusive_until"])


def due(store: Store, now: datetime, source: str | None = None, *, me: str = "") -> list[OutboxItem]:
    """Rows that may be attempted at *now* by engineer *me*'s process (oldest first, the head of each case's queue)."""
    rows = store.query(f"SELECT {_COLUMNS} FROM outbox o LEFT JOIN cases c ON c.id = o.case_id "
                       f"WHERE {_DUE_WHERE} ORDER BY o.id", {"now": format_ts(now), "source": source, "me": me})
    return [_item(r) for r in rows]


def claim(store: Store, now: datetime, source: str | None = None, *, me: str = "",
          lease: timedelta = LEASE) -> list[OutboxItem]:
    """Take the due rows for this process (engineer *me*'s): they become ``sending`` until *now* + *lease*.

    Selection and update happen in one write transaction, so two processes
    never claim the same row. The returned items keep their previous state
    (see `OutboxItem.check_first`).
    """
    with store.write() as conn:
        rows = conn.execute(f"SELECT {_COLUMNS} FROM outbox o LEFT JOIN cases c ON c.id = o.case_id "
                            f"WHERE {_DUE_WHERE} ORDER BY o.id",
                            {"now": format_ts(now), "source": source, "me": me}).fetchall()
        conn.executemany("UPDATE outbox SET state = 'sending', next_attempt_at = ? WHERE id = ?",
                         [(format_ts(now + lease), r["id"]) for r in rows])
    return [_item(r) for r in rows]


def mark_sent(store: Store, id: int, remote_ref: str, now: datetime, *, external_ref: str = "") -> None:
    """The row reached the helpdesk as *remote_ref* (e.g. ``rt:main:txn:123``).

    *external_ref*: the push opened the case's ticket ("rt:42"): the case
    refers to it from now on, in the same transaction.
    """
    with store.write() as conn:
        conn.execute("UPDATE outbox SET state = 'sent', remote_ref = ?, sent_at = ?, last_error = '', "
                     "attempts = attempts + 1, next_attempt_at = NULL WHERE id = ?",
                     (remote_ref, format_ts(now), id))
        if external_ref:
            conn.execute("UPDATE cases SET external_ref = ? WHERE id = (SELECT case_id FROM outbox WHERE id = ?) "
                         "AND external_ref = ''", (external_ref, id))


def retry_now(store: Store, now: datetime, source: str | None = None) -> int:
    """Every undelivered row is due at *now* (a manual sync retries at once); returns how many.

    A row stopped for good is tried again too (the configuration may have been
    fixed); a row being sent by another process keeps its lease.
    """
    with store.write() as conn:
        return conn.execute(
            "UPDATE outbox SET next_attempt_at = ?, exclusive_until = NULL, "
            "state = CASE WHEN state = 'failed' THEN 'pending' ELSE state END "
            "WHERE state IN ('pending', 'unsure', 'failed') AND (CAST(? AS TEXT) IS NULL OR source = ?)",
            (format_ts(now), source, source)).rowcount


def undelivered(store: Store) -> list[Any]:
    """Every row not delivered yet, oldest first, with its case's customer and subject (for `oncall outbox`)."""
    return store.query(
        "SELECT o.id, o.case_id, o.source, o.action, o.state, o.attempts, o.last_error, o.author, o.created_at, "
        "COALESCE(o.next_attempt_at, o.created_at) AS next_at, o.exclusive_until, o.payload, "
        "COALESCE(c.subject, '') AS subject, COALESCE(c.customer_id, '') AS customer_id FROM outbox o "
        "LEFT JOIN cases c ON c.id = o.case_id WHERE o.state != 'sent' ORDER BY o.id")


def undelivered_count(store: Store) -> int:
    return store.query_one("SELECT COUNT(*) FROM outbox WHERE state != 'sent'")[0]


def mark_failed(store: Store, id: int, error: str, next_attempt_at: datetime | None, now: datetime, *,
                ambiguous: bool = False, permanent: bool = False) -> None:
    """Record a failed attempt at *now*: retry at *next_attempt_at*, keeping *error* for the screen.

    *ambiguous*: the helpdesk may have received it (check before resending).
    *permanent*: retrying cannot help (e.g. the source is read-only); the row stops.
    """
    state = "failed" if permanent else "unsure" if ambiguous else "pending"
    when = format_ts(next_attempt_at) if next_attempt_at is not None and not permanent else None
    with store.write() as conn:
        conn.execute("UPDATE outbox SET state = ?, last_error = ?, next_attempt_at = ?, "
                     "attempts = attempts + 1 WHERE id = ? AND state != 'sent'",
                     (state, error, when if when is not None else format_ts(now), id))


def pending_for_case(store: Store, case_id: str) -> list[OutboxItem]:
    """The case's rows not delivered yet (including stopped ones), oldest first."""
    rows = store.query(f"SELECT {_COLUMNS} FROM outbox o LEFT JOIN cases c ON c.id = o.case_id "
                       "WHERE o.case_id = ? AND o.state != 'sent' ORDER BY o.id", (case_id,))
    return [_item(r) for r in rows]


def short_reason(error: str) -> str:
    """A few words from a connector's error text, for one line on the case screen."""
    low = error.lower()
    for needle, words in (("connection refused", "connection refused"), ("cannot connect", "cannot connect"),
                          ("timeout", "no answer in time"), ("no answer", "no answer"),
                          ("read-only", "the source is read-only"), ("not supported", "not supported")):
        if needle in low:
            return words
    match = re.search(r"HTTP (\d{3})", error)
    if match:
        return f"HTTP {match.group(1)}"
    first = error.strip().splitlines()[0] if error.strip() else "unknown error"
    return first if len(first) <= 60 else first[:59] + "…"


def _counted(items: list[OutboxItem]) -> str:
    counts: dict[str, int] = {}
    for item in items:
        counts[item.action] = counts.get(item.action, 0) + 1
    parts = []
    for action, n in counts.items():
        one, many = _ACTION_NOUNS.get(action, (action, action))
        parts.append(f"{n} {one if n == 1 else many}")
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _target(items: list[OutboxItem]) -> str:
    refs = {i.external_ref.partition(":")[0] for i in items}
    if refs == {"rt"}:
        return "RT"
    return ", ".join(sorted({i.source for i in items}))


def case_notice(store: Store, case_id: str, now: datetime) -> str | None:
    """One line for the case screen about undelivered rows, or None when all went out.

    E.g. "1 reply not yet delivered to RT (connection refused, retrying in 40 s)".
    """
    items = pending_for_case(store, case_id)
    if not items:
        return None
    stopped = [i for i in items if i.state == "failed"]
    waiting = [i for i in items if i.state != "failed"]
    lines = []
    if waiting:
        head = waiting[0]  # the others wait behind it
        if head.state == "sending" and parse_ts(head.next_attempt_at) > now:
            why = "sending now"
        else:
            wait = (parse_ts(head.next_attempt_at) - now).total_seconds()
            retry = f"retrying in {human_duration(wait)}" if wait > 0 else "retrying now"
            why = f"{short_reason(head.last_error)}, {retry}" if head.last_error else (
                f"sending in {human_duration(wait)}" if wait > 0 else "sending now")
        lines.append(f"{_counted(waiting)} not yet delivered to {_target(waiting)} ({why})")
    if stopped:
        lines.append(f"{_counted(stopped)} not delivered to {_target(stopped)} and not retried "
                     f"({short_reason(stopped[-1].last_error)})")
    return "; ".join(lines)


def sent_as(store: Store, source: str, remote_ids: list[str]) -> set[str]:
    """Which of *remote_ids* are the remote ids our sent rows for *source* got (echoes of our own writes)."""
    found: set[str] = set()
    for start in range(0, len(remote_ids), 500):
        chunk = remote_ids[start:start + 500]
        found.update(r[0] for r in store.query(
            f"SELECT remote_ref FROM outbox WHERE source = ? AND state = 'sent' "
            f"AND remote_ref IN ({','.join('?' * len(chunk))})", (source, *chunk)))
    return found
