"""A customer's whole history: every case and channel on one timeline, and what we know about them.

The screen opens a case (`case_view`): the case, its customer, their servers,
domains and databases, and the timeline with long bodies cut to a preview
(`full_body` fetches one whole). The command line asks for a customer by id,
e-mail or name (`customer_history`), with every body whole.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from ..core.errors import NotFound, OncallError, Refused
from ..core.timeutil import parse_ts
from ..store import attachments, outbox, queries
from .presence import describe_case
from .session import Session

#: Characters of a body read for the screen; the rest is fetched when the engineer expands it.
PREVIEW_CHARS = 4000


@dataclass(frozen=True)
class Customer:
    id: str
    name: str
    language: str
    timezone: str
    tier: str
    owner: str
    facts: str
    emails: tuple[str, ...] = ()


@dataclass(frozen=True)
class Asset:
    kind: str  # server | domain | database
    name: str
    datacenter: str = ""
    ipv4: str = ""
    ipv6: str = ""
    server: str = ""
    webroot: str = ""


@dataclass(frozen=True)
class Case:
    id: str
    customer_id: str
    subject: str
    status: str
    heat: int
    assignee: str
    summary: str
    external_ref: str
    incident_id: str | None
    opened_at: datetime


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message: its description (the content stays in the helpdesk until fetched)."""

    name: str
    content_type: str
    size: int
    ref: str = ""

    @property
    def line(self) -> str:
        """"facture.pdf (application/pdf, 12 KB)"."""
        return f"{self.name} ({self.content_type or 'unknown type'}, {human_size(self.size)})"


@dataclass(frozen=True)
class Entry:
    """One event of the timeline."""

    seq: int
    id: str
    case_id: str | None
    subject: str  # the subject of its case, if any
    at: datetime
    kind: str
    direction: str
    author: str
    author_region: str
    channel: str
    body: str  # whole, or the first PREVIEW_CHARS characters (see `length`)
    length: int  # characters of the whole body
    meta: dict = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()

    @property
    def cut(self) -> bool:
        """Whether `body` is only the start of the body."""
        return len(self.body) < self.length


@dataclass(frozen=True)
class CaseView:
    """What the case screen shows."""

    case: Case
    customer: Customer
    assets: tuple[Asset, ...]
    timeline: tuple[Entry, ...]
    others: str  # other engineers on this case: "alice (Paris) is writing"
    outbox_notice: str | None  # "1 reply not yet delivered to RT (…)"
    earlier: int = 0  # older entries not loaded (case_view's `newest`)
    since: datetime | None = None  # when the customer's first entry was, loaded or not

    @property
    def last_seq(self) -> int:
        return max((e.seq for e in self.timeline), default=0)


def case_view(session: Session, case_id: str, *, newest: int | None = None) -> CaseView:
    """The case screen's content; with *newest*, only that many of the customer's latest entries
    (a customer with years of history opens as fast as a new one; `earlier` says how many wait)."""
    store = session.store
    case = _case(store, case_id)
    customer = _customer(store, case.customer_id)
    rows = queries.customer_history(store, case.customer_id, preview=PREVIEW_CHARS, newest=newest)
    total, first = queries.customer_events_span(store, case.customer_id) if newest is not None else (len(rows), None)
    files = attachments.of_customer(store, case.customer_id)
    timeline = tuple(_entry(r, files) for r in rows)
    since = parse_ts(first) if first else (timeline[0].at if timeline else None)
    return CaseView(case, customer, _assets(store, case.customer_id), timeline,
                    describe_case(session, case_id), outbox.case_notice(store, case_id, session.now()),
                    earlier=max(0, total - len(timeline)), since=since)


def case(session: Session, case_id: str) -> Case:
    return _case(session.store, case_id)


def customer(session: Session, customer_id: str) -> Customer:
    return _customer(session.store, customer_id)


