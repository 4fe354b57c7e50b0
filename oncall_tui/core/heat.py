"""Staleness heat: a 0-100 score per case, explainable term by term.

FIRST VERSION (foundation issue). The full model replaces the internals but
keeps this interface:

    stats = fold_events(events)            # CaseStats, JSON-serialisable
    stats = add_event(stats, event)        # incremental, same as folding again
    heat  = score(stats, status=..., opened_at=..., tier=..., now=..., incident_open=False)
    heat.score -> int 0..100 ; heat.terms -> tuple[Term(name, value, points)], largest first
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Iterable

from .model import Event
from .timeutil import format_ts, human_duration, parse_ts


@dataclass
class CaseStats:
    """What heat needs to know about a case's events, folded once and stored."""

    waiting_since: str | None = None  # first customer message we have not answered yet
    last_in_at: str | None = None
    last_out_at: str | None = None
    exchanges: int = 0  # messages to or from the customer
    engineers: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "CaseStats":
        return cls(**json.loads(text))


@dataclass(frozen=True, slots=True)
class Term:
    name: str
    value: str
    points: float


@dataclass(frozen=True, slots=True)
class Heat:
    score: int
    terms: tuple[Term, ...]


def add_event(stats: CaseStats, event: Event) -> CaseStats:
    at = format_ts(event.at)
    if event.from_customer:
        stats.exchanges += 1
        stats.last_in_at = at
        if stats.waiting_since is None:
            stats.waiting_since = at
    elif event.to_customer:
        stats.exchanges += 1
        stats.last_out_at = at
        stats.waiting_since = None
        if event.author and event.author not in stats.engineers:
            stats.engineers.append(event.author)
    return stats


def fold_events(events: Iterable[Event]) -> CaseStats:
    stats = CaseStats()
    for event in sorted(events, key=lambda e: e.at):
        add_event(stats, event)
    return stats


TIER_POINTS = {"standard": 0.0, "business": 5.0, "critical": 10.0}


def score(stats: CaseStats, *, status: str, opened_at: datetime, tier: str,
          now: datetime, incident_open: bool = False) -> Heat:
    if status in ("resolved", "closed"):
        return Heat(0, ())
    terms = []
    if stats.waiting_since and status != "pending":
        waited = (now - parse_ts(stats.waiting_since)).total_seconds()
        terms.append(Term("waiting", f"waiting {human_duration(waited)}", min(45.0, waited / 3600 * 5)))
    age = (now - opened_at).total_seconds()
    terms.append(Term("age", f"open {human_duration(age)}", min(15.0, age / 86400 * 3)))
    terms.append(Term("exchanges", f"{stats.exchanges} exchanges", min(15.0, stats.exchanges * 1.5)))
    terms.append(Term("tier", tier, TIER_POINTS.get(tier, 0.0)))
    total = sum(t.points for t in terms)
    if status == "pending":
        total *= 0.3
    terms = tuple(sorted((t for t in terms if t.points > 0), key=lambda t: -t.points))
    return Heat(max(0, min(100, round(total))), terms)
