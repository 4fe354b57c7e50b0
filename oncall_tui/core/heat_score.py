"""Scoring a case's heat from its folded stats (see `heat_stats` for the folding).

`score` explains (every term, largest first); `heat_value` gives the same
number from the points that do not move with time, for the clock tick.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter

from .heat_stats import CaseStats
from .heat_weights import Term, Weights
from .model import STATUSES, TIERS
from .timeutil import human_duration


@dataclass(frozen=True, slots=True)
class Heat:
    """A case's heat: `score` 0..100 and the terms it is the sum of (capped at 100)."""

    score: int
    terms: tuple[Term, ...]  # largest first, zero terms omitted


# --- scoring -------------------------------------------------------------------
#
# `score` runs for every open case every minute, so the terms that depend only on
# a few small numbers (minutes waited, message count...) are built once per
# Weights and reused: Term is immutable. Durations are counted in the unit
# shown (minutes, or hours beyond a day), which keeps the memos small and the
# score non-decreasing in `now`.

_COLD = Heat(0, ())
_CLOSED = frozenset({"resolved", "closed"})
_STATUSES = frozenset(STATUSES)
_MEMO_CAP = 16384  # per table: ~2 MB at most; 100k bench cases need ~11k exchanges keys
_exp = math.exp
_by_points = attrgetter("points")
_ANSWERED: dict[int, str] = {}  # minutes since our last message -> "answered 5 min ago"


def _term(name: str, value: str, points: float) -> Term | bool:
    """A Term, or False when it would show as 0.0 points."""
    return Term(name, value, points) if points >= 0.05 else False


def _memo(table: dict, key, build, *args) -> Term | bool:
    if len(table) >= _MEMO_CAP:
        table.clear()
    term = table[key] = build(*args)
    return term


def _sat(x: float, scale: float) -> float:
    """0 -> 0, scale -> 0.63, 3 * scale -> 0.95: saturation, so no term runs away."""
    return 1 - _exp(-x / scale)


def _waiting_term(w: Weights, m: int) -> Term | bool:
    return _term("waiting", f"waiting {human_duration(m * 60)}", w.waiting_max * _sat(m, 60 * w.waiting_scale_hours))


def _age_term(w: Weights, m: int) -> Term | bool:
    return _term("age", f"open {human_duration(m * 60)}", w.age_max * _sat(m, 1440 * w.age_scale_days))


def _exchanges_term(w: Weights, key: tuple[int, int, int]) -> Term | bool:
    """Messages, plus the ping-pong: back-and-forths that are both many and quick."""
    n, turns, m = key
    value = f"{n} message{'s' if n > 1 else ''}"
    points = w.exchanges_max * _sat(n, w.exchanges_scale)
    if turns:
        span = human_duration(m * 60) if m else "under a minute"
        value += f", {turns} back-and-forth{'s' if turns > 1 else ''} in {span}"
        rate = turns * 60 / max(m, 60)  # per hour; a conversation spans at least an hour
        points += w.pace_max * _sat(turns, w.pace_turns_scale) * _sat(rate, w.pace_rate_scale)
    return _term("exchanges", value, points)


def _words_term(w: Weights, key: tuple) -> Term | bool:
    """Lexicon phrases, plus the tone: repeated '!' and SHOUTING."""
    words, bang, shout, hits = key
    shown = [f"'{h}'" for h in hits.split("|")] if hits else []
    if bang:
        shown.append("'!!!'")
    if shout:
        shown.append("SHOUTING")
    points = (w.words_max * _sat(words, w.words_scale)
              + w.tone_max * _sat(w.exclamation_weight * bang + w.shouting_weight * shout, 1.0))
    return _term("words", ", ".join(shown), points)


def _repeats_term(w: Weights, key: tuple[int, float]) -> Term | bool:
    n, sim = key
    return _term("repeats", f"repeated themselves {n}\u00d7 ({sim:.0%} same)",
                 w.repeat_max * _sat(n, w.repeat_scale))


def _engineers_term(w: Weights, n: int) -> Term | bool:
    return _term("engineers", f"{n} engineers", w.engineers_max * _sat(n - 1, w.engineers_scale))


def score(stats: CaseStats, *, status: str, opened_at: datetime, tier: str, now: datetime,
          incident_open: bool = False, weights: Weights) -> Heat:
    """Heat of a case at *now*: the sum of its terms, capped at 100 and rounded.

    Resolved and closed cases score 0 with no terms. Raises ValueError for an
    unknown status or tier.
    """
    if status in _CLOSED:
        return _COLD
    terms = _moving_terms(stats.wait_t, status, opened_at.timestamp(), tier, now.timestamp(), weights)
    steady = _steady_terms(stats, weights)
    # The same sums, in the same order, as `heat_value`: both give the same score.
    total = sum(map(_by_points, terms)) + sum(map(_by_points, steady))
    terms += steady
    total = _finish(total, status == "pending", stats.wait_t, stats.out_t, now.timestamp(), incident_open,
                    weights, terms)
    if len(terms) > 1:
        terms.sort(key=_by_points, reverse=True)
    return Heat(min(100, max(0, int(total + 0.5))), tuple(terms))


