"""Follow-the-sun handoff: the brief of my shift for the next region, and what the last shift left me.

Store first, then post: a chat webhook that is down never loses the brief, it
is already in every listed case's history; the post's outcome is recorded too.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..connectors import webhook
from ..core.handoff import HOT_THRESHOLD, Brief
from ..store import handoffs
from ..store.handoffs import HandoffInfo
from .session import Session

SHIFT = timedelta(hours=8)
INCOMING_WITHIN = timedelta(hours=24)


def brief(session: Session, *, since: datetime | None = None, now: datetime | None = None,
          hot_threshold: int = HOT_THRESHOLD, rescore: bool = True) -> Brief:
    """The brief of my shift [since, now] (default: the last 8 hours).

    *rescore*: heat at *now* (the command line); the screen uses the stored
    heat, which its heat tick keeps current.
    """
    now = now or session.now()
    return handoffs.gather(session.store, session.user, since or now - SHIFT, now, hot_threshold=hot_threshold,
                           rescore=rescore, weights=session.models.weights)


def send(session: Session, the_brief: Brief, *, now: datetime | None = None) -> str:
    """Store the brief as a handoff and on every listed case; returns the handoff id."""
    session.check_writable("sending the handoff")
    return handoffs.send(session.store, the_brief, author=session.user, region=session.region,
                         now=now or session.now())


@dataclass(frozen=True)
class Posted:
    ok: bool
    host: str
    detail: str


def post(session: Session, handoff_id: str, text: str, *, cancel: threading.Event | None = None) -> Posted | None:
    """Post the brief to `[handoff] webhook` (None when none is configured) and record the outcome.

    Within `[handoff] timeout` seconds whatever the server does; *cancel* (the app quitting) stops it sooner.
    """
    url = session.config.handoff_webhook
    if not url:
        return None
    host = webhook.host_of(url.reveal()) or "the configured webhook"
    ok, detail = webhook.post(url, text, timeout=session.config.handoff_timeout, cancel=cancel)
    handoffs.record_post(session.store, handoff_id, ok=ok, detail=detail, host=host, author=session.user,
                         region=session.region, now=session.now())
    return Posted(ok, host, detail)


@dataclass(frozen=True)
class Incoming:
    """The latest handoff someone else left, and its cases I have not acknowledged yet."""

    handoff: HandoffInfo
    pending: tuple[str, ...]


def incoming(session: Session) -> Incoming | None:
    handoff = handoffs.latest_for(session.store, session.now(), session.user, within=INCOMING_WITHIN)
    if handoff is None:
        return None
    return Incoming(handoff, tuple(handoffs.pending_acks(session.store, handoff.id, session.user)))


def acknowledge(session: Session, handoff_id: str, case_id: str) -> str:
    session.check_writable("acknowledging the handoff")
    return handoffs.acknowledge(session.store, handoff_id, case_id, session.user, session.now(),
                                region=session.region)
