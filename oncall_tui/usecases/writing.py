"""Writing into the shared history: notes, calls, chats, replies, summaries, status, facts, drafts.

Every write is one transaction, refused in read-only mode, and queued for
the case's helpdesk when the case came from one (replies as correspondence,
notes as internal comments, status changes as status). Text being written is
a draft in the store until it is saved, so nothing typed is ever lost.

Two engineers on one case: a reply saved after someone else replied, or while
someone else is writing one, is refused with who, when and in which language
(`ReplyCollision`) until the engineer confirms; a summary saves only over the
revision its editor started from (`SummaryConflict` shows both).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from ..core.assets_text import format_assets, parse_assets
from ..core.errors import Refused
from ..core.model import STATUSES
from ..core.text import guess_language
from ..core.timeutil import parse_ts
from ..store import drafts, queries, writes
from .presence import replying
from .session import Session
from .sync import outbox_source_for

#: What an engineer can write on a case: kind -> (event kind, direction, helpdesk action).
KINDS = {
    "note": ("note", "internal", "comment"),
    "call": ("call", "in", None),
    "chat": ("chat", "in", None),
    "reply": ("message", "out", "correspond"),
}
STATUS_CHOICES = (("open", "open — we are on it"), ("pending", "pending — waiting on the customer"),
                  ("resolved", "resolved — done, the customer can reopen"), ("closed", "closed"))


@dataclass(frozen=True)
class OtherReply:
    """A reply someone else wrote (or is writing) on the case."""

    author: str
    at: datetime | None  # None: still being written
    language: str  # "fr", "en", "" when unknown
    where: str = ""  # the writer's city or region

    def line(self) -> str:
        lang = {"fr": "in French", "en": "in English"}.get(self.language, "")
        where = f" ({self.where})" if self.where else ""
        if self.at is None:
            return f"{self.author}{where} is writing a reply right now"
        return f"{self.author}{where} replied at {self.at:%H:%M} UTC" + (f" {lang}" if lang else "")


class ReplyCollision(Refused):
    """Someone else replied since the editor opened, or is writing a reply: confirm to send anyway."""

    def __init__(self, case_id: str, others: list[OtherReply]) -> None:
        self.others = others
        super().__init__(f"{case_id}: " + "; ".join(o.line() for o in others)
                         + " — read it first; save again to send yours anyway")


class SummaryConflict(Refused):
    """The summary changed since the editor opened: both texts, to compare side by side."""

    def __init__(self, case_id: str, mine: str, theirs: str, author: str) -> None:
        self.mine, self.theirs, self.author = mine, theirs, author
        super().__init__(f"{case_id}: the summary was changed by {author or 'someone'} while you edited it; "
                         "nothing was saved — compare both, then save again")


def add(session: Session, case_id: str, kind: str, text: str) -> str:
    """A note, a logged call or a chat transcript on *case_id*; returns the event id."""
    if kind not in KINDS or kind == "reply":
        raise Refused(f"kind {kind!r} is not one of note|call|chat (replies go through `reply`)")
    session.check_writable(f"saving the {kind}")
    event_kind, direction, action = KINDS[kind]
    source = outbox_source_for(session, case_id) if action else None
    return writes.add_case_event(session.store, case_id, kind=event_kind, body=text, author=session.user,
                                 now=session.now(), region=session.region, direction=direction,
                                 outbox_source=source, outbox_action=action, draft_kind=kind)


def reply(session: Session, case_id: str, text: str, *, seen_seq: int | None = None, force: bool = False,
          meta: dict | None = None) -> str:
    """An outgoing message to the customer; returns the event id.

    *seen_seq*: the last event the engineer saw when they started writing. A
    reply by someone else after it, or someone else writing one now, raises
    `ReplyCollision` unless *force*.
    """
    session.check_writable("sending the reply")
    store = session.store

    def check(conn) -> None:
        if force or seen_seq is None:
            return
        others = [OtherReply(r["author"], parse_ts(r["at"]), _language(r["meta"], r["body"]))
                  for r in writes.replies_since(conn, case_id, seen_seq, session.user)]
        others += [OtherReply(p["engineer"], None, "", p["city"] or p["region"]) for p in replying(session, case_id)]
        if others:
            raise ReplyCollision(case_id, others)

    return writes.add_case_event(store, case_id, kind="message", direction="out", body=text, author=session.user,
                                 now=session.now(), region=session.region, meta=meta,
                                 outbox_source=outbox_source_for(session, case_id), outbox_action="correspond",
                                 check=check, draft_kind="reply")


def set_summary(session: Session, case_id: str, text: str, *, base: str | None = None) -> str:
    """A new revision of the case's living summary, saved only over *base* (the text the editor started from)."""
    session.check_writable("saving the summary")

    def check(conn, current: str) -> None:
        if base is not None and current != base:
            raise SummaryConflict(case_id, text, current, writes.summary_author(conn, case_id))

    return writes.set_summary(session.store, case_id, text, author=session.user, now=session.now(),
                              region=session.region, check=check)