def helpdesk_url(session: Session, case_id: str) -> str | None:
    """The case's page in its helpdesk (RT: Ticket/Display.html?id=N), None for a case of ours alone."""
    external = queries.external_ref(session.store, case_id) or ""
    kind, _, ticket = external.partition(":")
    if kind != "rt" or not ticket.isdigit():
        return None
    try:
        sources = session.sources()
    except OncallError:
        return None
    for source in sources:
        base = getattr(getattr(source, "config", None), "base_url", None)
        if source.kind == "rt" and base:
            return f"{base}/Ticket/Display.html?id={ticket}"
    return None


def full_body(session: Session, event_id: str) -> str:
    """The whole body of one event (the screen expands a long one)."""
    row = queries.event_body(session.store, event_id)
    if row is None:
        raise NotFound(f"no event {event_id!r} in {session.store.path}")
    return row


@dataclass(frozen=True)
class CustomerHistory:
    """`oncall history`: the customer, their assets and cases, and every event whole."""

    customer: Customer
    assets: tuple[Asset, ...]
    cases: tuple[dict, ...]
    events: tuple[Entry, ...]


def find_customer(session: Session, ref: str) -> Customer:
    """The customer *ref* names: an id, an e-mail address, or (part of) a name.

    Several matches raise Refused listing them; none raises NotFound.
    """
    store = session.store
    found = queries.find_customers(store, ref.strip())
    if not found:
        raise NotFound(f"no customer {ref!r} in {store.path} (give an id, an e-mail address or a name)")
    if len(found) > 1:
        listing = "; ".join(f"{r['id']} {r['name']}" for r in found[:20])
        more = f" (and {len(found) - 20} more)" if len(found) > 20 else ""
        raise Refused(f"{ref!r} names {len(found)} customers: {listing}{more} — give the id")
    return _customer_from(found[0])


def customer_history(session: Session, ref: str) -> CustomerHistory:
    store = session.store
    who = find_customer(session, ref)
    files = attachments.of_customer(store, who.id)
    events = tuple(_entry(r, files) for r in queries.customer_history(store, who.id))
    cases = tuple(dict(r) for r in queries.customer_cases(store, who.id))
    return CustomerHistory(who, _assets(store, who.id), cases, events)


# -- rows to values ------------------------------------------------------------------------------

def _case(store, case_id: str) -> Case:
    r = queries.get_case(store, case_id)
    if r is None:
        raise NotFound(f"no case {case_id!r} in {store.path}")
    return Case(r["id"], r["customer_id"], r["subject"], r["status"], r["heat"], r["assignee"], r["summary"],
                r["external_ref"], r["incident_id"], parse_ts(r["opened_at"]))


def _customer(store, customer_id: str) -> Customer:
    r = queries.get_customer(store, customer_id)
    if r is None:
        raise NotFound(f"no customer {customer_id!r} in {store.path}")
    return _customer_from(r)


def _customer_from(r) -> Customer:
    try:
        emails = tuple(e for e in json.loads(r["emails"] or "[]") if isinstance(e, str))
    except ValueError:
        emails = ()
    return Customer(r["id"], r["name"], r["language"], r["timezone"], r["tier"], r["owner"], r["facts"], emails)


def _assets(store, customer_id: str) -> tuple[Asset, ...]:
    return tuple(Asset(a["kind"], a["name"], a["datacenter"], a["ipv4"], a["ipv6"], a["server"], a["webroot"])
                 for a in queries.customer_assets(store, customer_id))


def _entry(r, files: dict | None = None) -> Entry:
    try:
        meta = json.loads(r["meta"] or "{}")
    except ValueError:
        meta = {}
    sent = tuple(Attachment(a["name"], a["content_type"], a["size"], a["ref"]) for a in (files or {}).get(r["id"], ()))
    return Entry(r["seq"], r["id"], r["case_id"], r["subject"] or "", parse_ts(r["at"]), r["kind"], r["direction"],
                 r["author"], r["author_region"], r["channel"], r["body"], r["length"],
                 meta if isinstance(meta, dict) else {}, sent)


def human_size(size: int) -> str:
    """Bytes as people read them: 812 bytes, 12 KB, 3.4 MB."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
