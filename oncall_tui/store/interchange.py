"""The interchange format's meaning: records checked one by one, rules across records, rows for the store.

`parse(item)` checks one record against its declared model
(`import_schema`), plus what a model cannot see (lone surrogates, free-form
objects, duplicate assets inside a customer), and turns a good record into
normalised rows. `Checker` adds the rules that need the whole document and
the store: duplicate customer, case and incident ids, references to
customers and incidents defined elsewhere, and event ids seen with other
content (in the store, or twice in the document). Every problem is a line
"path: reason" (e.g. ``cases[3].events[0].direction: 'sideways' is not one of
in|out|internal``); the importer writes nothing unless there are none.

`validate(doc)` runs all of it on a document in memory and returns every
row, for tests and tools that want the normalised records.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Protocol

from pydantic import ValidationError

from ..core.text import fold
from . import import_schema as schema
from .import_ledger import Ledger
from .import_problems import (
    Problems,
    describe,
    from_validation,
    join,
    json_value,
    lone_surrogate,
    shown,
    text_fields,
)
from .import_reader import Item, Repeated, document_items, record_path
from .import_schema import TimeWindow

#: The columns of an event that make its content: the same id with other values is a conflict.
EVENT_CONTENT = ("case_id", "customer_id", "incident_id", "at", "kind", "direction", "author", "author_region",
                 "channel", "body", "meta")
CONFLICT_POLICIES = ("refuse", "keep")


@dataclass
class Document:
    """Normalised rows for the store (all of a document's, or one record's)."""

    customers: list[dict] = field(default_factory=list)
    assets: list[dict] = field(default_factory=list)
    engineers: list[dict] = field(default_factory=list)
    incidents: list[dict] = field(default_factory=list)
    cases: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    handoffs: list[dict] = field(default_factory=list)
    acks: list[dict] = field(default_factory=list)
    attachments: list[dict] = field(default_factory=list)
    #: For each row of `events`: where it is in the document, and whether its id was given.
    event_places: list["EventPlace"] = field(default_factory=list)

    def size(self) -> int:
        """How many rows, all tables together."""
        return (len(self.customers) + len(self.assets) + len(self.engineers) + len(self.incidents) + len(self.cases)
                + len(self.events) + len(self.handoffs) + len(self.acks) + len(self.attachments))

    def extend(self, other: "Document") -> None:
        for name in ("customers", "assets", "engineers", "incidents", "cases", "events", "handoffs", "acks",
                     "attachments", "event_places"):
            getattr(self, name).extend(getattr(other, name))


class EventPlace:
    """Where an event is in the document (its path is only spelled out for a problem)."""

    __slots__ = ("container", "index", "explicit")

    def __init__(self, container: str, index: int | None, explicit: bool) -> None:
        self.container = container
        self.index = index
        self.explicit = explicit  # its id was given (not derived from its content)

    @property
    def path(self) -> str:
        return self.container if self.index is None else f"{self.container}.events[{self.index}]"

    @property
    def id_path(self) -> str:
        """Where to point at the id: the `id` field when given, the event itself when derived."""
        return self.path + ".id" if self.explicit else self.path


def event_id(case_id: str, at: str, kind: str, direction: str, author: str, body: str) -> str:
    """A stable id for an event that came without one, so re-imports deduplicate."""
    text = "\x1f".join((case_id, at, kind, direction, author, body))
    return "h-" + hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def content_digest(row: dict) -> bytes:
    """A digest of an event's content (EVENT_CONTENT), to compare two events with the same id."""
    text = "\x1f".join("\x00" if row[k] is None else row[k] for k in EVENT_CONTENT)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


# -- one record -----------------------------------------------------------------------------

