"""Import an interchange document into the store: all or nothing, idempotent."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..core.heat_model import HeatModel
from ..core.timeutil import format_ts
from .db import Store
from .derived import refresh_cases
from ..core.errors import InvalidDocument
from .interchange import Document, validate


@dataclass
class ImportReport:
    customers: int = 0
    cases: int = 0
    events_added: int = 0
    events_skipped: int = 0

    def line(self) -> str:
        return (f"{self.customers} customers, {self.cases} cases, {self.events_added} new events"
                f" ({self.events_skipped} already present)")


def load_json_file(path: str | Path) -> Any:
    """Read a JSON file; any failure becomes an InvalidDocument naming the file and the place."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidDocument([f"{path}: cannot read: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError as exc:
        raise InvalidDocument([f"{path}: not UTF-8 text (byte {exc.start})"]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidDocument([f"{path}: not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"]) from None


def import_document(store: Store, doc: Any, *, now: datetime, source: str | None = None,
                    cursor: str | None = None) -> ImportReport:
    """Validate *doc* completely, then write it in one transaction.

    Ids are keys: customers, cases and assets are upserted, events are inserted
    once (re-importing the same document adds nothing). With *source* and
    *cursor* the sync cursor moves in the same transaction, so a crash never
    leaves events without their cursor or the reverse.
    """
    known_customers = {r[0] for r in store.conn.execute("SELECT id FROM customers")}
    known_incidents = {r[0] for r in store.conn.execute("SELECT id FROM incidents")}
    document = validate(doc, known_customers=known_customers, known_incidents=known_incidents)
    heat = store.heat_model()
    with store.write() as conn:
        report = _write(conn, document, now, heat)
        if source is not None and cursor is not None:
            conn.execute(
                "INSERT INTO sync_cursors(source, cursor, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(source) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at",
                (source, cursor, format_ts(now)))
    return report


def _write(conn, d: Document, now: datetime, heat: HeatModel) -> ImportReport:
    report = ImportReport(customers=len(d.customers), cases=len(d.cases))
    conn.executemany(
        "INSERT INTO customers(id, name, language, timezone, tier, owner, emails, facts) "
        "VALUES (:id, :name, :language, :timezone, :tier, :owner, :emails, COALESCE(:facts, '')) "
        "ON CONFLICT(id) DO UPDATE SET name = excluded.name, language = excluded.language, "
        "timezone = excluded.timezone, tier = excluded.tier, owner = excluded.owner, emails = excluded.emails, "
        "facts = COALESCE(:facts, customers.facts)",
        d.customers)
    conn.executemany(
        "INSERT INTO assets(customer_id, kind, name, ipv4, ipv6, datacenter, server, webroot) "
        "VALUES (:customer_id, :kind, :name, :ipv4, :ipv6, :datacenter, :server, :webroot) "
        "ON CONFLICT(customer_id, kind, name) DO UPDATE SET ipv4 = excluded.ipv4, ipv6 = excluded.ipv6, "
        "datacenter = excluded.datacenter, server = excluded.server, webroot = excluded.webroot",
        d.assets)
    conn.executemany(
        "INSERT INTO engineers(name, region, city, timezone) VALUES (:name, :region, :city, :timezone) "
        "ON CONFLICT(name) DO UPDATE SET region = excluded.region, city = excluded.city, "
        "timezone = excluded.timezone", d.engineers)
    conn.executemany(
        "INSERT INTO incidents(id, title, scope, status, opened_at, opened_by, resolved_at, last_update_at) "
        "VALUES (:id, :title, :scope, :status, :opened_at, :opened_by, :resolved_at, :last_update_at) "
        "ON CONFLICT(id) DO UPDATE SET title = excluded.title, scope = excluded.scope, "
        "status = excluded.status, resolved_at = excluded.resolved_at, "
        "last_update_at = excluded.last_update_at", d.incidents)
    # Which cases change: new/updated case records, and cases that receive new events.
    touched: set[str] = set()
    for case in d.cases:
        prev = conn.execute("SELECT customer_id, subject, status, opened_at, assignee, summary, external_ref, "
                            "incident_id FROM cases WHERE id = ?", (case["id"],)).fetchone()
        summary = case["summary"]
        if summary is None:  # absent from the document: keep the living summary we have
            summary = prev["summary"] if prev is not None else ""
        incident = case["incident_id"]
        if not case["incident_given"] and prev is not None:
            incident = prev["incident_id"]
        values = (case["customer_id"], case["subject"], case["status"], case["opened_at"], case["assignee"],
                  summary, case["external_ref"], incident)
        if prev is None:
            conn.execute(
                "INSERT INTO cases(customer_id, subject, status, opened_at, assignee, summary, external_ref, "
                "incident_id, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", values + (case["id"],))
            touched.add(case["id"])
        elif tuple(prev) != values:
            conn.execute(
                "UPDATE cases SET customer_id = ?, subject = ?, status = ?, opened_at = ?, assignee = ?, "
                "summary = ?, external_ref = ?, incident_id = ? WHERE id = ?", values + (case["id"],))
            touched.add(case["id"])
    recorded = format_ts(now)
    for ev in d.events:
        cur = conn.execute(
            "INSERT OR IGNORE INTO events(id, case_id, customer_id, incident_id, at, kind, direction, author, "
            "author_region, channel, body, meta, recorded_at) VALUES (:id, :case_id, :customer_id, "
            ":incident_id, :at, :kind, :direction, :author, :author_region, :channel, :body, :meta, :recorded)",
            {**ev, "recorded": recorded})
        if cur.rowcount:
            report.events_added += 1
            if ev["case_id"]:
                touched.add(ev["case_id"])
        else:
            report.events_skipped += 1
    conn.executemany(
        "INSERT OR IGNORE INTO handoffs(id, author, region, at, body, case_ids) "
        "VALUES (:id, :author, :region, :at, :body, :case_ids)", d.handoffs)
    conn.executemany(
        "INSERT OR IGNORE INTO handoff_acks(handoff_id, case_id, engineer, at) "
        "VALUES (:handoff_id, :case_id, :engineer, :at)", d.acks)
    refresh_cases(conn, sorted(touched), now, heat)
    return report
