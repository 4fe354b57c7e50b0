"""Handoffs in the store: gather a shift's brief, send it, acknowledge it.

`send` writes the brief into `handoffs` and a `handoff` event into every listed
case's history in one transaction, so the next region finds it on the case
itself. Acknowledgements go to `handoff_acks` plus an `ack` event on the case.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..core.errors import NotFound, Refused
from ..core.handoff import HOT_THRESHOLD, Brief, CaseSnapshot, ShiftEvent, build_brief
from ..core.heat_weights import Weights
from ..core.timeutil import format_ts, human_duration, parse_ts
from .db import Store
from .derived import INCIDENT_OPEN_SQL, refresh_cases, score_row
from .writes import insert_event


@dataclass(frozen=True)
class HandoffInfo:
    """A stored handoff as the start-up line shows it."""

    id: str
    author: str
    region: str
    city: str
    at: datetime
    age_seconds: int
    case_ids: tuple[str, ...]

    @property
    def case_count(self) -> int:
        return len(self.case_ids)

    def line(self) -> str:
        """'Handoff from alice, Paris, 2 h ago — 7 cases'."""
        where = self.city or self.region
        n = self.case_count
        return (f"Handoff from {self.author}{', ' + where if where else ''}, "
                f"{human_duration(self.age_seconds)} ago — {n} case{'' if n == 1 else 's'}")


def gather(store: Store, engineer: str, since: datetime, now: datetime, *,
           weights: Weights, hot_threshold: int = HOT_THRESHOLD, rescore: bool = True) -> Brief:
    """The brief of *engineer*'s shift [since, now].

    Heat is evaluated at *now* (as `oncall queue --now`); with rescore=False the
    stored heat is used instead, which a running screen keeps current every tick.
    """
    since_s, now_s = format_ts(since), format_ts(now)
    mine: dict[str, list[ShiftEvent]] = {}
    # No index on author: one scan of the events (see the report for an index).
    for case_id, at, kind, direction in store.conn.execute(
            "SELECT case_id, at, kind, direction FROM events WHERE author = ? AND at >= ? AND at <= ? "
            "AND case_id IS NOT NULL AND kind NOT IN ('handoff', 'ack')", (engineer, since_s, now_s)):
        mine.setdefault(case_id, []).append(ShiftEvent(parse_ts(at), kind, direction))
    # Candidates: every touched case, and open cases whose summary is empty or
    # may predate the customer's last message; keep the touched and the hot.
    rows = store.query(
        "SELECT c.id, c.status, c.opened_at, c.stats, c.summary, c.heat, c.heat_rank, cu.tier, "
        f"{INCIDENT_OPEN_SQL} AS inc, json_extract(c.stats, '$.last_in_at') AS last_in "
        "FROM cases c JOIN customers cu ON cu.id = c.customer_id "
        "WHERE (c.is_open = 1 AND (c.summary = '' OR json_extract(c.stats, '$.last_in_at') IS NOT NULL)) "
        f"OR c.id IN ({','.join('?' * len(mine)) or 'NULL'})",
        tuple(mine))
    heat: dict[str, tuple[int, int]] = {}  # case id -> (heat, rank)
    for r in rows:
        if rescore:
            scored = score_row(r["stats"], r["status"], r["opened_at"], r["tier"], bool(r["inc"]), now, weights)
            h = (scored.score, scored.rank)
        else:
            h = (r["heat"], r["heat_rank"])
        if h[0] >= hot_threshold or r["id"] in mine:
            heat[r["id"]] = h
    snapshots = []
    for start in range(0, len(heat), 500):
        ids = list(heat)[start:start + 500]
        for r in store.query(
                "SELECT c.id, c.customer_id, cu.name, c.subject, c.status, c.summary, "
                "json_extract(c.stats, '$.last_in_at') AS last_in, "
                "(SELECT MAX(s.at) FROM events s WHERE s.case_id = c.id AND s.kind = 'summary') AS summary_at "
                f"FROM cases c JOIN customers cu ON cu.id = c.customer_id WHERE c.id IN ({','.join('?' * len(ids))})",
                tuple(ids)):
            snapshots.append(CaseSnapshot(
                r["id"], r["customer_id"], r["name"], r["subject"], r["status"], heat[r["id"]][0], r["summary"],
                parse_ts(r["summary_at"]) if r["summary_at"] else None,
                parse_ts(r["last_in"]) if r["last_in"] else None, tuple(mine.get(r["id"], ())),
                heat[r["id"]][1]))
    return build_brief(snapshots, engineer=engineer, since=since, now=now, hot_threshold=hot_threshold)


def send(store: Store, brief: Brief, *, author: str, region: str, now: datetime) -> str:
    """Store *brief* as a handoff and a `handoff` event on each listed case; returns the handoff id."""
    handoff_id = f"ho-{uuid.uuid4().hex[:16]}"
    heat = store.heat_model()
    with store.write() as conn:
        conn.execute("INSERT INTO handoffs(id, author, region, at, body, case_ids) VALUES (?, ?, ?, ?, ?, ?)",
                     (handoff_id, author, region, format_ts(now), brief.to_markdown(),
                      json.dumps(brief.case_ids)))
        for item in brief.items:
            row = conn.execute("SELECT customer_id FROM cases WHERE id = ?", (item.case_id,)).fetchone()
            if row is None:
                raise Refused(f"handoff: case {item.case_id!r} is in the brief but not in the store; "
                                   "nothing was sent")
            insert_event(conn, case_id=item.case_id, customer_id=row["customer_id"], kind="handoff",
                         direction="internal", author=author, region=region, channel="tool", now=now,
                         body=f"Handed over by {author}: {item.why}",
                         meta={"handoff_id": handoff_id, "heat": item.heat, "touched": item.touched,
                               "summary_stale": item.summary_stale})
        refresh_cases(conn, brief.case_ids, now, heat)
    return handoff_id


def record_post(store: Store, handoff_id: str, *, ok: bool, detail: str, host: str, author: str,
                region: str, now: datetime) -> str:
    """Record the webhook outcome as a follow-up event (history is append-only); returns its id.

    *host* only, never the URL: webhook URLs carry their secret in the path.
    """
    with store.write() as conn:
        _handoff(conn, handoff_id)
        return insert_event(conn, case_id=None, customer_id=None, kind="handoff", direction="internal",
                            author=author, region=region, channel="tool", now=now,
                            body=f"Handoff {handoff_id} {'posted to' if ok else 'NOT posted to'} {host}: {detail}",
                            meta={"handoff_id": handoff_id, "posted": ok, "host": host, "detail": detail})


def latest_for(store: Store, now: datetime, exclude_author: str, *,
               within: timedelta | None = None) -> HandoffInfo | None:
    """The most recent handoff (at or before *now*, optionally *within* a window) by someone else."""
    params: list = [exclude_author, format_ts(now)]
    extra = ""
    if within is not None:
        extra = " AND h.at >= ?"
        params.append(format_ts(now - within))
    row = store.query_one(
        "SELECT h.id, h.author, h.region, h.at, h.case_ids, COALESCE(e.city, '') AS city FROM handoffs h "
        f"LEFT JOIN engineers e ON e.name = h.author WHERE h.author != ? AND h.at <= ?{extra} "
        "ORDER BY h.at DESC, h.rowid DESC LIMIT 1", tuple(params))
    if row is None:
        return None
    at = parse_ts(row["at"])
    return HandoffInfo(row["id"], row["author"], row["region"], row["city"], at,
                       int((now - at).total_seconds()), tuple(json.loads(row["case_ids"])))


def acknowledge(store: Store, handoff_id: str, case_id: str, engineer: str, now: datetime, *,
                region: str = "") -> str:
    """*engineer* has read the handoff of *case_id*; returns the `ack` event id.

    Raises Refused for an unknown handoff, a case not in it, or a repeated acknowledgement.
    """
    heat = store.heat_model()
    with store.write() as conn:
        handoff = _handoff(conn, handoff_id)
        if case_id not in json.loads(handoff["case_ids"]):
            raise Refused(f"case {case_id!r} is not in handoff {handoff_id} from {handoff['author']}")
        if conn.execute("SELECT 1 FROM handoff_acks WHERE handoff_id = ? AND case_id = ? AND engineer = ?",
                        (handoff_id, case_id, engineer)).fetchone():
            raise Refused(f"{engineer} already acknowledged {case_id} of handoff {handoff_id}")
        case = conn.execute("SELECT customer_id FROM cases WHERE id = ?", (case_id,)).fetchone()
        if case is None:
            raise NotFound(f"no case {case_id!r} in the store")
        conn.execute("INSERT INTO handoff_acks(handoff_id, case_id, engineer, at) VALUES (?, ?, ?, ?)",
                     (handoff_id, case_id, engineer, format_ts(now)))
        eid = insert_event(conn, case_id=case_id, customer_id=case["customer_id"], kind="ack",
                           direction="internal", author=engineer, region=region, channel="tool", now=now,
                           body=f"{engineer} acknowledged the handoff from {handoff['author']}",
                           meta={"handoff_id": handoff_id})
        refresh_cases(conn, [case_id], now, heat)
    return eid


def pending_acks(store: Store, handoff_id: str, engineer: str) -> list[str]:
    """Case ids of the handoff *engineer* has not acknowledged yet, in brief order."""
    handoff = _handoff(store.conn, handoff_id)
    done = {r[0] for r in store.conn.execute(
        "SELECT case_id FROM handoff_acks WHERE handoff_id = ? AND engineer = ?", (handoff_id, engineer))}
    return [c for c in json.loads(handoff["case_ids"]) if c not in done]


def get_handoff(store: Store, handoff_id: str) -> dict:
    """A stored handoff as a dict (case_ids decoded); NotFound if absent."""
    row = _handoff(store.conn, handoff_id)
    return {**dict(row), "case_ids": json.loads(row["case_ids"])}


def _handoff(conn, handoff_id: str):
    row = conn.execute("SELECT id, author, region, at, body, case_ids FROM handoffs WHERE id = ?",
                       (handoff_id,)).fetchone()
    if row is None:
        raise NotFound(f"no handoff {handoff_id!r} in the store")
    return row