def parse(item: Item, window: TimeWindow | None) -> tuple[Document | None, list[str]]:
    """(rows, []) for a good record, (None, problems) for a bad one."""
    key, value = item.key, item.value
    if not isinstance(key, str) or (key not in schema.SECTIONS and key not in schema.SCALARS):
        return None, [f"{join('document', key)}: unknown field"]
    if isinstance(value, Repeated):
        return None, [f"{join('document', key)}: given twice (readers disagree on which one counts); keep one"]
    if key in schema.SCALARS:
        if item.index is not None:  # "format": [...]
            return None, [f"{join('document', key)}: expected a string, got a list"]
        try:
            schema.SCALARS[key].validate_python(value, context={"window": window})
        except ValidationError as exc:
            return None, from_validation(exc, join("document", key))
        problems = text_fields(value, join("document", key)) if item.suspect else []
        return (None if problems else Document()), problems
    if item.index is None:
        if value is None:
            return Document(), []
        return None, [f"{join('document', key)}: expected a list, got {describe(value)}"]
    path = record_path(key, item.index)
    model = schema.SECTIONS[key]
    problems: list[str] = []
    record = None
    try:
        record = model.model_validate(value, context={"window": window})
    except ValidationError as exc:
        problems.extend(from_validation(exc, path))
    for obj, where in _free_forms(key, value, path):
        problems.extend(json_value(obj, where))
    if item.suspect:
        problems.extend(text_fields(value, path))
    if record is not None and key == "customers":
        problems.extend(_duplicate_assets(record, path))
    if problems or record is None:
        return None, problems
    return _rows(key, record, path), []


def _free_forms(key: str, value: Any, path: str) -> Iterable[tuple[Any, str]]:
    """Each free-form object (an event's meta, an incident's scope) of a raw record, with its path."""
    if not isinstance(value, dict):
        return
    if key == "incidents" and isinstance(value.get("scope"), dict) and value["scope"]:
        yield value["scope"], join(path, "scope")
    if key == "events":
        if isinstance(value.get("meta"), dict) and value["meta"]:
            yield value["meta"], join(path, "meta")
        return
    events = value.get("events")
    for i, event in enumerate(events if isinstance(events, list) else ()):
        if isinstance(event, dict) and isinstance(event.get("meta"), dict) and event["meta"]:
            yield event["meta"], join(path, "events", i, "meta")


def _duplicate_assets(customer: schema.Customer, path: str) -> list[str]:
    seen: set[tuple[str, str]] = set()
    problems = []
    for j, asset in enumerate(customer.assets or ()):
        if (asset.kind, asset.name) in seen:
            problems.append(f"{join(path, 'assets', j, 'name')}: duplicate {asset.kind} {shown(asset.name)} "
                            f"for customer {shown(customer.id)}")
        seen.add((asset.kind, asset.name))
    return problems


# -- rows for the store -----------------------------------------------------------------

