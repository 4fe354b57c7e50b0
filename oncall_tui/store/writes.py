"""Everything the tool writes into the shared history, one transaction each.

A note, a logged call, a summary revision or a status change is an event
(append-only), and the case's derived columns are refreshed in the same
transaction, so every other engineer's screen sees a consistent case when
it hears of the commit.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any, Callable

from ..core.errors import NotFound, Refused
from ..core.model import CHANNELS, EVENT_KINDS, OPEN_STATUSES, STATUSES
from ..core.timeutil import format_ts
from .db import Store
from .derived import refresh_cases

CHANNEL_FOR_KIND = {"note": "note", "call": "phone", "chat": "chat", "message": "email"}


def new_event_id(prefix: str = "ev") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:20]}"


def _case(conn, case_id: str):
    row = conn.execute("SELECT id, customer_id, status, summary FROM cases WHERE id = ?", (case_id,)).fetchone()
    if row is None:
        raise NotFound(f"no case {case_id!r} in the store")
    return row


def insert_event(conn, *, case_id: str | None, customer_id: str | None, kind: str, direction: str,
                 author: str, body: str, now: datetime, region: str = "", channel: str = "",
                 meta: dict[str, Any] | None = None, incident_id: str | None = None,
                 event_id: str | None = None) -> str:
    """Insert one event (inside the caller's transaction); returns its id."""
    if kind not in EVENT_KINDS:
        raise Refused(f"event kind {kind!r} is not one of {'|'.join(EVENT_KINDS)}")
    if channel and channel not in CHANNELS:
        raise Refused(f"channel {channel!r} is not one of {'|'.join(CHANNELS)}")
    eid = event_id or new_event_id()
    stamp = format_ts(now)
    conn.execute(
        "INSERT INTO events(id, case_id, customer_id, incident_id, at, kind, direction, author, author_region, "
        "channel, body, meta, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (eid, case_id, customer_id, incident_id, stamp, kind, direction, author, region, channel, body,
         json.dumps(meta or {}, ensure_ascii=False, sort_keys=True), stamp))
    return eid


def add_case_event(store: Store, case_id: str, *, kind: str, body: str, author: str, now: datetime,
                   region: str = "", direction: str | None = None, channel: str | None = None,
                   meta: dict[str, Any] | None = None, outbox_source: str | None = None,
                   outbox_action: str | None = None, check: Callable[[Any], None] | None = None,
                   draft_kind: str | None = None, outbox_exclusive_until: datetime | None = None) -> str:
    """Add a note/call/chat/message to a case. With *outbox_source*, queue it for the helpdesk too.

    *check(conn)* runs first inside the transaction and may refuse (someone else replied meanwhile);
    *draft_kind*: the author's draft of that kind on the case is discarded with the same commit;
    *outbox_exclusive_until*: see `enqueue`.
    """
    if not body.strip():
        raise Refused("nothing to save: the text is empty")
    if direction is None:
        direction = "out" if kind == "message" else "internal"
    heat = store.heat_model()
    with store.write() as conn:
        case = _case(conn, case_id)
        if check is not None:
            check(conn)
        if draft_kind:
            conn.execute("DELETE FROM drafts WHERE case_id = ? AND engineer = ? AND kind = ?",
                         (case_id, author, draft_kind))
        eid = insert_event(conn, case_id=case_id, customer_id=case["customer_id"], kind=kind,
                           direction=direction, author=author, body=body, now=now, region=region,
                           channel=channel if channel is not None else CHANNEL_FOR_KIND.get(kind, ""),
                           meta=meta)
        if outbox_source:
            enqueue(conn, eid, case_id, outbox_source, outbox_action or ("correspond" if kind == "message" else "comment"),
                    {"text": body}, now, author=author, exclusive_until=outbox_exclusive_until)
        refresh_cases(conn, [case_id], now, heat)
    return eid


def set_summary(store: Store, case_id: str, text: str, *, author: str, now: datetime, region: str = "",
                check: Callable[[Any, str], None] | None = None) -> str:
    """A new revision of the case's living summary (the old ones stay in the history).

    *check(conn, current summary)* runs inside the transaction and may refuse
    (the summary changed since the editor opened); the author's summary draft goes with the commit.
    """
    with store.write() as conn:
        case = _case(conn, case_id)
        if check is not None:
            check(conn, case["summary"])
        if case["summary"] == text:
            raise Refused("the summary is unchanged")
        conn.execute("DELETE FROM drafts WHERE case_id = ? AND engineer = ? AND kind = 'summary'", (case_id, author))
        eid = insert_event(conn, case_id=case_id, customer_id=case["customer_id"], kind="summary",
                           direction="internal", author=author, body=text, now=now, region=region,
                           channel="note", meta={"previous": case["summary"]})
        conn.execute("UPDATE cases SET summary = ? WHERE id = ?", (text, case_id))
    return eid


def set_status(store: Store, case_id: str, status: str, *, author: str, now: datetime, region: str = "",
               outbox_source: str | None = None, outbox_exclusive_until: datetime | None = None) -> str:
    if status not in STATUSES:
        raise Refused(f"status {status!r} is not one of {'|'.join(STATUSES)}")
    heat = store.heat_model()
    with store.write() as conn:
        case = _case(conn, case_id)
        if case["status"] == status:
            raise Refused(f"{case_id} is already {status}")
        eid = insert_event(conn, case_id=case_id, customer_id=case["customer_id"], kind="status",
                           direction="internal", author=author, body=f"{case['status']} → {status}",
                           now=now, region=region, channel="tool",
                           meta={"from": case["status"], "to": status})
        conn.execute("UPDATE cases SET status = ?, is_open = ? WHERE id = ?",
                     (status, int(status in OPEN_STATUSES), case_id))
        if outbox_source:
            enqueue(conn, eid, case_id, outbox_source, "status", {"status": status}, now, author=author,
                    exclusive_until=outbox_exclusive_until)
        refresh_cases(conn, [case_id], now, heat)
    return eid


