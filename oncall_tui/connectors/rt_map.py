"""RT REST2 records (tickets, transactions) mapped to the interchange format, and the sync cursor."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ..core.timeutil import format_ts, parse_ts

#: RT status → oncall status (`stalled` as "waiting on the customer"; a source may say "on hold by us").
STATUS_FROM_RT = {"new": "new", "open": "open", "stalled": "pending", "resolved": "resolved",
                  "rejected": "closed", "deleted": "closed"}
STALLED_MEANS = {"waiting-on-customer": "pending", "on-hold-by-us": "open"}
SYSTEM_USERS = frozenset({"RT_System", "Nobody"})
UNSET_DATE = "1970-01-01T00:00:00Z"  # how REST2 shows a date that was never set
CURSOR_MARGIN = timedelta(days=1)  # covers any RT user time zone (UTC-12 … UTC+14)
CURSOR_SETTLE = timedelta(seconds=2)  # a LastUpdated second is "over" this long after it (see `advance`)


class RtConfigError(ValueError):
    """The RT configuration or token file is unusable; the message says where and why."""


class RtError(RuntimeError):
    """RT answered with an error (status code and RT's message in the text)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def fingerprint(text: str) -> str:
    """A stable digest of message text; whitespace differences RT introduces don't count."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:32]


# -- pure mapping: RT records → interchange dicts ------------------------------------


@dataclass(frozen=True)
class Cursor:
    """Position of an incremental pull: newest LastUpdated seen and the tickets seen at it."""

    last_updated: str
    ticket_ids: frozenset[int] = frozenset()

    @classmethod
    def parse(cls, text: str | None) -> "Cursor | None":
        if not text:
            return None
        stamp, _, ids = text.partition("|")
        try:
            parse_ts(stamp)
            return cls(stamp, frozenset(int(i) for i in ids.split(",") if i))
        except ValueError:
            raise RtConfigError(f"RT sync cursor {text!r} is not '<ISO time>|<ticket ids>'") from None

    def __str__(self) -> str:
        return f"{self.last_updated}|{','.join(map(str, sorted(self.ticket_ids)))}"

    def is_new(self, ticket_id: int, last_updated: str) -> bool:
        when, seen = parse_ts(last_updated), parse_ts(self.last_updated)
        return when > seen or (when == seen and ticket_id not in self.ticket_ids)


def advance(cursor: Cursor | None, tickets: list[dict], searched_at: datetime | None = None) -> Cursor | None:
    """The cursor after *tickets* (REST2 ticket dicts with LastUpdated) were pulled.

    *searched_at* is RT's clock when the search ran. LastUpdated has one-second
    precision, so while that second is not over a ticket seen in it may change
    again without its LastUpdated moving: such tickets are not marked as seen,
    and the next pull fetches them again (their known events are skipped).
    """
    for t in tickets:
        tid, when = int(t["id"]), t["LastUpdated"]
        if cursor is None or parse_ts(when) > parse_ts(cursor.last_updated):
            cursor = Cursor(when, frozenset({tid}))
        elif parse_ts(when) == parse_ts(cursor.last_updated):
            cursor = Cursor(cursor.last_updated, cursor.ticket_ids | {tid})
    if (cursor is not None and cursor.ticket_ids and searched_at is not None
            and searched_at - parse_ts(cursor.last_updated) < CURSOR_SETTLE):
        cursor = Cursor(cursor.last_updated)
    return cursor


def _user(ref: Any) -> dict:
    return ref if isinstance(ref, dict) else {"id": str(ref or "")}


def _user_name(ref: Any) -> str:
    u = _user(ref)
    return str(u.get("Name") or u.get("id") or "")


def _date(value: Any) -> str | None:
    return None if not value or value == UNSET_DATE else format_ts(parse_ts(value))


def transaction_text(attachments: list[dict]) -> str:
    """The readable text of one transaction from its attachments (text/plain first).

    Parts with a file name are files the customer sent (a log, a CSV), not the
    message: they are listed, never taken as its text.
    """
    for wanted in ("text/plain", "text/html"):
        for att in attachments:
            if ((att.get("ContentType") or "").lower() == wanted and not att.get("Filename")
                    and (att.get("Content") or "").strip()):
                text = att["Content"]
                if wanted == "text/html":
                    text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"(?i)<br\s*/?>|</p>", "\n", text)))
                return text.strip("\n")
    return ""


_LENGTH = re.compile(r"^Content-Length:\s*(\d+)\s*$", re.I | re.M)


def transaction_files(source: str, attachments: list[dict]) -> list[dict]:
    """The files of one transaction (parts with a file name), described for the interchange format."""
    files = []
    for att in sorted(attachments, key=lambda a: int(a.get("id") or 0)):
        name = att.get("Filename") or ""
        if not name or not str(att.get("id") or "").isdigit():
            continue
        size = _LENGTH.search(att.get("Headers") or "")
        files.append({"name": name, "type": (att.get("ContentType") or "").lower(),
                      "size": int(size.group(1)) if size else len((att.get("Content") or "").encode()),
                      "ref": f"rt:{source}:attachment:{int(att['id'])}"})
    return files


def language(lang: str) -> str:
    """RT's `Lang` ("fr_FR", "en-gb", "de") as the store's language code ("fr", "en", "de"); "" when unset."""
    primary = re.split(r"[_\-.@]", (lang or "").strip().lower(), maxsplit=1)[0]
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else ""


def time_zone(value: str) -> str:
    """RT's `Timezone` when it is a real IANA zone, else ""."""
    value = (value or "").strip()
    if not value or len(value) > 64 or not re.fullmatch(r"[A-Za-z0-9_+\-/]+", value):
        return ""
    try:
        ZoneInfo(value)
    except Exception:  # unknown zone, bad file name: the person simply has none we can use
        return ""
    return value


def slug(text: str) -> str:
    """"Müller Maschinenbau GmbH" → "muller-maschinenbau-gmbh" (for customer ids one can type)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or hashlib.sha1(text.encode()).hexdigest()[:10]


@dataclass(frozen=True)
class Identity:
    """Which customer a requestor is, and why: the rule that decided it."""

    customer_id: str
    name: str  # the customer's name when the source creates it
    configured: bool  # a mapping in the config chose it: the customer lives in the store, named there
    rule: str  # email | organization-map | domain-map | organization | domain | person


@dataclass(frozen=True)
class Pulled:
    """One ticket as the store wants it: the case, its customer, the people on it, who asked."""

    case: dict
    customer: Identity
    people: list[dict]
    requestor: str  # the first requestor's address ("" when RT knows none)


@dataclass(frozen=True)
class Mapper:
    """Pure translation of REST2 records into interchange dicts for one RT source.

    Who a requestor is, in this order: their address in `customer_emails`;
    their RT Organization in `customer_organizations`; their domain in
    `customer_domains` (never a free-mail domain); their RT Organization (one
    customer per organisation); their domain when `group_by_domain` is on
    (free-mail domains excepted); else the person alone.
    """

    source: str = "main"
    case_prefix: str = "RT"
    customer_domains: Mapping[str, str] = field(default_factory=dict)
    customer_emails: Mapping[str, str] = field(default_factory=dict)
    engineers: Mapping[str, str] = field(default_factory=dict)
    customer_organizations: Mapping[str, str] = field(default_factory=dict)  # lower-cased org name → customer id
    group_by_domain: bool = False
    free_mail: frozenset[str] = frozenset()
    statuses: Mapping[str, str] = field(default_factory=lambda: dict(STATUS_FROM_RT))

    def customer_for(self, person: Mapping[str, Any] | str) -> Identity:
        """The customer of a requestor (a REST2 user dict, or only an address)."""
        if isinstance(person, str):
            person = {"EmailAddress": person}
        address = str(person.get("EmailAddress") or "").strip().lower()
        org = " ".join(str(person.get("Organization") or "").split())
        real = " ".join(str(person.get("RealName") or "").split())
        domain = address.rpartition("@")[2] if "@" in address else ""
        if address in self.customer_emails:
            return Identity(self.customer_emails[address], address, True, "email")
        if org and org.lower() in self.customer_organizations:
            return Identity(self.customer_organizations[org.lower()], org, True, "organization-map")
        if domain and domain in self.customer_domains and domain not in self.free_mail:
            return Identity(self.customer_domains[domain], domain, True, "domain-map")
        if org:
            return Identity(f"{self.source}:org:{slug(org)}", org, False, "organization")
        if domain and self.group_by_domain and domain not in self.free_mail:
            return Identity(f"{self.source}:{domain}", domain, False, "domain")
        if address:
            return Identity(f"{self.source}:{address}", real or address, False, "person")
        name = _user_name(person) or "unknown"
        return Identity(f"{self.source}:user:{name}", real or name, False, "person")

    def person(self, user: Mapping[str, Any]) -> dict | None:
        """What RT knows about one requestor, for the store's people (None without an address)."""
        address = str(user.get("EmailAddress") or "").strip().lower()
        if not address:
            return None
        who = self.customer_for(user)
        return {"email": address, "name": " ".join(str(user.get("RealName") or "").split()),
                "language": language(str(user.get("Lang") or "")),
                "timezone": time_zone(str(user.get("Timezone") or "")),
                "organization": " ".join(str(user.get("Organization") or "").split()),
                "customer_id": who.customer_id, "configured": who.configured}

    def author(self, ref: Any, staff: frozenset[str]) -> str:
        """Engineers by their (mapped) RT name, customers by their email address."""
        u = _user(ref)
        name = _user_name(u)
        if name in staff:
            return self.engineers.get(name, name)
        return str(u.get("EmailAddress") or name)

    def status(self, rt_status: str) -> str:
        """The oncall status of an RT status (per source: `stalled` is on hold by us or waiting on the customer)."""
        return self.statuses.get(rt_status, rt_status)

    def event(self, txn: dict, text: str, staff: frozenset[str], files: list[dict] | None = None) -> dict | None:
        """One history transaction as an interchange event, or None for RT's own noise.

        *staff* holds the RT user names of engineers (privileged users); anyone
        else who writes is the customer. *files*: what was attached to it.
        """
        kind_of = txn.get("Type")
        creator = txn.get("Creator")
        name = _user_name(creator)
        base = {"id": f"rt:{self.source}:txn:{int(txn['id'])}", "at": _date(txn.get("Created")),
                "author": self.author(creator, staff), "meta": {"rt_txn": int(txn["id"]), "rt_type": kind_of}}
        if files:
            base["attachments"] = files
        if kind_of in ("Create", "Correspond"):
            if name in SYSTEM_USERS:
                return None
            direction = "out" if name in staff else "in"
            return {**base, "kind": "message", "direction": direction, "body": text, "channel": "email"}
        if kind_of == "Comment":
            return {**base, "kind": "note", "direction": "internal", "body": text, "channel": "note"}
        if kind_of == "Status":
            old, new = txn.get("OldValue") or "", txn.get("NewValue") or ""
            if name in SYSTEM_USERS and (old, new) == ("new", "open"):
                return None  # RT opens a ticket by itself on the first reply
            said = self.status(new)
            if new == "stalled" and said != "pending":
                said = "on hold"  # stalled means "on hold by us" in this RT: the case stays ours (open)
            return {**base, "kind": "status", "direction": "internal", "body": f"{said} (RT: {old} → {new})"}
        return None  # EmailRecord, CommentEmailRecord, Set, AddWatcher, AddLink, …

    def case(self, ticket: dict, history: list[dict], attachments: list[dict], staff: frozenset[str]) -> Pulled:
        """One ticket with its history and attachments: the case, its customer and the people on it."""
        tid = int(ticket["id"])
        requestors = [r for r in ticket.get("Requestor") or [] if isinstance(r, dict)]
        first = requestors[0] if requestors else {}
        who = self.customer_for(first) if first else Identity(f"{self.source}:unknown", "Unknown RT requestor",
                                                              False, "person")
        people = [p for r in requestors if (p := self.person(r)) is not None]
        by_txn: dict[int, list[dict]] = {}
        for att in attachments:
            if att.get("TransactionId"):
                by_txn.setdefault(int(_user(att["TransactionId"]).get("id") or att["TransactionId"]), []).append(att)
        events = []
        for txn in history:
            parts = by_txn.get(int(txn["id"]), [])
            ev = self.event(txn, transaction_text(parts), staff, transaction_files(self.source, parts))
            if ev is not None:
                events.append(ev)
        status = ticket.get("Status", "")
        if status not in self.statuses:
            raise RtError(f"RT ticket {tid}: unknown status {status!r} (custom lifecycle?)")
        owner = _user_name(ticket.get("Owner"))
        case = {"id": f"{self.case_prefix}-{tid}", "customer": who.customer_id,
                "subject": ticket.get("Subject") or "", "status": self.status(status),
                "opened_at": _date(ticket.get("Created")), "external_ref": f"rt:{tid}", "events": events}
        if owner and owner not in SYSTEM_USERS:
            case["assignee"] = self.engineers.get(owner, owner)
        requestor = str(first.get("EmailAddress") or "").strip().lower() if first else ""
        return Pulled(case, who, people, requestor)


def build_document(pulled: list[Pulled]) -> dict:
    """Interchange document; only requestors no mapping knows get a customer record of their own.

    The record holds the id and the name only: language, time zone and
    addresses come from the people (refreshed on each sync), and what
    engineers set (tier, owner, facts) is never touched.
    """
    customers: dict[str, dict] = {}
    for p in pulled:
        if not p.customer.configured:  # a configured customer lives in the store already, with its real name
            customers.setdefault(p.customer.customer_id, {"id": p.customer.customer_id, "name": p.customer.name})
    return {"customers": list(customers.values()), "cases": [p.case for p in pulled]}


def people_of(pulled: list[Pulled]) -> list[dict]:
    """Every requestor of *pulled*, once (the latest ticket's view of them wins)."""
    seen: dict[str, dict] = {}
    for p in pulled:
        for person in p.people:
            seen[person["email"]] = person
    return list(seen.values())


def ticket_query(queues: tuple[str, ...], cursor: Cursor | None) -> str:
    """TicketSQL for the followed queues, widened by a day around the cursor (see rt.py's module doc)."""
    def quote(v: str) -> str:
        return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"
    query = "(" + " OR ".join(f"Queue = {quote(q)}" for q in queues) + ")"
    if cursor is not None:
        since = parse_ts(cursor.last_updated) - CURSOR_MARGIN
        query += f" AND LastUpdated > {quote(since.strftime('%Y-%m-%d %H:%M:%S'))}"
    return query