def _rows(key: str, rec: Any, path: str) -> Document:
    out = Document()
    if key == "customers":
        given = rec.model_fields_set
        # None = "not in this document": the store's value is kept (a new customer gets the default),
        # so a helpdesk that knows a name but not a tier never resets what the team set.
        out.customers.append({
            "id": rec.id, "name": rec.name,
            "language": (rec.language or "en") if "language" in given else None,
            "timezone": (rec.timezone or "UTC") if "timezone" in given else None,
            "tier": (rec.tier or "standard") if "tier" in given else None,
            "owner": (rec.owner or "") if "owner" in given else None,
            "emails": json.dumps(rec.emails or [], ensure_ascii=False) if "emails" in given else None,
            "facts": (rec.facts or "") if "facts" in given else None,
        })
        for a in rec.assets or ():
            out.assets.append({"customer_id": rec.id, "kind": a.kind, "name": a.name, "ipv4": a.ipv4 or "",
                               "ipv6": a.ipv6 or "", "datacenter": a.datacenter or "", "server": a.server or "",
                               "webroot": a.webroot or ""})
        # Customer-level events (fact revisions): no case, the customer's own history.
        _events(out, rec.events, path, case_id=None, customer_id=rec.id, incident_id=None)
    elif key == "engineers":
        out.engineers.append({"name": rec.name, "region": rec.region or "", "city": rec.city or "",
                              "timezone": rec.timezone or "UTC"})
    elif key == "incidents":
        out.incidents.append({
            "id": rec.id, "title": rec.title, "scope": json.dumps(rec.scope or {}, ensure_ascii=False, sort_keys=True),
            "status": rec.status or "investigating", "opened_at": rec.opened_at, "opened_by": rec.opened_by or "",
            "resolved_at": rec.resolved_at, "last_update_at": rec.last_update_at,
        })
        _events(out, rec.events, path, case_id=None, customer_id=None, incident_id=rec.id)
    elif key == "cases":
        given = rec.model_fields_set
        out.cases.append({
            "id": rec.id, "customer_id": rec.customer, "subject": rec.subject, "status": rec.status,
            "opened_at": rec.opened_at, "assignee": rec.assignee or "",
            "summary": (rec.summary or "") if "summary" in given else None,
            "external_ref": rec.external_ref or "", "incident_id": rec.incident or None,
            # Absent (a helpdesk sync knows nothing of incidents) = keep the store's link.
            "incident_given": "incident" in given,
        })
        _events(out, rec.events, path, case_id=rec.id, customer_id=rec.customer, incident_id=None)
    elif key == "handoffs":
        out.handoffs.append({"id": rec.id, "author": rec.author, "region": rec.region or "", "at": rec.at,
                             "body": rec.body or "", "case_ids": json.dumps(rec.case_ids or [])})
        for ack in rec.acks or ():
            out.acks.append({"handoff_id": rec.id, "case_id": ack.case_id, "engineer": ack.engineer, "at": ack.at})
        # Events about the handoff itself (its webhook post), attached to no case.
        _events(out, rec.events, path, case_id=None, customer_id=None, incident_id=None)
    else:  # a top-level event: attached to nothing
        _event(out, rec, path, case_id=None, customer_id=None, incident_id=None)
    return out


def _events(out: Document, events, path: str, **where) -> None:
    for j, ev in enumerate(events or ()):
        _event(out, ev, path, j, **where)


def _event(out: Document, ev: schema.Event, path: str, index: int | None = None, *, case_id, customer_id,
           incident_id) -> None:
    if case_id is not None:
        incident_id = getattr(ev, "incident", None) or None  # a case event also filed under an incident
    eid = ev.id or event_id(case_id or incident_id or customer_id or "", ev.at, ev.kind, ev.direction, ev.author,
                            ev.body)
    out.events.append({
        "id": eid, "case_id": case_id, "customer_id": customer_id, "incident_id": incident_id,
        "at": ev.at, "kind": ev.kind, "direction": ev.direction, "author": ev.author,
        "author_region": ev.author_region or "", "channel": ev.channel or "", "body": ev.body,
        "meta": json.dumps(ev.meta, ensure_ascii=False, sort_keys=True) if ev.meta else "{}",
    })
    out.event_places.append(EventPlace(path, index, bool(ev.id)))
    for position, att in enumerate(ev.attachments or ()):
        out.attachments.append({"event_id": eid, "position": position, "name": att.name, "name_folded": fold(att.name),
                                "content_type": att.type or "", "size": att.size or 0, "ref": att.ref or ""})


# -- rules across records ------------------------------------------------------------------

class Known(Protocol):
    """What the store already holds, as the checks need it."""

    def has(self, kind: str, key: str) -> bool: ...

    def events(self, ids: list[str]) -> dict[str, tuple]: ...


@dataclass
class KnownSets:
    """`Known` from plain sets (a document checked without a store)."""

    customers: set[str] = field(default_factory=set)
    incidents: set[str] = field(default_factory=set)

    def has(self, kind: str, key: str) -> bool:
        return key in (self.customers if kind == "customer" else self.incidents)

    def events(self, ids: list[str]) -> dict[str, tuple]:
        return {}


_UNIQUE = {"customers": "customer", "cases": "case", "incidents": "incident"}
_BATCH = 500


