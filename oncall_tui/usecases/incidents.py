"""Incidents: declare an outage, tell every affected customer early and often, resolve it."""

from __future__ import annotations

from datetime import datetime

from ..core import incident_text
from ..core.errors import OncallError
from ..core.incident_text import Banner
from ..store import incident_queries, incidents
from ..store.incident_queries import Incident, IncidentDetail
from ..store.incidents import BroadcastResult
from .session import Session

STATUSES = ("investigating", "identified", "monitoring")


def declare(session: Session, *, title: str, scope: dict[str, list[str]], title_fr: str = "") -> Incident:
    session.check_writable("declaring an incident")
    return incidents.declare(session.store, title=title, title_fr=title_fr, scope=scope, author=session.user,
                             region=session.region, now=session.now())


def ticket_source(session: Session) -> str | None:
    """The helpdesk where cases an incident opened get their tickets: the one configured helpdesk that can
    take writes (None without one, or with several: then only `--outbox-source` says which)."""
    if not session.config.sources:
        return None
    try:
        pushable = [s.name for s in session.sources() if s.can_push]
    except OncallError:
        return None  # sync is off (its configuration is wrong): the cases stay local, the screen said why
    return pushable[0] if len(pushable) == 1 else None


def update(session: Session, incident_id: str, *, fr: str = "", en: str = "", status: str | None = None,
           broadcast_id: str | None = None, outbox_source: str | None = None) -> BroadcastResult:
    """Tell every linked customer, in their language; an empty text is drafted from the template.

    A case the incident opened gets a ticket in the helpdesk with its first update (through the outbox).
    """
    session.check_writable("sending an incident update")
    return incidents.broadcast(session.store, incident_id, fr=fr, en=en, author=session.user, region=session.region,
                               now=session.now(), broadcast_id=broadcast_id, outbox_source=outbox_source,
                               status=status, next_update_minutes=session.config.incident_update_minutes,
                               create_source=ticket_source(session))


def set_status(session: Session, incident_id: str, status: str) -> str:
    session.check_writable("changing the incident's status")
    return incidents.set_status(session.store, incident_id, status, author=session.user, now=session.now(),
                                region=session.region)


def resolve(session: Session, incident_id: str, *, fr: str = "", en: str = "", notes: str = "",
            broadcast_id: str | None = None, outbox_source: str | None = None) -> BroadcastResult:
    session.check_writable("resolving the incident")
    return incidents.resolve(session.store, incident_id, closing_fr=fr, closing_en=en, notes=notes,
                             author=session.user, region=session.region, now=session.now(),
                             broadcast_id=broadcast_id, outbox_source=outbox_source,
                             create_source=ticket_source(session))


def link(session: Session, incident_id: str, case_id: str) -> str:
    session.check_writable("linking the case")
    return incidents.link(session.store, incident_id, case_id, author=session.user, region=session.region,
                          now=session.now())


def unlink(session: Session, incident_id: str, case_id: str) -> str:
    """Take a case off the incident (it was not about it); the case's history records it. Returns the event id."""
    session.check_writable("unlinking the case")
    return incidents.unlink(session.store, incident_id, case_id, author=session.user, region=session.region,
                            now=session.now())


def listing(session: Session, *, include_resolved: bool = False) -> list[Incident]:
    return incident_queries.list_incidents(session.store, include_resolved=include_resolved)


def detail(session: Session, incident_id: str) -> IncidentDetail:
    return incident_queries.get(session.store, incident_id)


def banners(session: Session, now: datetime | None = None) -> list[Banner]:
    """One banner per unresolved incident: elapsed time, customers, when they were last told."""
    if not incident_queries.any_open(session.store):
        return []
    return incident_queries.open_banner(session.store, now or session.now(), session.config.incident_update_minutes)


def drafts(session: Session, incident_id: str, status: str) -> tuple[str, str]:
    """The template's French and English texts for an update at *status*."""
    inc = incident_queries.incident_row(session.store, incident_id)
    return (incident_text.draft_update("fr", title=inc.title, status=status),
            incident_text.draft_update("en", title=inc.title, status=status))