def steady_points(stats: CaseStats, weights: Weights) -> float:
    """The points of the terms that do not move with time (exchanges, words, repeats, engineers)."""
    return sum(map(_by_points, _steady_terms(stats, weights)))


def heat_value(steady: float, *, wait_t: int | None, out_t: int | None, status: str, opened_t: float,
               tier: str, now_t: float, incident_open: bool = False, weights: Weights) -> int:
    """`score(...).score` from `steady_points` and the case's times, without the explanation.

    The clock tick rescores every open case each minute: this skips building,
    sorting and returning terms. Same arithmetic as `score`, so the same result.
    """
    if status in _CLOSED:
        return 0
    moving = _moving_terms(wait_t, status, opened_t, tier, now_t, weights)
    total = sum(map(_by_points, moving)) + steady
    total = _finish(total, status == "pending", wait_t, out_t, now_t, incident_open, weights, None)
    return min(100, max(0, int(total + 0.5)))


def _moving_terms(wait_t: int | None, status: str, opened_t: float, tier: str, now_t: float,
                  weights: Weights) -> list[Term]:
    """Tier, then the terms that grow with time: waiting and age (in this order)."""
    if status not in _STATUSES:
        raise ValueError(f"status: expected one of {', '.join(STATUSES)}, got {status!r}")
    waiting_terms, age_terms, _, _, _, _, tiers = weights._tables
    try:
        t = tiers[tier]
    except KeyError:
        raise ValueError(f"tier: expected one of {', '.join(TIERS)}, got {tier!r}") from None
    terms: list[Term] = [t] if t else []
    if wait_t is not None and status != "pending":
        t = _duration_term(waiting_terms, _waiting_term, weights, now_t - wait_t)
        if t:
            terms.append(t)
    t = _duration_term(age_terms, _age_term, weights, now_t - opened_t)
    if t:
        terms.append(t)
    return terms


def _duration_term(table: dict, build, weights: Weights, seconds: float) -> Term | bool:
    """The term for a duration, counted in the unit shown: minutes, or whole hours beyond a day."""
    m = int(seconds) // 60
    if m <= 0:
        return False
    if m >= 1440:
        m -= m % 60
    return _term_for(table, m, build, weights)


def _term_for(table: dict, key, build, weights: Weights) -> Term | bool:
    """The term for *key*, built once per Weights (see "scoring")."""
    t = table.get(key)
    return _memo(table, key, build, weights, key) if t is None else t


def _steady_terms(stats: CaseStats, weights: Weights) -> list[Term]:
    """Exchanges and their pace, words and tone, repeats, engineers (in this order)."""
    _, _, exchanges_terms, words_terms, repeats_terms, engineers_terms, _ = weights._tables
    terms: list[Term] = []
    add = terms.append
    n = stats.exchanges
    if n:
        turns = stats.turns
        if turns:
            in_t, out_t = stats.in_t, stats.out_t
            m = ((in_t if in_t > out_t else out_t) - stats.first_t) // 60  # both set once turns > 0
            # The span in minutes, whole hours or whole days: "in 3 h", "in 2 d".
            if m >= 1440:
                m -= m % 1440
            elif m >= 60:
                m -= m % 60
            key = (n, turns, m)
        else:
            key = (n, 0, 0)
        t = _term_for(exchanges_terms, key, _exchanges_term, weights)
        if t:
            add(t)
    if stats.words or stats.bang or stats.shout:
        key = (stats.words, stats.bang, stats.shout, stats.hits)
        t = _term_for(words_terms, key, _words_term, weights)
        if t:
            add(t)
    if stats.repeats:
        key = (stats.repeats, stats.repeat_sim)
        t = _term_for(repeats_terms, key, _repeats_term, weights)
        if t:
            add(t)
    n = len(stats.engineers)
    if n > 1:
        t = _term_for(engineers_terms, n, _engineers_term, weights)
        if t:
            add(t)
    return terms


def _finish(total: float, pending: bool, wait_t: int | None, out_t: int | None, now_t: float,
            incident_open: bool, weights: Weights, terms: list[Term] | None) -> float:
    """Cooling (waiting on the customer, or answered) and the incident lift, added to *terms* if given."""
    if total and (pending or (wait_t is None and out_t is not None)):
        if pending:
            factor = weights.pending_factor
        else:
            factor = weights.answered_factor
        cooling = (factor - 1.0) * total
        if cooling <= -0.05 and terms is not None:
            terms.append(Term("cooling", _cooling_why(pending, out_t, now_t), cooling))
        total += cooling
    if incident_open:
        lift = max(weights.incident_bonus, weights.incident_floor - total)
        if lift >= 0.05 and terms is not None:
            terms.append(Term("incident", "linked to an open incident", lift))
        total += lift
    return total


def _cooling_why(pending: bool, out_t: int, now_t: float) -> str:
    if pending:
        return "pending: waiting on the customer"
    m = int(now_t - out_t) // 60
    if m >= 1440:
        m -= m % 60
    why = _ANSWERED.get(m)
    if why is None:
        if len(_ANSWERED) >= _MEMO_CAP:
            _ANSWERED.clear()
        why = _ANSWERED[m] = f"answered {human_duration(m * 60)} ago" if m > 0 else "answered just now"
    return why
