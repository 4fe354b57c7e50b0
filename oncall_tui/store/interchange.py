"""The interchange format: validation of a whole document before anything is written.

`validate(doc)` walks the document once, collects *every* problem as
"path: reason" (e.g. ``cases[3].events[0].direction: 'sideways' is not one of
in|out|internal``) and returns normalised records. The importer writes nothing
unless the list of problems is empty, so an import is all or nothing.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from ..core.errors import InvalidDocument
from ..core.model import CHANNELS, DIRECTIONS, EVENT_KINDS, STATUSES, TIERS
from ..core.timeutil import format_ts, parse_ts

ASSET_KINDS = ("server", "domain", "database")
TOP_LEVEL_KEYS = {"format", "exported_at", "customers", "cases", "engineers", "incidents", "handoffs",
                  "events"}
INCIDENT_STATUSES = ("investigating", "identified", "monitoring", "resolved")


@dataclass
class Document:
    """A validated document, normalised for the store."""

    customers: list[dict] = field(default_factory=list)
    assets: list[dict] = field(default_factory=list)
    engineers: list[dict] = field(default_factory=list)
    incidents: list[dict] = field(default_factory=list)
    cases: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    handoffs: list[dict] = field(default_factory=list)
    acks: list[dict] = field(default_factory=list)


def event_id(case_id: str, at: str, kind: str, direction: str, author: str, body: str) -> str:
    """A stable id for an event that came without one, so re-imports deduplicate."""
    digest = hashlib.sha1("\x1f".join((case_id, at, kind, direction, author, body)).encode()).hexdigest()
    return "h-" + digest[:20]


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: str, reason: str) -> None:
        self.problems.append(f"{path}: {reason}")

    def obj(self, value: Any, path: str) -> dict | None:
        if not isinstance(value, dict):
            self.fail(path, f"expected an object, got {_type(value)}")
            return None
        return value

    def string(self, rec: dict, key: str, path: str, *, required: bool = False,
               default: str = "", allow_empty: bool = True) -> str:
        if key not in rec or rec[key] is None:
            if required:
                self.fail(f"{path}.{key}", "missing (required)")
            return default
        value = rec[key]
        if not isinstance(value, str):
            self.fail(f"{path}.{key}", f"expected a string, got {_type(value)}")
            return default
        if required and not allow_empty and not value.strip():
            self.fail(f"{path}.{key}", "must not be empty")
        return value

    def enum(self, rec: dict, key: str, path: str, choices: tuple[str, ...], *,
             required: bool = False, default: str = "") -> str:
        value = self.string(rec, key, path, required=required, default=default)
        if (key in rec and rec[key] is not None and isinstance(rec[key], str)) and value not in choices:
            self.fail(f"{path}.{key}", f"{value!r} is not one of {'|'.join(choices)}")
        return value

    def timestamp(self, rec: dict, key: str, path: str, *, required: bool = False) -> str | None:
        if key not in rec or rec[key] is None:
            if required:
                self.fail(f"{path}.{key}", "missing (required)")
            return None
        try:
            return format_ts(parse_ts(rec[key]))
        except ValueError as exc:
            self.fail(f"{path}.{key}", str(exc))
            return None

    def array(self, rec: dict, key: str, path: str) -> list:
        value = rec.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(f"{path}.{key}", f"expected a list, got {_type(value)}")
            return []
        return value

    def unknown_keys(self, rec: dict, allowed: set[str], path: str) -> None:
        for key in rec:
            if key not in allowed:
                self.fail(f"{path}.{key}", "unknown field")


def _type(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            int: "a number", float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


CUSTOMER_KEYS = {"id", "name", "language", "timezone", "tier", "owner", "emails", "facts", "assets", "events"}
ASSET_KEYS = {"kind", "name", "ipv4", "ipv6", "datacenter", "server", "webroot"}
CASE_KEYS = {"id", "customer", "subject", "status", "opened_at", "assignee", "summary",
             "external_ref", "incident", "events"}
EVENT_KEYS = {"id", "at", "kind", "direction", "author", "author_region", "body", "channel", "meta", "incident"}
ENGINEER_KEYS = {"name", "region", "city", "timezone"}
INCIDENT_KEYS = {"id", "title", "scope", "status", "opened_at", "opened_by", "resolved_at",
                 "last_update_at", "events"}
HANDOFF_KEYS = {"id", "author", "region", "at", "body", "case_ids", "acks", "events"}


def validate(doc: Any, *, known_customers: set[str] = frozenset(),
             known_incidents: set[str] = frozenset()) -> Document:
    """Check *doc* against the interchange format; raise InvalidDocument listing every problem."""
    c = _Checker()
    out = Document()
    if not isinstance(doc, dict):
        raise InvalidDocument([f"document: expected a JSON object with 'customers' and 'cases', got {_type(doc)}"])
    c.unknown_keys(doc, TOP_LEVEL_KEYS, "document")

    customer_ids: set[str] = set()
    for i, raw in enumerate(c.array(doc, "customers", "document")):
        path = f"customers[{i}]"
        rec = c.obj(raw, path)
        if rec is None:
            continue
        c.unknown_keys(rec, CUSTOMER_KEYS, path)
        cid = c.string(rec, "id", path, required=True, allow_empty=False)
        if cid in customer_ids:
            c.fail(f"{path}.id", f"duplicate customer id {cid!r}")
        customer_ids.add(cid)
        tz = c.string(rec, "timezone", path, default="UTC")
        try:
            ZoneInfo(tz)
        except Exception:
            c.fail(f"{path}.timezone", f"{tz!r} is not a known IANA time zone (e.g. Europe/Paris)")
        emails = c.array(rec, "emails", path)
        if not all(isinstance(e, str) for e in emails):
            c.fail(f"{path}.emails", "expected a list of strings")
        out.customers.append({
            "id": cid,
            "name": c.string(rec, "name", path, required=True, allow_empty=False),
            "language": c.string(rec, "language", path, default="en") or "en",
            "timezone": tz,
            "tier": c.enum(rec, "tier", path, TIERS, default="standard") or "standard",
            "owner": c.string(rec, "owner", path),
            "emails": json.dumps(emails, ensure_ascii=False),
            # None = "not in this document": keep what engineers wrote in the tool.
            "facts": c.string(rec, "facts", path) if "facts" in rec else None,
        })
        seen_assets: set[tuple[str, str]] = set()
        for j, raw_asset in enumerate(c.array(rec, "assets", path)):
            apath = f"{path}.assets[{j}]"
            asset = c.obj(raw_asset, apath)
            if asset is None:
                continue
            c.unknown_keys(asset, ASSET_KEYS, apath)
            kind = c.enum(asset, "kind", apath, ASSET_KINDS, required=True)
            name = c.string(asset, "name", apath, required=True, allow_empty=False)
            if (kind, name) in seen_assets:
                c.fail(f"{apath}.name", f"duplicate {kind} {name!r} for customer {cid!r}")
            seen_assets.add((kind, name))
            ipv4 = c.string(asset, "ipv4", apath)
            ipv6 = c.string(asset, "ipv6", apath)
            for key, value, version in (("ipv4", ipv4, 4), ("ipv6", ipv6, 6)):
                for addr in filter(None, (a.strip() for a in value.split(","))):
                    try:
                        if ipaddress.ip_address(addr).version != version:
                            raise ValueError
                    except ValueError:
                        c.fail(f"{apath}.{key}", f"{addr!r} is not an IPv{version} address")
            out.assets.append({
                "customer_id": cid, "kind": kind, "name": name, "ipv4": ipv4, "ipv6": ipv6,
                "datacenter": c.string(asset, "datacenter", apath),
                "server": c.string(asset, "server", apath),
                "webroot": c.string(asset, "webroot", apath),
            })
        # Customer-level events (fact revisions): no case, the customer's own history.
        for j, raw_event in enumerate(c.array(rec, "events", path)):
            _event(c, out, raw_event, f"{path}.events[{j}]", case_id=None, customer_id=cid, incident_id=None)

    for i, raw in enumerate(c.array(doc, "engineers", "document")):
        path = f"engineers[{i}]"
        rec = c.obj(raw, path)
        if rec is None:
            continue
        c.unknown_keys(rec, ENGINEER_KEYS, path)
        out.engineers.append({
            "name": c.string(rec, "name", path, required=True, allow_empty=False),
            "region": c.string(rec, "region", path), "city": c.string(rec, "city", path),
            "timezone": c.string(rec, "timezone", path, default="UTC") or "UTC",
        })

    incident_ids: set[str] = set()
    for i, raw in enumerate(c.array(doc, "incidents", "document")):
        path = f"incidents[{i}]"
        rec = c.obj(raw, path)
        if rec is None:
            continue
        c.unknown_keys(rec, INCIDENT_KEYS, path)
        iid = c.string(rec, "id", path, required=True, allow_empty=False)
        if iid in incident_ids:
            c.fail(f"{path}.id", f"duplicate incident id {iid!r}")
        incident_ids.add(iid)
        scope = rec.get("scope", {})
        if not isinstance(scope, dict):
            c.fail(f"{path}.scope", f"expected an object, got {_type(scope)}")
            scope = {}
        out.incidents.append({
            "id": iid, "title": c.string(rec, "title", path, required=True, allow_empty=False),
            "scope": json.dumps(scope, ensure_ascii=False, sort_keys=True),
            "status": c.enum(rec, "status", path, INCIDENT_STATUSES, default="investigating") or "investigating",
            "opened_at": c.timestamp(rec, "opened_at", path, required=True),
            "opened_by": c.string(rec, "opened_by", path),
            "resolved_at": c.timestamp(rec, "resolved_at", path),
            "last_update_at": c.timestamp(rec, "last_update_at", path),
        })
        for j, raw_event in enumerate(c.array(rec, "events", path)):
            _event(c, out, raw_event, f"{path}.events[{j}]", case_id=None, customer_id=None, incident_id=iid)

    all_customers = customer_ids | set(known_customers)
    all_incidents = incident_ids | set(known_incidents)
    case_ids: set[str] = set()
    for i, raw in enumerate(c.array(doc, "cases", "document")):
        path = f"cases[{i}]"
        rec = c.obj(raw, path)
        if rec is None:
            continue
        c.unknown_keys(rec, CASE_KEYS, path)
        case_id = c.string(rec, "id", path, required=True, allow_empty=False)
        if case_id in case_ids:
            c.fail(f"{path}.id", f"duplicate case id {case_id!r}")
        case_ids.add(case_id)
        customer = c.string(rec, "customer", path, required=True, allow_empty=False)
        if customer and customer not in all_customers:
            c.fail(f"{path}.customer", f"unknown customer {customer!r} (not in this file nor in the store)")
        incident = c.string(rec, "incident", path) or None
        if incident and incident not in all_incidents:
            c.fail(f"{path}.incident", f"unknown incident {incident!r}")
        out.cases.append({
            "id": case_id, "customer_id": customer,
            "subject": c.string(rec, "subject", path, required=True),
            "status": c.enum(rec, "status", path, STATUSES, required=True),
            "opened_at": c.timestamp(rec, "opened_at", path, required=True),
            "assignee": c.string(rec, "assignee", path),
            "summary": c.string(rec, "summary", path) if "summary" in rec else None,
            "external_ref": c.string(rec, "external_ref", path),
            "incident_id": incident,
            # Absent (a helpdesk sync knows nothing of incidents) = keep the store's link.
            "incident_given": "incident" in rec,
        })
        for j, raw_event in enumerate(c.array(rec, "events", path)):
            _event(c, out, raw_event, f"{path}.events[{j}]", case_id=case_id, customer_id=customer,
                   incident_id=None)

    for i, raw in enumerate(c.array(doc, "handoffs", "document")):
        path = f"handoffs[{i}]"
        rec = c.obj(raw, path)
        if rec is None:
            continue
        c.unknown_keys(rec, HANDOFF_KEYS, path)
        hid = c.string(rec, "id", path, required=True, allow_empty=False)
        ids = c.array(rec, "case_ids", path)
        out.handoffs.append({
            "id": hid, "author": c.string(rec, "author", path, required=True),
            "region": c.string(rec, "region", path), "at": c.timestamp(rec, "at", path, required=True),
            "body": c.string(rec, "body", path), "case_ids": json.dumps(ids),
        })
        for j, ack in enumerate(c.array(rec, "acks", path)):
            apath = f"{path}.acks[{j}]"
            a = c.obj(ack, apath)
            if a is None:
                continue
            out.acks.append({"handoff_id": hid, "case_id": c.string(a, "case_id", apath, required=True),
                             "engineer": c.string(a, "engineer", apath, required=True),
                             "at": c.timestamp(a, "at", apath, required=True)})
        # Events about the handoff itself (its webhook post), attached to no case.
        for j, raw_event in enumerate(c.array(rec, "events", path)):
            _event(c, out, raw_event, f"{path}.events[{j}]", case_id=None, customer_id=None, incident_id=None)

    for i, raw_event in enumerate(c.array(doc, "events", "document")):
        _event(c, out, raw_event, f"events[{i}]", case_id=None, customer_id=None, incident_id=None)

    seen_events: set[str] = set()
    for ev in out.events:
        if ev["id"] in seen_events and ev.get("_explicit_id"):
            c.fail(ev["_path"] + ".id", f"duplicate event id {ev['id']!r}")
        seen_events.add(ev["id"])
    if c.problems:
        raise InvalidDocument(c.problems)
    for ev in out.events:
        ev.pop("_path"), ev.pop("_explicit_id")
    return out


def _event(c: _Checker, out: Document, raw: Any, path: str, *, case_id: str | None,
           customer_id: str | None, incident_id: str | None) -> None:
    rec = c.obj(raw, path)
    if rec is None:
        return
    c.unknown_keys(rec, EVENT_KEYS, path)
    at = c.timestamp(rec, "at", path, required=True)
    kind = c.enum(rec, "kind", path, EVENT_KINDS, required=True)
    direction = c.enum(rec, "direction", path, DIRECTIONS, required=True)
    author = c.string(rec, "author", path, required=True)
    body = c.string(rec, "body", path, required=True)
    channel = c.enum(rec, "channel", path, CHANNELS, default="")
    meta = rec.get("meta", {})
    if not isinstance(meta, dict):
        c.fail(f"{path}.meta", f"expected an object, got {_type(meta)}")
        meta = {}
    if case_id is not None and rec.get("incident") is not None:
        # A case event also filed under an incident.
        incident_id = c.string(rec, "incident", path) or None
    elif rec.get("incident") is not None:
        c.fail(f"{path}.incident", "only a case's events may name an incident")
    explicit = c.string(rec, "id", path)
    eid = explicit or event_id(case_id or incident_id or customer_id or "", at or "", kind, direction, author, body)
    out.events.append({
        "id": eid, "case_id": case_id, "customer_id": customer_id, "incident_id": incident_id,
        "at": at, "kind": kind, "direction": direction, "author": author,
        "author_region": c.string(rec, "author_region", path), "channel": channel, "body": body,
        "meta": json.dumps(meta, ensure_ascii=False, sort_keys=True),
        "_path": path, "_explicit_id": bool(explicit),
    })
