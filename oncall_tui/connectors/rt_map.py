"""RT REST2 records (tickets, transactions) mapped to the interchange format, and the sync cursor."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..core.timeutil import format_ts, parse_ts

#: RT status → oncall status.
STATUS_FROM_RT = {"new": "new", "open": "open", "stalled": "pending", "resolved": "resolved",
                  "rejected": "closed", "deleted": "closed"}
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
    """The readable text of one transaction from its attachments (text/plain first)."""
    for wanted in ("text/plain", "text/html"):
        for att in attachments:
            if (att.get("ContentType") or "").lower() == wanted and (att.get("Content") or "").strip():
                text = att["Content"]
                if wanted == "text/html":
                    text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"(?i)<br\s*/?>|</p>", "\n", text)))
                return text.strip("\n")
    return ""


@dataclass(frozen=True)
class Mapper:
    """Pure translation of REST2 records into interchange dicts for one RT source."""

    source: str = "main"
    case_prefix: str = "RT"
    customer_domains: Mapping[str, str] = field(default_factory=dict)
    customer_emails: Mapping[str, str] = field(default_factory=dict)
    engineers: Mapping[str, str] = field(default_factory=dict)

    def customer_for(self, address: str) -> tuple[str, bool]:
        """(customer id, configured?) for a requestor address; unknown domains get their own customer."""
        address = address.strip().lower()
        if address in self.customer_emails:
            return self.customer_emails[address], True
        domain = address.rpartition("@")[2]
        if domain in self.customer_domains:
            return self.customer_domains[domain], True
        return f"{self.source}:{domain or 'unknown'}", False

    def author(self, ref: Any, staff: frozenset[str]) -> str:
        """Engineers by their (mapped) RT name, customers by their email address."""
        u = _user(ref)
        name = _user_name(u)
        if name in staff:
            return self.engineers.get(name, name)
        return str(u.get("EmailAddress") or name)

    def event(self, txn: dict, text: str, staff: frozenset[str]) -> dict | None:
        """One history transaction as an interchange event, or None for RT's own noise.

        *staff* holds the RT user names of engineers (privileged users); anyone
        else who writes is the customer.
        """
        kind_of = txn.get("Type")
        creator = txn.get("Creator")
        name = _user_name(creator)
        base = {"id": f"rt:{self.source}:txn:{int(txn['id'])}", "at": _date(txn.get("Created")),
                "author": self.author(creator, staff), "meta": {"rt_txn": int(txn["id"]), "rt_type": kind_of}}
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
            return {**base, "kind": "status", "direction": "internal",
                    "body": f"{STATUS_FROM_RT.get(new, new)} (RT: {old} → {new})"}
        return None  # EmailRecord, CommentEmailRecord, Set, AddWatcher, AddLink, …

    def case(self, ticket: dict, history: list[dict], attachments: list[dict],
             staff: frozenset[str]) -> tuple[dict, dict]:
        """(case, customer record) for one ticket with its history and attachments."""
        tid = int(ticket["id"])
        requestors = [r for r in ticket.get("Requestor") or [] if isinstance(r, dict)]
        address = str((requestors[0].get("EmailAddress") or requestors[0].get("id")) if requestors else "")
        customer_id, configured = self.customer_for(address)
        customer = {"id": customer_id, "configured": configured,
                    "name": address.rpartition("@")[2] or "Unknown RT requestor",
                    "emails": sorted({str(r.get("EmailAddress") or r.get("id")).lower() for r in requestors})}
        by_txn: dict[int, list[dict]] = {}
        for att in attachments:
            if att.get("TransactionId"):
                by_txn.setdefault(int(_user(att["TransactionId"]).get("id") or att["TransactionId"]), []).append(att)
        events = [ev for txn in history
                  if (ev := self.event(txn, transaction_text(by_txn.get(int(txn["id"]), [])), staff)) is not None]
        status = ticket.get("Status", "")
        if status not in STATUS_FROM_RT:
            raise RtError(f"RT ticket {tid}: unknown status {status!r} (custom lifecycle?)")
        owner = _user_name(ticket.get("Owner"))
        case = {"id": f"{self.case_prefix}-{tid}", "customer": customer_id,
                "subject": ticket.get("Subject") or "", "status": STATUS_FROM_RT[status],
                "opened_at": _date(ticket.get("Created")), "external_ref": f"rt:{tid}", "events": events}
        if owner and owner not in SYSTEM_USERS:
            case["assignee"] = self.engineers.get(owner, owner)
        return case, customer


def build_document(cases: list[tuple[dict, dict]]) -> dict:
    """Interchange document; only requestors no mapping knows get a customer record of their own."""
    customers: dict[str, dict] = {}
    for _, cust in cases:
        if cust["configured"]:
            continue  # a configured customer lives in the store already, with its real name
        rec = customers.setdefault(cust["id"], {"id": cust["id"], "name": cust["name"], "emails": []})
        rec["emails"] = sorted(set(rec["emails"]) | set(cust["emails"]))
    return {"customers": list(customers.values()), "cases": [case for case, _ in cases]}


def ticket_query(queues: tuple[str, ...], cursor: Cursor | None) -> str:
    """TicketSQL for the followed queues, widened by a day around the cursor (see rt.py's module doc)."""
    def quote(v: str) -> str:
        return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"
    query = "(" + " OR ".join(f"Queue = {quote(q)}" for q in queues) + ")"
    if cursor is not None:
        since = parse_ts(cursor.last_updated) - CURSOR_MARGIN
        query += f" AND LastUpdated > {quote(since.strftime('%Y-%m-%d %H:%M:%S'))}"
    return query