class Checker:
    """Checks a document item by item (pass one of an import); every problem goes to `problems`."""

    def __init__(self, ledger: Ledger, known: Known, *, window: TimeWindow | None, on_conflict: str = "refuse",
                 problems: Problems | None = None) -> None:
        if on_conflict not in CONFLICT_POLICIES:
            raise ValueError(f"on_conflict: {on_conflict!r} is not one of {'|'.join(CONFLICT_POLICIES)}")
        self.ledger = ledger
        self.known = known
        self.window = window
        self.on_conflict = on_conflict
        self.problems = problems if problems is not None else Problems()
        self._pending: list[tuple[dict, EventPlace]] = []  # new events to compare with the store

    def check(self, item: Item) -> Document | None:
        rows, problems = parse(item, self.window)
        self.problems.extend(problems)
        if item.index is not None and item.key in _UNIQUE:
            self._unique(item)
        if rows is None:
            return None
        for case in rows.cases:
            self.ledger.refer("customer", case["customer_id"], join(record_path("cases", item.index), "customer"))
            if case["incident_id"]:
                self.ledger.refer("incident", case["incident_id"], join(record_path("cases", item.index), "incident"))
        for row, place in zip(rows.events, rows.event_places):
            if row["case_id"] is not None and row["incident_id"]:
                self.ledger.refer("incident", row["incident_id"], join(place.path, "incident"))
            self._event(row, place)
        return rows

    def _unique(self, item: Item) -> None:
        value = item.value
        key = value.get("id") if isinstance(value, dict) else None
        if not isinstance(key, str) or not key.strip() or lone_surrogate(key) is not None:
            return
        kind = _UNIQUE[item.key]
        path = record_path(item.key, item.index)
        first = self.ledger.first(kind, key, path)
        if first is not None:
            self.problems.add(f"{path}.id: duplicate {kind} id {shown(key)} (also {first})")

    def _event(self, row: dict, place: EventPlace) -> None:
        # The ledger keeps where each event id was seen first: spelled out once per event, a
        # small cost next to decoding it (and needed: the first place names itself in a conflict).
        state, first = self.ledger.event(row["id"], content_digest(row), place.path)
        if state == "other" and self.on_conflict == "refuse":
            what = (f"event {shown(row['id'])} is also at {first}" if place.explicit else
                    f"an event with the same time, kind, direction, author and body is also at {first}")
            self.problems.add(f"{place.id_path}: {what}, with other content; give each its own id, or keep "
                              "the first one (oncall import --on-conflict keep)")
        elif state == "new" and self.on_conflict == "refuse":
            self._pending.append((row, place))
            if len(self._pending) >= _BATCH:
                self._compare_with_store()

    def _compare_with_store(self) -> None:
        pending, self._pending = self._pending, []
        stored = self.known.events([row["id"] for row, _ in pending])
        for row, place in pending:
            if row["id"] in stored:
                problem = conflict(row, stored[row["id"]], place)
                if problem:
                    self.problems.add(problem)

    def finish(self) -> Problems:
        """Resolve what needed the whole document; the problems, all of them."""
        self._compare_with_store()
        for kind, key, path in self.ledger.unresolved():
            if not self.known.has(kind, key):
                self.problems.add(f"{path}: unknown {kind} {shown(key)} (not in this file nor in the store)")
        return self.problems


def conflict(row: dict, stored: tuple, place: EventPlace) -> str | None:
    """The problem line when *row* differs from the *stored* event with its id (None when they agree)."""
    differ = [name for name, value in zip(EVENT_CONTENT, stored) if row[name] != value]
    if not differ:
        return None
    what = (f"event {shown(row['id'])}" if place.explicit else
            "an event with the same time, kind, direction, author and body")
    return (f"{place.id_path}: {what} is already in the store with another "
            f"{', '.join(differ)}; the history is append-only: fix the file, or keep the stored event "
            "(oncall import --on-conflict keep)")


def validate(doc: Any, *, known_customers: Iterable[str] = (), known_incidents: Iterable[str] = (),
             window: TimeWindow | None = None) -> Document:
    """Check *doc* (in memory) against the format; every row, or InvalidDocument listing every problem."""
    out = Document()
    with Ledger() as ledger:
        checker = Checker(ledger, KnownSets(set(known_customers), set(known_incidents)), window=window)
        for item in document_items(doc):
            rows = checker.check(item)
            if rows is not None:
                out.extend(rows)
        checker.finish().raise_if_any()
    return out
