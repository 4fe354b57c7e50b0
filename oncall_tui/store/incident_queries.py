"""Reading incidents: the list, one incident's detail and affected customers, the open-incident banner."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from ..core import incident_text as words
from ..core.errors import NotFound
from ..core.incident_text import Banner
from ..core.timeutil import parse_ts
from .db import Store


@dataclass(frozen=True)
class Incident:
    """One incident row with how many cases and customers are linked."""

    id: str
    title: str
    scope: dict[str, list[str]]
    status: str
    opened_at: str
    opened_by: str
    resolved_at: str | None
    last_update_at: str | None
    cases: int = 0
    customers: int = 0
    opened_cases: tuple[str, ...] = ()  # only on declare's result: the cases it opened

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "opened_cases"}


@dataclass(frozen=True)
class Affected:
    """A customer linked to an incident, and whether each of their cases got the latest update."""

    id: str
    name: str
    tier: str
    language: str
    cases: tuple[str, ...]
    told: bool  # every linked case holds the latest broadcast

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "cases": list(self.cases)}


@dataclass(frozen=True)
class IncidentDetail:
    incident: Incident
    affected: list[Affected]
    timeline: list[dict[str, Any]]  # incident-only events, oldest first
    latest_broadcast: str | None

    def to_json(self) -> dict[str, Any]:
        return {**self.incident.to_json(), "latest_broadcast": self.latest_broadcast,
                "affected": [a.to_json() for a in self.affected], "timeline": self.timeline}


_COUNTS = ("SELECT i.*, (SELECT COUNT(*) FROM cases c WHERE c.incident_id = i.id) AS n_cases, "
           "(SELECT COUNT(DISTINCT customer_id) FROM cases c WHERE c.incident_id = i.id) AS n_customers "
           "FROM incidents i")


def _from_row(r) -> Incident:
    return Incident(r["id"], r["title"], json.loads(r["scope"] or "{}"), r["status"], r["opened_at"],
                    r["opened_by"], r["resolved_at"], r["last_update_at"], r["n_cases"], r["n_customers"])


def incident_row(store: Store, incident_id: str) -> Incident:
    """One incident with its counts; NotFound when there is none."""
    r = store.query_one(_COUNTS + " WHERE i.id = ?", (incident_id,))
    if r is None:
        raise NotFound(f"no incident {incident_id!r} in the store (see: oncall incident list --all)")
    return _from_row(r)


def list_incidents(store: Store, include_resolved: bool = False) -> list[Incident]:
    """Incidents, newest first; resolved ones only when asked."""
    where = "" if include_resolved else " WHERE i.status != 'resolved'"
    return [_from_row(r) for r in store.query(_COUNTS + where + " ORDER BY i.opened_at DESC, i.id DESC")]


def get(store: Store, incident_id: str) -> IncidentDetail:
    """The incident, its affected customers (told the latest update or not) and its own timeline."""
    inc = incident_row(store, incident_id)
    timeline = [dict(r) | {"meta": json.loads(r["meta"])} for r in store.query(
        "SELECT id, at, kind, direction, author, author_region, channel, body, meta FROM events "
        "WHERE incident_id = ? AND case_id IS NULL ORDER BY at, seq", (incident_id,))]
    latest = next((e["meta"]["broadcast"] for e in reversed(timeline)
                   if e["kind"] == "message" and "broadcast" in e["meta"]), None)
    told: set[str] = set()
    if latest is not None:
        told = {r[0] for r in store.query(
            "SELECT case_id FROM events WHERE id IN (SELECT ? || c.id FROM cases c WHERE c.incident_id = ?)",
            (f"{incident_id}:{latest}:", incident_id))}
    by_customer: dict[str, list[str]] = {}
    info = {}
    for r in store.query(
            "SELECT c.id, cu.id AS customer_id, cu.name, cu.tier, cu.language FROM cases c "
            "JOIN customers cu ON cu.id = c.customer_id WHERE c.incident_id = ? ORDER BY cu.id, c.id",
            (incident_id,)):
        by_customer.setdefault(r["customer_id"], []).append(r["id"])
        info[r["customer_id"]] = r
    affected = [Affected(cid, info[cid]["name"], info[cid]["tier"], info[cid]["language"], tuple(cases),
                         all(c in told for c in cases))
                for cid, cases in by_customer.items()]
    return IncidentDetail(inc, affected, timeline, latest)


def any_open(store: Store) -> bool:
    """Whether an incident is unresolved (most of the time none is: one indexed look)."""
    return store.query_one("SELECT 1 FROM incidents WHERE status != 'resolved' LIMIT 1") is not None


def open_banner(store: Store, now: datetime, interval_minutes: int) -> list[Banner]:
    """Banner data for every unresolved incident at *now*, oldest first (see core.incident_text.Banner)."""
    return [words.banner(incident_id=i.id, title=i.title, status=i.status, opened_at=parse_ts(i.opened_at),
                         last_update_at=parse_ts(i.last_update_at) if i.last_update_at else None,
                         customers=i.customers, now=now, interval_minutes=interval_minutes)
            for i in reversed(list_incidents(store))]
