"""Staleness heat: a 0-100 score per case, explainable term by term.

    stats = fold_events(events)            # CaseStats, JSON-serialisable, stored per case
    stats = add_event(stats, event)        # incremental, same as folding again
    heat  = score(stats, status=..., opened_at=..., tier=..., now=..., incident_open=False)
    heat.score -> int 0..100 ; heat.terms -> tuple[Term(name, value, points)], largest first

Folding reads the words once (lexicon hits, tone, a fingerprint for
repetition) and keeps epoch seconds, so `score` is plain arithmetic on numbers:
the queue rescores every open case each minute. Weights live in
``oncall_tui/data/heat.toml``, which documents each term.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, fields
from datetime import datetime
from operator import attrgetter
from typing import Iterable

from .heat_weights import DEFAULT_WEIGHTS, Term, Weights
from .heat_weights import load_weights  # noqa: F401 (re-exported)
from .lexicon import (Lexicon, default_lexicon, exclamation_level, fast_fold, fingerprint, own_text,
                      pack_print, shouting_level, similarity, tokens, unpack_print)
from .model import CONVERSATION_KINDS, STATUSES, TIERS, Event
from .timeutil import format_ts, human_duration, parse_ts

#: Each later customer message counts an earlier one's words and tone at 60 %.
DECAY = 0.6
MAX_HITS = 4  # phrases kept for the explanation, most recent first
MAX_PRINTS = 4  # fingerprints of the customer's latest messages kept for repetition
REPEAT_THRESHOLD = 0.5  # shared content (Jaccard-like) from which a message is a repeat


@dataclass
class CaseStats:
    """What heat needs to know about a case's events, folded once and stored as JSON."""

    waiting_since: str | None = None  # first customer message we have not answered yet
    last_in_at: str | None = None
    last_out_at: str | None = None
    exchanges: int = 0  # messages to or from the customer
    engineers: list[str] = field(default_factory=list)  # distinct engineers who answered
    wait_t: int | None = None  # epoch seconds of waiting_since
    in_t: int | None = None  # epoch seconds of last_in_at
    out_t: int | None = None  # epoch seconds of last_out_at
    first_t: int | None = None  # first message to or from the customer
    turns: int = 0  # back-and-forths: the speaker changed (customer <-> us)
    words: float = 0.0  # lexicon weight of customer messages, older ones decayed
    hits: str = ""  # phrases behind `words`, most recent first, "|"-separated
    bang: float = 0.0  # repeated "!", decayed like words
    shout: float = 0.0  # SHOUTING, decayed like words
    repeats: int = 0  # customer messages that repeat an earlier one of theirs
    repeat_sim: float = 0.0  # the most similar repeat (0..1), for the explanation
    prints: str = ""  # fingerprints of the customer's latest messages, space-separated

    def to_json(self) -> str:
        """Compact JSON; fields at their default value are left out."""
        state = self.__dict__  # stats loaded by from_json only hold non-default fields
        data = {k: state[k] for k, default in _DEFAULTS.items() if k in state and state[k] != default}
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "CaseStats":
        """Load stored stats; raises ValueError naming a bad or unknown field."""
        try:
            # The decoder's C scanner without json.loads' whitespace handling:
            # stored stats are compact, and this runs for every open case each minute.
            data, end = _scan_json(text, 0)
            if end != len(text):
                raise ValueError("extra data")
        except (TypeError, ValueError, StopIteration):
            try:
                data = json.loads(text)  # the slow path, for its precise error message
            except (TypeError, json.JSONDecodeError) as exc:
                raise ValueError(f"case stats: expected a JSON object, got {text!r:.60} ({exc})") from None
        if type(data) is not dict:
            raise ValueError(f"case stats: expected a JSON object, got {text!r:.60}")
        if not data.keys() <= _DEFAULTS.keys():
            unknown = sorted(data.keys() - _DEFAULTS.keys())
            raise ValueError(f"case stats: {unknown[0]}: unknown field (expected one of "
                             f"{', '.join(_DEFAULTS)})")
        # Bypass __init__, this runs for every open case every minute: missing
        # scalar fields read the class-level defaults, the list must be fresh.
        stats = cls.__new__(cls)
        stats.__dict__.update(data)
        if "engineers" not in data:
            stats.engineers = []
        if "first_t" not in data and (data.get("last_in_at") or data.get("last_out_at")):
            _fill_epochs(stats)  # stored by the first version, before epoch fields
        return stats


_scan_json = json.JSONDecoder().scan_once
_DEFAULTS = {f.name: (f.default_factory() if callable(f.default_factory) else f.default)
             for f in fields(CaseStats)}


def _fill_epochs(stats: CaseStats) -> None:
    for iso, epoch in (("waiting_since", "wait_t"), ("last_in_at", "in_t"), ("last_out_at", "out_t")):
        value = getattr(stats, iso)
        if value and getattr(stats, epoch) is None:
            setattr(stats, epoch, int(parse_ts(value).timestamp()))
    stats.first_t = min(t for t in (stats.in_t, stats.out_t, stats.wait_t) if t is not None)


@dataclass(frozen=True, slots=True)
class Heat:
    """A case's heat: `score` 0..100 and the terms it is the sum of (capped at 100)."""

    score: int
    terms: tuple[Term, ...]  # largest first, zero terms omitted


# --- folding events ------------------------------------------------------------