def set_assignee(store: Store, case_id: str, assignee: str, *, author: str, now: datetime, region: str = "") -> str:
    """Give the case to *assignee* ("" = nobody); an `assign` event says who gave it to whom."""
    with store.write() as conn:
        case = _case(conn, case_id)
        before = conn.execute("SELECT assignee FROM cases WHERE id = ?", (case_id,)).fetchone()[0]
        if before == assignee:
            raise Refused(f"{case_id} is already {'assigned to ' + assignee if assignee else 'unassigned'}")
        eid = insert_event(conn, case_id=case_id, customer_id=case["customer_id"], kind="assign",
                           direction="internal", author=author, body=f"{before or 'nobody'} → {assignee or 'nobody'}",
                           now=now, region=region, channel="tool", meta={"from": before, "to": assignee})
        conn.execute("UPDATE cases SET assignee = ? WHERE id = ?", (assignee, case_id))
    return eid


def set_facts(store: Store, customer_id: str, text: str, *, author: str, now: datetime, region: str = "") -> str:
    """A new revision of what we know about the customer (contacts, habits, where things are)."""
    return update_customer(store, customer_id, facts=text, author=author, now=now, region=region)[0]


def set_assets(store: Store, customer_id: str, assets: list[dict[str, str]], *, author: str, now: datetime,
               region: str = "") -> str:
    """Replace the customer's servers, domains and databases; the before/after is kept as a `fact` event."""
    return update_customer(store, customer_id, assets=assets, author=author, now=now, region=region)[0]


def update_customer(store: Store, customer_id: str, *, facts: str | None = None,
                    assets: list[dict[str, str]] | None = None, author: str, now: datetime,
                    region: str = "") -> list[str]:
    """Revise the customer's facts and/or assets in one transaction; each change is a `fact` event.

    Raises Refused when nothing changed (and writes nothing).
    """
    from ..core.assets_text import format_assets

    written: list[str] = []
    with store.write() as conn:
        row = conn.execute("SELECT facts FROM customers WHERE id = ?", (customer_id,)).fetchone()
        if row is None:
            raise NotFound(f"no customer {customer_id!r} in the store")
        if facts is not None and facts != row["facts"]:
            written.append(insert_event(conn, case_id=None, customer_id=customer_id, kind="fact",
                                        direction="internal", author=author, body=facts, now=now, region=region,
                                        channel="note", meta={"previous": row["facts"]}))
            conn.execute("UPDATE customers SET facts = ? WHERE id = ?", (facts, customer_id))
        if assets is not None:
            before = [dict(r) for r in conn.execute(
                "SELECT kind, name, datacenter, ipv4, ipv6, server, webroot FROM assets WHERE customer_id = ?",
                (customer_id,))]
            if format_assets(before) != format_assets(assets):
                conn.execute("DELETE FROM assets WHERE customer_id = ?", (customer_id,))
                conn.executemany(
                    "INSERT INTO assets(customer_id, kind, name, datacenter, ipv4, ipv6, server, webroot) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(customer_id, a["kind"], a["name"], a["datacenter"], a["ipv4"], a["ipv6"], a["server"],
                      a["webroot"]) for a in assets])
                written.append(insert_event(conn, case_id=None, customer_id=customer_id, kind="fact",
                                            direction="internal", author=author, body=format_assets(assets),
                                            now=now, region=region, channel="note",
                                            meta={"assets_before": before, "assets_after": assets}))
        if not written:
            raise Refused("nothing changed")
    return written


def enqueue(conn, event_id: str, case_id: str, source: str, action: str, payload: dict, now: datetime, *,
            author: str = "", exclusive_until: datetime | None = None) -> None:
    """Queue an event for delivery to a helpdesk, in the caller's transaction (nothing is lost).

    *author* wrote it; with *exclusive_until*, only the author's own process
    (holding their own helpdesk token) sends it until then, so it reaches the
    helpdesk under their name rather than through another engineer's oncall.
    """
    conn.execute(
        "INSERT INTO outbox(event_id, case_id, source, action, payload, created_at, next_attempt_at, "
        "author, exclusive_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (event_id, case_id, source, action, json.dumps(payload, ensure_ascii=False), format_ts(now),
         format_ts(now), author, format_ts(exclusive_until) if exclusive_until is not None else None))


def replies_since(conn, case_id: str, seq: int, author: str) -> list:
    """Outgoing messages on *case_id* after event *seq* by someone other than *author* (inside a transaction)."""
    return conn.execute("SELECT author, at, body, meta FROM events WHERE case_id = ? AND seq > ? AND kind = 'message' "
                        "AND direction = 'out' AND author != ? ORDER BY seq", (case_id, seq, author)).fetchall()


def summary_author(conn, case_id: str) -> str:
    """Who wrote the case's current summary revision."""
    row = conn.execute("SELECT author FROM events WHERE case_id = ? AND kind = 'summary' ORDER BY seq DESC LIMIT 1",
                       (case_id,)).fetchone()
    return row[0] if row else ""