def set_status(session: Session, case_id: str, status: str) -> str:
    if status not in STATUSES:
        raise Refused(f"status {status!r} is not one of {'|'.join(STATUSES)}")
    session.check_writable("changing the status")
    return writes.set_status(session.store, case_id, status, author=session.user, now=session.now(),
                             region=session.region, outbox_source=outbox_source_for(session, case_id))


def assign(session: Session, case_id: str, engineer: str) -> str:
    """Give the case to *engineer* ("" = nobody), as an event everyone sees."""
    session.check_writable("assigning the case")
    return writes.set_assignee(session.store, case_id, engineer.strip(), author=session.user, now=session.now(),
                               region=session.region)


def take(session: Session, case_id: str) -> str:
    """The case is mine now."""
    return assign(session, case_id, session.user)


def engineers(session: Session) -> list[str]:
    """Every engineer the store knows (the team), for "assign to…"."""
    return sorted(queries.engineers(session.store))


# -- what we know about a customer ----------------------------------------------------------------

@dataclass(frozen=True)
class Facts:
    """The facts form: free text, and servers/domains/databases one per line."""

    facts: str
    assets: str


def facts(session: Session, customer_id: str) -> Facts:
    store = session.store
    row = queries.get_customer(store, customer_id)
    if row is None:
        raise Refused(f"no customer {customer_id!r}")
    return Facts(row["facts"], format_assets([dict(a) for a in queries.customer_assets(store, customer_id)]))


def save_facts(session: Session, customer_id: str, facts_text: str, assets_text: str) -> list[str]:
    """Revise the customer's facts and assets together; a bad asset line is refused by number, nothing written."""
    session.check_writable("saving the facts")
    try:
        parsed = parse_assets(assets_text)
    except ValueError as exc:
        raise Refused(str(exc), field="assets") from None
    return writes.update_customer(session.store, customer_id, facts=facts_text, assets=parsed, author=session.user,
                                  now=session.now(), region=session.region)


# -- drafts ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Draft:
    text: str
    base: str  # what the text was written over (the summary it edits), "" otherwise
    updated_at: datetime


def draft(session: Session, case_id: str, kind: str) -> Draft | None:
    """My draft of *kind* on the case, if I left one (after escape, a crash, a lost SSH session)."""
    row = drafts.get(session.store, case_id, session.user, kind)
    return Draft(row["text"], row["base"], parse_ts(row["updated_at"])) if row else None


def keep_draft(session: Session, case_id: str, kind: str, text: str, *, base: str = "") -> None:
    """Keep what is being typed (called as the engineer types; a read-only session keeps nothing)."""
    if session.readonly:
        return
    drafts.save(session.store, case_id, session.user, kind, text, base=base, now=session.now())


def discard_draft(session: Session, case_id: str, kind: str) -> None:
    if not session.readonly:
        drafts.discard(session.store, case_id, session.user, kind)


def my_drafts(session: Session) -> list[dict]:
    return [dict(r) for r in drafts.mine(session.store, session.user)]


def _language(meta_json: str, body: str) -> str:
    try:
        meta = json.loads(meta_json or "{}")
    except ValueError:
        meta = {}
    lang = meta.get("language") if isinstance(meta, dict) else None
    return lang if lang in ("fr", "en") else guess_language(body)