def add_event(stats: CaseStats, event: Event, *, lexicon: Lexicon | None = None) -> CaseStats:
    """Fold one more *event* into *stats* (updated in place and returned).

    Events must come in time order (to the second); an older message than the
    last one folded raises ValueError: refold the case with `fold_events`.
    """
    if event.kind not in CONVERSATION_KINDS or event.direction not in ("in", "out"):
        return stats  # notes, actions, status changes: no effect on heat
    if event.at.tzinfo is None:
        raise ValueError(f"event {event.kind} by {event.author!r}: at: expected a timezone-aware "
                         f"time, got {event.at.isoformat()}")
    t = int(event.at.timestamp())
    last = max(stats.in_t or 0, stats.out_t or 0)
    if t < last:
        raise ValueError(f"event {event.kind} by {event.author!r} at {format_ts(event.at)} is older "
                         "than the case's last message; refold the case with fold_events")
    at = format_ts(event.at)
    if stats.first_t is None:
        stats.first_t = t
    inbound = event.direction == "in"
    if stats.exchanges and inbound != (stats.waiting_since is not None):
        stats.turns += 1
    stats.exchanges += 1
    if inbound:
        stats.last_in_at, stats.in_t = at, t
        if stats.waiting_since is None:
            stats.waiting_since, stats.wait_t = at, t
        _read_customer(stats, event.body, lexicon or default_lexicon())
    else:
        stats.last_out_at, stats.out_t = at, t
        stats.waiting_since = stats.wait_t = None
        if event.author and event.author not in stats.engineers:
            stats.engineers.append(event.author)
    return stats


def fold_events(events: Iterable[Event], *, lexicon: Lexicon | None = None) -> CaseStats:
    """Fold a case's events (any order; sorted by time here) into fresh stats."""
    stats = CaseStats()
    for event in sorted(events, key=lambda e: e.at):
        add_event(stats, event, lexicon=lexicon)
    return stats


def _read_customer(stats: CaseStats, body: str, lexicon: Lexicon) -> None:
    """Words, tone and repetition of one customer message."""
    text = own_text(body)
    folded = fast_fold(text)
    words = tokens(folded)
    found = sorted(lexicon.scan(folded, words), key=lambda p: (-p.weight, p.text))
    # Rounded so that stored stats stay short and a JSON round trip is exact.
    stats.words = round(stats.words * DECAY + sum(p.weight for p in found), 3)
    if found:
        new = [p.text for p in found]
        # "|" never occurs in a phrase: parse_lexicon accepts words, spaces, - and ' only.
        stats.hits = "|".join((new + [h for h in stats.hits.split("|") if h and h not in new])[:MAX_HITS])
    stats.bang = round(stats.bang * DECAY + exclamation_level(text), 3)
    stats.shout = round(stats.shout * DECAY + shouting_level(text), 3)
    print_ = fingerprint(words, lexicon.vocabulary)
    if print_ is not None:
        earlier = stats.prints.split()
        best = max((similarity(print_, unpack_print(old)) for old in earlier), default=0.0)
        if best >= REPEAT_THRESHOLD:
            stats.repeats += 1
            stats.repeat_sim = max(stats.repeat_sim, round(best, 2))
        stats.prints = " ".join([*earlier, pack_print(print_)][-MAX_PRINTS:])


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
          incident_open: bool = False, weights: Weights = DEFAULT_WEIGHTS) -> Heat:
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


def steady_points(stats: CaseStats, weights: Weights = DEFAULT_WEIGHTS) -> float:
    """The points of the terms that do not move with time (exchanges, words, repeats, engineers)."""
    return sum(map(_by_points, _steady_terms(stats, weights)))


def heat_value(steady: float, *, wait_t: int | None, out_t: int | None, status: str, opened_t: float,
               tier: str, now_t: float, incident_open: bool = False, weights: Weights = DEFAULT_WEIGHTS) -> int:
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
    add = terms.append
    # Durations in the unit shown: minutes, or whole hours beyond a day.
    if wait_t is not None and status != "pending":
        m = int(now_t - wait_t) // 60
        if m > 0:
            if m >= 1440:
                m -= m % 60
            table = waiting_terms
            t = table.get(m)
            if t is None:
                t = _memo(table, m, _waiting_term, weights, m)
            if t:
                add(t)
    m = int(now_t - opened_t) // 60
    if m > 0:
        if m >= 1440:
            m -= m % 60
        table = age_terms
        t = table.get(m)
        if t is None:
            t = _memo(table, m, _age_term, weights, m)
        if t:
            add(t)
    return terms


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
        table = exchanges_terms
        t = table.get(key)
        if t is None:
            t = _memo(table, key, _exchanges_term, weights, key)
        if t:
            add(t)
    if stats.words or stats.bang or stats.shout:
        key = (stats.words, stats.bang, stats.shout, stats.hits)
        table = words_terms
        t = table.get(key)
        if t is None:
            t = _memo(table, key, _words_term, weights, key)
        if t:
            add(t)
    if stats.repeats:
        key = (stats.repeats, stats.repeat_sim)
        table = repeats_terms
        t = table.get(key)
        if t is None:
            t = _memo(table, key, _repeats_term, weights, key)
        if t:
            add(t)
    n = len(stats.engineers)
    if n > 1:
        table = engineers_terms
        t = table.get(n)
        if t is None:
            t = _memo(table, n, _engineers_term, weights, n)
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
