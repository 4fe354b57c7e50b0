"""The queue: every open case ranked by its stored heat, and why a case is hot.

One ranking for both faces: the screen reads pages of `Queue`, `oncall queue`
reads `ranked`, and both go through the store's one queue query (hottest
first, then by case id). The stored heat is kept current by the heat tick;
`ranked` rescores first so a script never reads stale heat.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ..core.errors import NotFound, Refused
from ..core.heat_score import Heat
from ..core.heat_stats import CaseStats
from ..core.model import band
from ..core.timeutil import business_hours, format_ts, parse_ts
from ..store import derived, queries
from ..store.queries import QueueFilter
from .session import Session

VIEWS = ("all", "waiting", "mine", "region")
VIEW_TITLES = {"all": "all open", "waiting": "waiting on us", "mine": "mine", "region": "in business hours"}
SORTS = tuple(queries.QUEUE_ORDERS)  # heat first: the default
SORT_TITLES = {"heat": "hottest first", "waiting": "longest waiting first", "age": "oldest first",
               "customer": "by customer"}


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One open case as the queue shows it."""

    id: str
    customer_id: str
    customer: str
    timezone: str
    tier: str
    language: str
    subject: str
    status: str
    heat: int
    band: str  # hot | warm | cool (core.model.band)
    waiting_since: datetime | None  # None: not waiting on us
    opened_at: datetime
    exchanges: int
    assignee: str
    incident_id: str | None


def _row(r) -> QueueRow:
    waiting = r["waiting_since"]
    return QueueRow(r["id"], r["customer_id"], r["customer"], r["timezone"], r["tier"], r["language"], r["subject"],
                    r["status"], r["heat"], band(r["heat"]), parse_ts(waiting) if waiting else None,
                    parse_ts(r["opened_at"]), r["exchanges"], r["assignee"], r["incident_id"])


@dataclass(frozen=True)
class Bands:
    """Open cases per heat band, and the most cases hot at once in each of the last 24 hours."""

    hot: int
    warm: int
    cool: int
    hot_per_hour: tuple[int, ...]


class Queue:
    """The queue as one engineer looks at it: a view, a filter, and pages of rows."""

    def __init__(self, session: Session, *, view: str = "all", text: str = "", sort: str = "heat") -> None:
        self.session = session
        self.filter = QueueFilter(text=text, view=view, me=session.user)
        self.set_sort(sort)

    @property
    def view(self) -> str:
        return self.filter.view

    @property
    def text(self) -> str:
        return self.filter.text

    @property
    def sort(self) -> str:
        return self.filter.sort

    def set_text(self, text: str) -> None:
        self.filter = replace(self.filter, text=text.strip())

    def set_sort(self, sort: str) -> None:
        if sort not in SORTS:
            raise Refused(f"sort {sort!r} is not one of {', '.join(SORTS)}")
        self.filter = replace(self.filter, sort=sort)

    def next_sort(self) -> str:
        self.set_sort(SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)])
        return self.sort

    def set_view(self, view: str) -> None:
        if view not in VIEWS:
            raise Refused(f"view {view!r} is not one of {', '.join(VIEWS)}")
        customers = tuple(in_business_hours(self.session)) if view == "region" else ()
        self.filter = replace(self.filter, view=view, me=self.session.user, customer_ids=customers)

    def next_view(self) -> str:
        self.set_view(VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)])
        return self.view

    def count(self) -> int:
        return queries.queue_count(self.session.store, self.filter)

    def page(self, offset: int, limit: int) -> list[QueueRow]:
        """Rows *offset*.. of the queue, in its order (hottest first by default)."""
        return [_row(r) for r in queries.queue_page(self.session.store, self.filter, offset, limit)]

    def page_from_end(self, offset: int, limit: int) -> list[QueueRow]:
        """Rows counted *offset* from the end, last first (for `G`)."""
        return [_row(r) for r in queries.queue_page_from_end(self.session.store, self.filter, offset, limit)]


def bands(session: Session) -> Bands:
    store = session.store
    hot, warm, cool = queries.queue_bands(store)
    since = format_ts(session.now() - timedelta(hours=24))
    return Bands(hot, warm, cool, tuple(queries.hot_per_hour(store, since)))


def in_business_hours(session: Session) -> list[str]:
    """Customers it is business hours for now (Mon–Fri 08:00–19:00 their time): who can be phoned."""
    now = session.now()
    return [cid for cid, tz in queries.customer_timezones(session.store) if business_hours(now, tz)]


# -- why a case is hot --------------------------------------------------------------------------

def explain(session: Session, case_id: str, now: datetime | None = None) -> tuple[str, Heat]:
    """The case's subject and its heat at *now* (default: the session's clock), term by term."""
    row = queries.heat_inputs(session.store, case_id)
    if row is None:
        raise NotFound(f"no case {case_id!r} in {session.store.path}")
    heat = derived.score_row(row["stats"], row["status"], row["opened_at"], row["tier"], bool(row["incident_open"]),
                             now or session.now(), session.models.weights)
    return row["subject"], heat


