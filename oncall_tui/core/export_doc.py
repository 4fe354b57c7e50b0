"""The export, as data: the interchange document (JSON that re-imports), CSV tables for spreadsheets.

An `Export` holds the selected records as plain rows (read by the store);
`to_document`/`dump_json` turn them into the interchange format (what
`oncall import` reads back, byte-identical on a second export), `csv_tables`
into one table per store table (a text cell that a spreadsheet would run as a
formula gets a leading `'`); `export_md.markdown_dossiers` makes readable
per-customer dossiers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

FORMAT = "oncall-tui/1"


@dataclass
class Export:
    """The selected records as plain dicts, each list already in export order."""

    customers: list[dict] = field(default_factory=list)
    assets: list[dict] = field(default_factory=list)
    engineers: list[dict] = field(default_factory=list)
    incidents: list[dict] = field(default_factory=list)
    cases: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)  # by (at, seq), every container mixed
    handoffs: list[dict] = field(default_factory=list)
    acks: list[dict] = field(default_factory=list)


def canonical(value: Any) -> Any:
    """*value* with every object's keys sorted, so the output does not depend on who wrote it."""
    if isinstance(value, dict):
        return {k: canonical(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


# -- JSON (the interchange format) ------------------------------------------

def _event_record(e: dict) -> dict:
    rec = {"id": e["id"], "at": e["at"], "kind": e["kind"], "direction": e["direction"],
           "author": e["author"], "author_region": e["author_region"], "channel": e["channel"] or None,
           "body": e["body"], "meta": e["meta"]}
    if e["case_id"] and e["incident_id"]:
        rec["incident"] = e["incident_id"]  # a case event also filed under an incident
    if e.get("attachments"):
        rec["attachments"] = e["attachments"]  # files sent with it: described, their content stays remote
    return rec


def to_document(exp: Export, *, exported_at: str | None = None) -> dict:
    """The interchange document for *exp*; `exported_at` only when given (it breaks identity).

    Keys the format does not hold yet (customer, handoff and top-level `events`,
    an event's own `incident`) appear only when such records exist, so the
    import refuses them loudly instead of the export dropping them silently.
    """
    by_case: dict[str, list[dict]] = {}
    by_customer: dict[str, list[dict]] = {}
    by_incident: dict[str, list[dict]] = {}
    by_handoff: dict[str, list[dict]] = {}
    loose: list[dict] = []
    handoff_ids = {h["id"] for h in exp.handoffs}
    for e in exp.events:
        if e["case_id"]:
            by_case.setdefault(e["case_id"], []).append(_event_record(e))
        elif e["customer_id"]:
            by_customer.setdefault(e["customer_id"], []).append(_event_record(e))
        elif e["incident_id"]:
            by_incident.setdefault(e["incident_id"], []).append(_event_record(e))
        elif isinstance(e["meta"], dict) and e["meta"].get("handoff_id") in handoff_ids:
            by_handoff.setdefault(e["meta"]["handoff_id"], []).append(_event_record(e))
        else:
            loose.append(_event_record(e))  # attached to nothing: kept rather than dropped
    assets: dict[str, list[dict]] = {}
    for a in exp.assets:
        assets.setdefault(a["customer_id"], []).append(
            {k: a[k] for k in ("kind", "name", "ipv4", "ipv6", "datacenter", "server", "webroot")})
    acks: dict[str, list[dict]] = {}
    for a in exp.acks:
        acks.setdefault(a["handoff_id"], []).append({"case_id": a["case_id"], "engineer": a["engineer"], "at": a["at"]})

    doc: dict[str, Any] = {"format": FORMAT}
    if exported_at is not None:
        doc["exported_at"] = exported_at
    customers = []
    for c in exp.customers:
        rec = {k: c[k] for k in ("id", "name", "language", "timezone", "tier", "owner", "emails", "facts")}
        rec["assets"] = assets.get(c["id"], [])
        if c["id"] in by_customer:  # customer-level events (fact revisions)
            rec["events"] = by_customer[c["id"]]
        customers.append(rec)
    doc["customers"] = customers
    doc["engineers"] = [dict(e) for e in exp.engineers]
    doc["incidents"] = [
        {"id": i["id"], "title": i["title"], "scope": i["scope"], "status": i["status"],
         "opened_at": i["opened_at"], "opened_by": i["opened_by"], "resolved_at": i["resolved_at"],
         "last_update_at": i["last_update_at"], "events": by_incident.get(i["id"], [])}
        for i in exp.incidents]
    doc["cases"] = [
        {"id": c["id"], "customer": c["customer_id"], "subject": c["subject"], "status": c["status"],
         "opened_at": c["opened_at"], "assignee": c["assignee"], "summary": c["summary"],
         "external_ref": c["external_ref"], "incident": c["incident_id"], "events": by_case.get(c["id"], [])}
        for c in exp.cases]
    doc["handoffs"] = []
    for h in exp.handoffs:
        rec = {"id": h["id"], "author": h["author"], "region": h["region"], "at": h["at"], "body": h["body"],
               "case_ids": h["case_ids"], "acks": acks.get(h["id"], [])}
        if h["id"] in by_handoff:  # events about the handoff itself (its webhook post)
            rec["events"] = by_handoff[h["id"]]
        doc["handoffs"].append(rec)
    if loose:
        doc["events"] = loose
    return doc


# Valid JSON may carry these raw, but a terminal would act on C1 controls and
# bidi overrides: escape them (same data, so the round trip is unaffected).
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


def dump_json(doc: dict) -> str:
    """Stable text for *doc*: UTF-8-friendly, indented, terminal-safe, newline-terminated."""
    text = json.dumps(doc, ensure_ascii=False, indent=2)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


# -- CSV ----------------------------------------------------------------------

CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "customers": ("id", "name", "language", "timezone", "tier", "owner", "emails", "facts"),
    "assets": ("customer_id", "kind", "name", "ipv4", "ipv6", "datacenter", "server", "webroot"),
    "engineers": ("name", "region", "city", "timezone"),
    "incidents": ("id", "title", "status", "opened_at", "opened_by", "resolved_at", "last_update_at", "scope"),
    "cases": ("id", "customer_id", "subject", "status", "opened_at", "assignee", "summary", "external_ref",
              "incident_id"),
    "events": ("id", "case_id", "customer_id", "incident_id", "at", "kind", "direction", "author",
               "author_region", "channel", "body", "meta"),
    "handoffs": ("id", "author", "region", "at", "case_ids", "body"),
    "handoff_acks": ("handoff_id", "case_id", "engineer", "at"),
    "attachments": ("event_id", "name", "type", "size", "ref"),
}


def csv_tables(exp: Export) -> dict[str, tuple[tuple[str, ...], list[list[str]]]]:
    """One table per store table: name -> (header, rows of text). Lists/objects become JSON text."""
    source = {"customers": exp.customers, "assets": exp.assets, "engineers": exp.engineers,
              "incidents": exp.incidents, "cases": exp.cases, "events": exp.events,
              "handoffs": exp.handoffs, "handoff_acks": exp.acks,
              "attachments": [{**a, "event_id": e["id"]} for e in exp.events for a in e.get("attachments") or ()]}
    return {name: (cols, [[_cell(rec[col]) for col in cols] for rec in source[name]])
            for name, cols in CSV_COLUMNS.items()}


# What spreadsheets read as the start of a formula ("=HYPERLINK(...)" in a
# customer's mail must stay text when the CSV is opened): OWASP's list.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return str(value)
