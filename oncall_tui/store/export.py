"""Read side of `oncall export`: everything about some customers, out of the store.

`build_export` reads one consistent snapshot of the store (a read transaction,
so another engineer's write cannot land half inside it) into plain rows;
`to_document`/`dump_json` turn those into the interchange format (what
`oncall import` reads back, byte-identical on a second export),
`csv_tables` into one table per store table (for spreadsheets: a text cell
that a spreadsheet would run as a formula gets a leading `'`);
`export_md.render_markdown` makes a readable per-customer dossier of it.
Nothing here writes files: the command does.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..core.handoff import body_about
from .db import Store, StoreError

FORMAT = "oncall-tui/1"


class ExportError(StoreError):
    """The export cannot be built; the message names the record and the reason."""


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


# -- reading ----------------------------------------------------------------

def build_export(store: Store, customer_ids: Iterable[str] | None = None) -> Export:
    """Everything about *customer_ids* (all customers when None) from one snapshot.

    Raises ExportError naming any unknown customer id, or a stored JSON column
    that does not parse.
    """
    conn = store.conn
    conn.execute("BEGIN")  # one read snapshot for all the queries below
    try:
        return _read(conn, None if customer_ids is None else list(dict.fromkeys(customer_ids)))
    finally:
        conn.execute("COMMIT")


_EVENT_COLUMNS = ("seq, id, case_id, customer_id, incident_id, at, kind, direction, author, author_region, "
                  "channel, body, meta")


def _read(conn, wanted: list[str] | None) -> Export:
    exp = Export()
    if wanted is not None:
        known = {r[0] for r in conn.execute(f"SELECT id FROM customers WHERE id IN ({_marks(wanted)})", wanted)}
        missing = [c for c in wanted if c not in known]
        if missing:
            raise ExportError("unknown customer " + ", ".join(repr(c) for c in missing))
    params = wanted or []
    of_customers = "" if wanted is None else f"WHERE customer_id IN ({_marks(wanted)})"

    for r in conn.execute(f"SELECT * FROM customers {of_customers.replace('customer_id', 'id')} ORDER BY id",
                          params):
        exp.customers.append({**dict(r), "emails": _json(r["emails"], f"customer {r['id']!r}: emails")})
    exp.assets = [dict(r) for r in conn.execute(
        f"SELECT customer_id, kind, name, ipv4, ipv6, datacenter, server, webroot FROM assets {of_customers} "
        "ORDER BY customer_id, kind, name", params)]
    exp.cases = [dict(r) for r in conn.execute(
        "SELECT id, customer_id, subject, status, opened_at, assignee, summary, external_ref, incident_id "
        f"FROM cases {of_customers} ORDER BY opened_at, id", params)]
    case_ids = {c["id"] for c in exp.cases}

    for r in conn.execute("SELECT * FROM handoffs ORDER BY at, id"):
        every = _json(r["case_ids"], f"handoff {r['id']!r}: case_ids")
        mentioned, body = every, r["body"]
        if wanted is not None:
            # Only this selection's cases: another customer's case ids and words are not theirs to take.
            mentioned = [c for c in every if c in case_ids]
            if not mentioned:
                continue
            body = body_about(body, set(mentioned), set(every) - set(mentioned))
        exp.handoffs.append({**dict(r), "case_ids": mentioned, "body": body})
    handoff_ids = {h["id"] for h in exp.handoffs}
    exp.acks = [dict(r) for r in conn.execute(
        "SELECT handoff_id, case_id, engineer, at FROM handoff_acks ORDER BY handoff_id, at, case_id, engineer")
        if r["handoff_id"] in handoff_ids and (wanted is None or r["case_id"] in case_ids)]

    if wanted is None:
        events = conn.execute(f"SELECT {_EVENT_COLUMNS} FROM events ORDER BY at, seq").fetchall()
        incidents = conn.execute("SELECT * FROM incidents ORDER BY opened_at, id").fetchall()
    else:
        # Two indexed queries rather than one OR: the case events, then customer-level ones (facts).
        events = conn.execute(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE case_id IN (SELECT id FROM cases {of_customers})",
            params).fetchall()
        events += conn.execute(
            f"SELECT {_EVENT_COLUMNS} FROM events {of_customers} AND case_id IS NULL", params).fetchall()
        ids = sorted({c["incident_id"] for c in exp.cases if c["incident_id"]}
                     | {e["incident_id"] for e in events if e["incident_id"]})
        incidents = conn.execute(
            f"SELECT * FROM incidents WHERE id IN ({_marks(ids)}) ORDER BY opened_at, id", ids).fetchall()
        # An incident's own timeline (no case) belongs to every customer it touches.
        events += conn.execute(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE case_id IS NULL AND customer_id IS NULL "
            f"AND incident_id IN ({_marks(ids)})", ids).fetchall()
        # Events about a handoff itself (e.g. its webhook post) travel with the handoff.
        hids = sorted(handoff_ids)
        events += conn.execute(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE case_id IS NULL AND customer_id IS NULL "
            "AND incident_id IS NULL AND CASE WHEN json_valid(meta) THEN json_extract(meta, '$.handoff_id') END "
            f"IN ({_marks(hids)})", hids).fetchall()
        events.sort(key=lambda e: (e["at"], e["seq"]))
    exp.events = [{**dict(e), "meta": _canon(_json(e["meta"], f"event {e['id']!r}: meta"))} for e in events]
    exp.incidents = [{**dict(r), "scope": _canon(_json(r["scope"], f"incident {r['id']!r}: scope"))}
                     for r in incidents]

    engineers = conn.execute("SELECT name, region, city, timezone FROM engineers ORDER BY name").fetchall()
    if wanted is not None:
        # The engineers these records name (owners, assignees, authors), not the whole team.
        named = ({c["owner"] for c in exp.customers} | {c["assignee"] for c in exp.cases}
                 | {e["author"] for e in exp.events} | {h["author"] for h in exp.handoffs}
                 | {a["engineer"] for a in exp.acks} | {i["opened_by"] for i in exp.incidents})
        engineers = [r for r in engineers if r["name"] in named]
    exp.engineers = [dict(r) for r in engineers]
    return exp


def _marks(values: list) -> str:
    return ",".join("?" * len(values)) or "NULL"


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError) as exc:
        raise ExportError(f"{what}: stored value is not JSON ({exc}); fix the record, then export again") from None


def _canon(value: Any) -> Any:
    """*value* with every object's keys sorted, so the output does not depend on who wrote it."""
    if isinstance(value, dict):
        return {k: _canon(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_canon(v) for v in value]
    return value


# -- JSON (the interchange format) ------------------------------------------

def _event_record(e: dict) -> dict:
    rec = {"id": e["id"], "at": e["at"], "kind": e["kind"], "direction": e["direction"],
           "author": e["author"], "author_region": e["author_region"], "channel": e["channel"] or None,
           "body": e["body"], "meta": e["meta"]}
    if e["case_id"] and e["incident_id"]:
        rec["incident"] = e["incident_id"]  # a case event also filed under an incident
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
}


def csv_tables(exp: Export) -> dict[str, tuple[tuple[str, ...], list[list[str]]]]:
    """One table per store table: name -> (header, rows of text). Lists/objects become JSON text."""
    source = {"customers": exp.customers, "assets": exp.assets, "engineers": exp.engineers,
              "incidents": exp.incidents, "cases": exp.cases, "events": exp.events,
              "handoffs": exp.handoffs, "handoff_acks": exp.acks}
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
