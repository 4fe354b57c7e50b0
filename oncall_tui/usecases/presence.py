"""Who has which case open, and who is writing in it — seen by every engineer on the store.

Each process heartbeats its row; a row older than `STALE_SECONDS` is ignored,
so presence expires by itself when a process dies.
"""

from __future__ import annotations

from ..store import presence as rows
from .session import Session

STALE_SECONDS = rows.STALE_SECONDS


def beat(session: Session, *, case_id: str | None, writing: str | None = None) -> None:
    """Say I am here: on *case_id*, writing a *writing* ("reply", "note"…) or only viewing.

    A read-only session says nothing.
    """
    if session.readonly:
        return
    state = "viewing" if not writing else "replying" if writing == "reply" else "writing"
    rows.beat(session.store, session.user, now=session.now(), case_id=case_id, state=state,
              region=session.engineer.region, city=session.engineer.city)


def leave(session: Session) -> None:
    if not session.readonly:
        rows.leave(session.store, session.user)


def by_case(session: Session) -> dict[str, str]:
    """case id -> "alice✎, bob" for the queue's WHO column (✎ = writing)."""
    return rows.by_case(session.store, session.user, now=session.now())


def describe_case(session: Session, case_id: str) -> str:
    """"alice (Paris) is writing · bob (San Francisco) is viewing" for the case header."""
    return rows.describe_case(session.store, session.user, case_id, now=session.now())


def replying(session: Session, case_id: str) -> list[dict]:
    """Other engineers writing a reply on *case_id* right now (engineer, city, region, seen_at)."""
    return [p for p in rows.others(session.store, session.user, now=session.now())
            if p["case_id"] == case_id and p["state"] == "replying"]


def snapshot(session: Session) -> frozenset[tuple[str, str, str]]:
    """Who is where, without the heartbeat times: it changes only when someone moves or starts writing."""
    return frozenset((p["engineer"], p["case_id"] or "", p["state"])
                     for p in rows.others(session.store, session.user, now=session.now()))