@dataclass(frozen=True)
class ProbablyDone:
    """A case whose customer's latest message confirms it works or asks us to close it."""

    case_id: str
    said: tuple[str, ...]  # the closing phrases found ("tout fonctionne", "vous pouvez fermer")
    at: datetime | None  # when they wrote it


def probably_done(session: Session, case_id: str) -> ProbablyDone | None:
    """Whether the case is "probably done" (shown by the queue and `e` with a one-key resolve), or None.

    Raises NotFound for an unknown case.
    """
    row = queries.heat_inputs(session.store, case_id)
    if row is None:
        raise NotFound(f"no case {case_id!r} in {session.store.path}")
    if row["status"] in ("resolved", "closed"):
        return None
    stats = CaseStats.from_json(row["stats"])
    if not stats.done:
        return None
    return ProbablyDone(case_id, tuple(stats.done.split("|")), parse_ts(stats.last_in_at) if stats.last_in_at else None)


def resolve_done(session: Session, case_id: str) -> str:
    """Resolve a probably-done case (the one-key resolve); returns the status event's id.

    Refused when the case is not probably done any more (the customer wrote
    again, or someone resolved it meanwhile): the face should show why and leave it.
    """
    # The write path (outbox, sync) loads when a case is resolved, not at start.
    from . import writing

    session.check_writable("resolving the case")
    if probably_done(session, case_id) is None:
        raise Refused(f"{case_id} is not marked probably done (any more): resolve it by hand if it is")
    return writing.set_status(session, case_id, "resolved")


def refold(session: Session) -> int:
    """Refold every case's stats from its events with the session's model (after an upgrade of the
    heat model, or of a site's lexicon); returns how many cases were refreshed."""
    session.check_writable("refolding the heat of every case")
    store = session.store
    ids = [r[0] for r in store.query("SELECT id FROM cases ORDER BY opened_at, id")]
    done = 0
    for start in range(0, len(ids), 500):
        with store.write() as conn:
            done += derived.refresh_cases(conn, ids[start:start + 500], session.now(), store.heat_model())
    return done


# -- the command line's ranked queue ------------------------------------------------------------

@dataclass(frozen=True)
class Ranked:
    """`oncall queue`: the rows, their heat explained, and at which instant the heat was computed."""

    rows: list[dict]
    heat_at: datetime | None  # None: rescored at the asked instant


def ranked(session: Session, *, view: str = "all", limit: int | None = None,
           now: datetime | None = None, sort: str = "heat") -> Ranked:
    """The queue as the screen ranks it, each row with its heat terms.

    Without *now*, the open cases are rescored at the session's clock first
    (what the screen's heat tick does), unless the session is read-only: then
    the stored heat is shown, with the instant of the last tick. With *now*,
    they are rescored at that instant inside a transaction the store rolls
    back: the ranking is the screen's, nothing is written.
    """
    queue = Queue(session, view=view, sort=sort)
    store = session.store
    weights = session.models.weights
    if now is None:
        at = session.now()
        if session.readonly:
            heat_at = queries.last_tick(store)
            return Ranked(_rows(session, queue, limit, heat_at or at), heat_at)
        derived.retick(store, at, weights)
        return Ranked(_rows(session, queue, limit, at), None)
    if store.readonly:
        raise Refused(f"--now rescores inside a transaction that is rolled back, and {store.path} is read-only; "
                      "leave out --now to see the stored heat")
    updates = derived.changed_heat(store, now, weights)
    with store.rolled_back() as conn:
        derived.write_heat(conn, updates)
        rows = _rows(session, queue, limit, now)
    return Ranked(rows, None)


def _rows(session: Session, queue: Queue, limit: int | None, at: datetime) -> list[dict]:
    total = queue.count()
    store, weights = session.store, session.models.weights
    out = []
    for raw in queries.queue_page(store, queue.filter, 0, min(limit, total) if limit else total, explained=True):
        r = _row(raw)
        heat = derived.score_row(raw["stats"], r.status, raw["opened_at"], r.tier, bool(raw["incident_open"]), at,
                                 weights)
        out.append({
            "id": r.id, "customer": r.customer_id, "customer_name": r.customer, "subject": r.subject,
            "status": r.status, "heat": r.heat, "band": r.band,
            "terms": [{"name": t.name, "value": t.value, "points": round(t.points, 1)} for t in heat.terms],
            "waiting_seconds": int((at - r.waiting_since).total_seconds()) if r.waiting_since else 0,
            "age_seconds": int((at - r.opened_at).total_seconds()),
            "exchanges": r.exchanges, "assignee": r.assignee, "tier": r.tier, "language": r.language,
            "timezone": r.timezone, "incident": r.incident_id, "probably_done": heat.probably_done,
        })
    return out

