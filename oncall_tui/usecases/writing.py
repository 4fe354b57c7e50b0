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
from datetime import datetime, timedelta

from ..core.assets_text import format_assets, parse_assets
from ..core.errors import Refused
from ..core.model import STATUSES
from ..core.text import guess_language
from ..core.timeutil import parse_ts
from ..store import drafts, queries, writes
from .presence import replying
from .session import Session
from .sync import outbox_source_for, source_named

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


#: How long a write the engineer's own helpdesk token can send waits for their own oncall to send it,
#: before anyone's oncall sends it through the shared token (signed with their name): a customer never
#: waits long because its author closed oncall while the helpdesk was down.
OWN_TOKEN_GRACE = timedelta(minutes=10)


def _outbox(session: Session, case_id: str) -> tuple[str | None, datetime | None]:
    """(the source the case's writes go to, until when only this engineer's oncall may send them)."""
    name = outbox_source_for(session, case_id)
    if name is None:
        return None, None
    source = source_named(session, name)
    writes_as = getattr(source, "writes_as", None)
    own = writes_as is not None and writes_as(session.user) == "own"
    return name, (session.now() + OWN_TOKEN_GRACE) if own else None


def authorship(session: Session, case_id: str) -> str | None:
    """What to tell the engineer once when their writes on *case_id* reach the helpdesk as the shared account."""
    name = outbox_source_for(session, case_id)
    source = source_named(session, name) if name else None
    writes_as = getattr(source, "writes_as", None)
    if writes_as is None or writes_as(session.user) == "own":
        return None
    where = source.own_token_file() if hasattr(source, "own_token_file") else None
    put = f"put your own RT token in {where} (mode 600)" if where else "set user_token_file in [[sources]]"
    return (f"Your notes and replies reach {name} through the shared RT account, starting with [{session.user}]. "
            f"To write as yourself, {put} — docs/request-tracker.md says how.")


def add(session: Session, case_id: str, kind: str, text: str) -> str:
    """A note, a logged call or a chat transcript on *case_id*; returns the event id.

    A note on a helpdesk case goes there as an internal comment (through the outbox).
    """
    if kind not in KINDS or kind == "reply":
        raise Refused(f"kind {kind!r} is not one of note|call|chat (replies go through `reply`)")
    session.check_writable(f"saving the {kind}")
    event_kind, direction, action = KINDS[kind]
    source, exclusive = _outbox(session, case_id) if action else (None, None)
    return writes.add_case_event(session.store, case_id, kind=event_kind, body=text, author=session.user,
                                 now=session.now(), region=session.region, direction=direction,
                                 outbox_source=source, outbox_action=action, draft_kind=kind,
                                 outbox_exclusive_until=exclusive)


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

    source, exclusive = _outbox(session, case_id)
    return writes.add_case_event(store, case_id, kind="message", direction="out", body=text, author=session.user,
                                 now=session.now(), region=session.region, meta=meta,
                                 outbox_source=source, outbox_action="correspond",
                                 check=check, draft_kind="reply", outbox_exclusive_until=exclusive)


def set_summary(session: Session, case_id: str, text: str, *, base: str | None = None) -> str:
    """A new revision of the case's living summary, saved only over *base* (the text the editor started from)."""
    session.check_writable("saving the summary")

    def check(conn, current: str) -> None:
        if base is not None and current != base:
            raise SummaryConflict(case_id, text, current, writes.summary_author(conn, case_id))

    return writes.set_summary(session.store, case_id, text, author=session.user, now=session.now(),
                              region=session.region, check=check)


def set_status(session: Session, case_id: str, status: str) -> str:
    """Change the case's status; on a helpdesk case the helpdesk's status follows (through the outbox)."""
    if status not in STATUSES:
        raise Refused(f"status {status!r} is not one of {'|'.join(STATUSES)}")
    session.check_writable("changing the status")
    source, exclusive = _outbox(session, case_id)
    refuses = getattr(source_named(session, source), "refuses_status", None) if source else None
    why = refuses(status) if refuses is not None else None
    if why:
        raise Refused(f"{case_id}: {why}; nothing was changed")
    return writes.set_status(session.store, case_id, status, author=session.user, now=session.now(),
                             region=session.region, outbox_source=source, outbox_exclusive_until=exclusive)


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
