"""Scoring a case's heat from its folded stats (see `heat_stats` for the folding).

`score` explains (every term, largest first); `heat_value` gives the same
number from the points that do not move with time, for the clock tick. An
unanswered outage and an unanswered risk (hacked, ransom, no backup) are the terms that depend on
the others: they lift the case onto [down_floor, 100] or [harm_floor, 100] in proportion to the rest
of its heat.

Besides the points, a few zero-point notes explain what the heat did *not*
count: the quoted replies, signatures and pasted logs set aside, the broadcasts
that were not answers, a reply of ours that only pointed to the docs.
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

#: How the case's last word cools it (`mode` of `heat_value`): CALM is open, but they said
#: it is not pressing, so their wait counts less.
OPEN, THEIR_MOVE, DONE, CALM, PROMISED, PARKED, ALERTED = 0, 1, 2, 3, 4, 5, 6


@dataclass(frozen=True, slots=True)
class Heat:
    """A case's heat: `score` 0..100 and the terms it is the sum of (capped at 100), and its `rank`."""

    score: int
    terms: tuple[Term, ...]  # largest first, zero terms omitted but for notes
    # The sum in tenths of a point, neither rounded to a whole point nor capped: the queue orders cases of
    # the same score by it, so two cases shown at 72 are not ordered by their ids.
    rank: int = 0

    @property
    def probably_done(self) -> bool:
        """The customer's latest message confirms it works or asks us to close."""
        return any(t.name == "done" for t in self.terms)


def mode_of(stats: CaseStats) -> int:
    """DONE when the customer's latest message closes; PROMISED when our latest reply only promised to
    come back (their "ok, thanks" after it included); THEIR_MOVE when their latest message only
    acknowledges; PARKED when an engineers' note since their latest message says nothing is for us to do
    on it now; CALM when the message opening this round said it is not pressing; else OPEN. ALERTED, before
    all but DONE, when a machine's note since our last word says it is down or at risk: nothing cools it."""
    if stats.done:
        return DONE
    if stats.alert:
        return ALERTED
    if stats.promised and stats.wait_t is None:
        return PROMISED
    return THEIR_MOVE if stats.ack else PARKED if stats.parked else CALM if stats.calm else OPEN


def promise_lapsed_at(wait_t: int | None, out_t: int | None, now_t: float, weights: Weights,
                      mode: int, promise_t: int | None = None, broken: bool = False) -> int | None:
    """When a promise of ours ran out (epoch seconds) if it has by *now_t*: the customer waits on us from then.

    A promise naming a moment (*promise_t*: "avant 14h", "jeudi matin") holds until then; a vague one
    ("je regarde") for `promise_window_hours`, or `promise_outage_window_hours` while what they said is down or
    at risk stays so (*broken*).
    """
    due = _promise_due(wait_t, out_t, weights, mode, promise_t, broken)
    return due if due is not None and now_t > due else None


def _promise_due(wait_t: int | None, out_t: int | None, weights: Weights, mode: int, promise_t: int | None,
                 broken: bool) -> int | None:
    """When a promise of ours standing as the last word runs out (see `promise_lapsed_at`), or None."""
    if mode != PROMISED or wait_t is not None or out_t is None:
        return None
    if promise_t is not None:
        return promise_t
    return out_t + int(3600 * (weights.promise_outage_window_hours if broken else weights.promise_window_hours))


def _missed_points(weights: Weights, mode: int, promise_t: int | None, lapsed: bool) -> float:
    """A moment we named that passed with nothing from us: it just did (*lapsed*), or the customer wrote since
    (the fold keeps the moment while no promise stands). A vague promise's window running out costs nothing
    more than the wait."""
    return weights.promise_missed_points if promise_t is not None and (lapsed or mode != PROMISED) else 0.0


def _overdue(wait_t: int | None, out_t: int | None, now_t: float, weights: Weights, mode: int,
             promise_t: int | None, broken: bool) -> int | None:
    """The wait, or for a promise of ours past its window the end of that window (they wait again)."""
    lapsed = promise_lapsed_at(wait_t, out_t, now_t, weights, mode, promise_t, broken)
    return wait_t if lapsed is None else lapsed


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


def _exchanges_term(w: Weights, key: tuple[int, int, int, float]) -> Term | bool:
    """Messages, plus the ping-pong: back-and-forths that are both many and quick."""
    n, turns, m, rate = key
    value = f"{n} message{'s' if n > 1 else ''}"
    points = w.exchanges_max * _sat(n, w.exchanges_scale)
    if turns:
        span = human_duration(m * 60) if m else "under a minute"
        value += f", {turns} back-and-forth{'s' if turns > 1 else ''} in {span}"
        points += w.pace_max * _sat(turns, w.pace_turns_scale) * _sat(rate, w.pace_rate_scale)
    return _term("exchanges", value, points)


def _chased_term(w: Weights, n: int) -> Term | bool:
    return _term("chased", f"wrote again {n}\u00d7 before any answer", w.chase_max * _sat(n, w.chase_scale))


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


def _calm_points(w: Weights, moving: list[Term]) -> float:
    """A calm customer's cooling: the flat points, and their wait counted at `calm_waiting_factor`."""
    waiting = next((t.points for t in moving if t.name == "waiting"), 0.0)
    return -(w.calm_points + (1.0 - w.calm_waiting_factor) * waiting)


def _harm_points(w: Weights, rest: float, down: bool) -> float:
    """At risk: lifted onto [harm_floor, 100] like an outage; said with an outage, its flat points (the
    outage's lift comes after)."""
    return w.harm_points if down else _lift(w.harm_points, w.harm_floor, rest)


def _lift(points: float, floor: float, rest: float) -> float:
    """The points of an unanswered outage or risk over the *rest* of the heat: at least *points*, and enough
    to lift the case onto [floor, 100] in proportion (their order is kept, none is capped)."""
    return max(points, floor * (1.0 - min(rest, 100.0) / 100.0))


def _slow_term(w: Weights, key: tuple[str, bool, str]) -> Term | bool:
    said, noted, copy = key
    what = f"their {copy} is down, production is not" if copy else "it is slow or nearly full"
    return _term("slow", f"{_who(noted)} {what}: {_quote(said)}", w.slow_points)


def _noted(stats: CaseStats, kind: str) -> bool:
    """Whether what is down ("d"), at risk ("h") or slow ("s") was said by a note, not by the customer."""
    return stats.in_t is None or kind in stats.noted


def _who(noted: bool) -> str:
    """Who says it: the customer, or the notes (the monitoring's and the engineers' on a case they have not
    written on yet; the monitoring's alone since)."""
    return "a note says" if noted else "said"


def _repeats_term(w: Weights, key: tuple[int, float, str, int, str]) -> Term | bool:
    """Repeating themselves in the case, asking again in a new case what an earlier one asked, or saying the
    problem came back after an earlier fix or was asked in another ticket (an earlier case we may not have
    linked: it counts as one)."""
    n, sim, before, earlier, back = key
    parts = [f"repeated themselves {n}\u00d7 ({sim:.0%} same)"] if n else []
    if earlier:
        more = f" and {earlier - 1} earlier case{'s' if earlier > 2 else ''}" if earlier > 1 else ""
        parts.append(f"asked before in {before}{more}")
    if back:
        parts.append(f"said it is not the first time: {_quote(back)}")
    return _term("repeats", "; ".join(parts), w.repeat_max * _sat(n + (earlier or bool(back)), w.repeat_scale))


def _bounced_term(w: Weights, key: tuple[int, int]) -> Term | bool:
    bounces, back = key
    links = f"{bounces} repl{'ies' if bounces > 1 else 'y'} of ours only pointed to the docs or a template"
    if not back:
        return Term("bounced", f"{links}: the clock still runs", 0.0)
    return _term("bounced", f"{links}; came back {back}\u00d7 with the same request",
                 w.bounce_max * _sat(back, w.bounce_scale))


def _engineers_term(w: Weights, n: int) -> Term | bool:
    return _term("engineers", f"{n} engineers", w.engineers_max * _sat(n - 1, w.engineers_scale))


def _set_aside_text(quoted: int, sig: int, log: int) -> str:
    # The reader loads with the first case that had something set aside, not at start.
    from .reading import set_aside_text

    return set_aside_text(quoted, sig, log)


def _notes_term(w: Weights, key: tuple[int, int, int, int, int]) -> Term | bool:
    """What was left out: quoted text, signatures, pasted logs, broadcasts, automatic replies (zero points)."""
    quoted, sig, log, broadcasts, autoreplies = key
    parts = []
    aside = _set_aside_text(quoted, sig, log) if quoted or sig or log else ""
    if aside:
        parts.append(aside)
    if broadcasts:
        parts.append(f"{broadcasts} broadcast update{'s' if broadcasts > 1 else ''} not counted as answers")
    if autoreplies:
        parts.append(f"{autoreplies} automatic repl{'ies' if autoreplies > 1 else 'y'} (out of office) not read")
    return Term("not counted", "; ".join(parts), 0.0) if parts else False


def score(stats: CaseStats, *, status: str, opened_at: datetime, tier: str, now: datetime,
          incident_open: bool = False, weights: Weights) -> Heat:
    """Heat of a case at *now*: the sum of its terms, capped at 100 and rounded.

    Resolved and closed cases score 0 with no terms. Raises ValueError for an
    unknown status or tier.
    """
    if status in _CLOSED:
        return _COLD
    spared = incident_open and stats.incident_spared
    incident_open = incident_open and not spared
    mode = mode_of(stats)
    wait_t = _overdue(stats.wait_t, stats.out_t, now.timestamp(), weights, mode, stats.promise_t,
                      bool(stats.down or stats.harm))
    terms = _moving_terms(wait_t, status, opened_at.timestamp(), tier, now.timestamp(), weights,
                          due_at(stats), stats.due, stats.due_note, stats.due_fill, stats.due_breaks)
    steady = _steady_terms(stats, weights)
    # The same sums, in the same order, as `heat_value`: both give the same score.
    total = sum(map(_by_points, terms)) + sum(map(_by_points, steady))
    missed = _missed_points(weights, mode, stats.promise_t, wait_t != stats.wait_t)
    if wait_t != stats.wait_t or missed:
        now_t = int(now.timestamp())
        made = human_duration(now_t - stats.out_t) if stats.out_t is not None else ""
        steady.append(Term("promised", f"we promised to come back {made} ago" if stats.promise_t is None else
                           f"we promised to come back by a time now {human_duration(now_t - stats.promise_t)}"
                           f" past" + (f" (promise made {made} ago)" if made else ""), missed))
        total += missed
    if mode == CALM:
        calm = _calm_points(weights, terms)
        if calm <= -0.05:
            steady.append(Term("calm", f"said it is not pressing: {_quote(stats.calm)}", calm))
        total += calm
    if stats.harm:
        # Down and at risk: the risk's points, then the outage's lift over them (one lift: the case stays
        # below 100 in proportion, not capped, so such cases keep their order).
        lift = _harm_points(weights, total, bool(stats.down))
        if lift >= 0.05:
            steady.append(Term("risk", f"{_who(_noted(stats, 'h'))} data or security is at risk: "
                                       f"{_quote(stats.harm)}", lift))
        total += lift
    if stats.down:
        lift = _lift(weights.down_points, weights.down_floor, total)
        if lift >= 0.05:
            said = "reads as an outage" if stats.down_read else f"{_who(_noted(stats, 'd'))} it is down"
            steady.append(Term("down", f"{said}: {_quote(stats.down)}", lift))
        total += lift
    terms += steady
    total = _finish(total, status == "pending", wait_t, stats.out_t, now.timestamp(), incident_open,
                    weights, mode, terms, stats, broken=bool(stats.down or stats.harm))
    if spared:
        terms.append(Term("incident", "linked to an open incident whose update says their services are not "
                                      "affected: not lifted" if stats.spared else
                                      "linked to an open incident, and the latest update, our reply or a check says "
                                      "the services are back, and they have not written since: not lifted", 0.0))
    held = _held(total, weights, bool(stats.down or stats.harm) or is_troubled(stats), incident_open, missed,
                 any(t.name == "deadline" for t in terms))
    if held:
        terms.append(Term("held", f"nothing said broken, at risk or slow: held at {weights.chore_cap:g}", held))
        total += held
    if len(terms) > 1:
        terms.sort(key=_by_points, reverse=True)
    heat, rank = _rounded(total)
    return Heat(heat, tuple(terms), rank)


def _rounded(total: float) -> tuple[int, int]:
    """The score (0..100, whole points) and the rank (tenths, uncapped) of a sum of points."""
    return min(100, max(0, int(total + 0.5))), int(total * 10 + (0.5 if total >= 0 else -0.5))


def steady_points(stats: CaseStats, weights: Weights) -> float:
    """The points of the terms that do not move with time (exchanges, words, repeats, engineers...)."""
    return sum(map(_by_points, _steady_terms(stats, weights)))


def heat_value(steady: float, *, wait_t: int | None, out_t: int | None, status: str, opened_t: float,
               tier: str, now_t: float, incident_open: bool = False, weights: Weights, mode: int = OPEN,
               promise_t: int | None = None, down: bool = False, harm: bool = False,
               due_t: int | None = None, troubled: bool = False, spared: bool = False,
               breaks: bool = False) -> tuple[int, int]:
    """`score(...).score` and `.rank` from `steady_points`, `mode_of` and the case's times, without the explanation
    (*down*, *harm*: the stats say it is down, at risk; *troubled*: `is_troubled`; *spared*: the stats'
    `incident_spared`, the incident's update says their services are not affected or are back; *breaks*: the
    stats' `due_breaks`).

    The clock tick rescores every open case each minute: this skips building,
    sorting and returning terms. Same arithmetic as `score`, so the same result.
    """
    if status in _CLOSED:
        return 0, 0
    incident_open = incident_open and not spared
    lapsed_t = _overdue(wait_t, out_t, now_t, weights, mode, promise_t, down or harm)
    moving = _moving_terms(lapsed_t, status, opened_t, tier, now_t, weights, due_t, due_breaks=breaks)
    total = sum(map(_by_points, moving)) + steady
    missed = _missed_points(weights, mode, promise_t, lapsed_t != wait_t)
    total += missed
    wait_t = lapsed_t
    if mode == CALM:
        total += _calm_points(weights, moving)
    if harm:
        total += _harm_points(weights, total, down)
    if down:
        total += _lift(weights.down_points, weights.down_floor, total)
    total = _finish(total, status == "pending", wait_t, out_t, now_t, incident_open, weights, mode, None, None,
                    broken=down or harm)
    total += _held(total, weights, down or harm or troubled, incident_open, missed,
                   any(t.name == "deadline" for t in moving))
    return _rounded(total)


def heat_holds_until(*, wait_t: int | None, out_t: int | None, opened_t: float, now_t: float, weights: Weights,
                     mode: int = OPEN, promise_t: int | None = None, broken: bool = False,
                     due_t: int | None = None) -> float:
    """Until when (epoch seconds) `heat_value` gives the case the value it has at *now_t* (*broken*: down or
    at risk): the next minute or hour the wait or the age is shown in, the deadline's next hour, a promise
    of ours running out. Past a day open and waiting, most cases' heat moves once an hour: the clock tick
    need not rescore them every minute. Never later than the first change; it may be earlier."""
    due = _promise_due(wait_t, out_t, weights, mode, promise_t, broken)
    lapsed = due if due is not None and now_t > due else None
    until = float(due) if due is not None and lapsed is None else math.inf
    for since in (wait_t if lapsed is None else lapsed, opened_t):
        if since is not None:
            until = min(until, _next_shown(now_t - since) + since)
    if due_t is not None:
        left = _hours_left(now_t, due_t)
        if left:
            # The whole seconds to the moment are counted: the hour turns up to a second before it.
            until = min(until, due_t - 3600 * (left - 1) - 1)
    return until


def _next_shown(seconds: float) -> float:
    """The next duration, in seconds, shown otherwise than *seconds* is (see `_shown_minutes`)."""
    if seconds < 0:
        return seconds  # a moment after now (a clock set wrong): rescore each time
    m = _shown_minutes(seconds)
    return 60.0 * (m + (60 if m >= 1440 else 1))


def due_at(stats: CaseStats) -> int | None:
    """The moment the customer needs it by, as the heat counts it (epoch seconds), or None.

    A billing or commercial matter's deadline ("the corrected invoice before our closing on the 10th") is the
    sales team's, in their hours: it neither lifts the case nor frees it from the chore cap."""
    return None if stats.sales else stats.due_t


def is_troubled(stats: CaseStats) -> bool:
    """Said slow or nearly full, their copy down, or waiting on the chat (down and at risk have their own
    flags): with any of these, a case is not a chore (see `_held`)."""
    return bool(stats.slow or stats.copy_down or stats.live)


def _held(total: float, weights: Weights, trouble: bool, incident_open: bool, missed: float, due: bool) -> float:
    """The points that hold a chore at `chore_cap`: a case with nothing said broken, at risk or slow, no
    deadline, no promise of ours missed and no open incident, however long it waited and however loudly
    (an outage reported an hour ago outranks a quote request chased for a week)."""
    if trouble or incident_open or missed or due or total <= weights.chore_cap:
        return 0.0
    return weights.chore_cap - total


def _moving_terms(wait_t: int | None, status: str, opened_t: float, tier: str, now_t: float,
                  weights: Weights, due_t: int | None = None, due: str = "", due_note: bool = False,
                  due_fill: bool = False, due_breaks: bool = False) -> list[Term]:
    """Tier, then the terms that grow with time: waiting, age and the customer's deadline (in this order).

    The customer waits whenever their message is unanswered, whatever the
    status says: a case left pending after they wrote back is their turn no more.
    """
    if status not in _STATUSES:
        raise ValueError(f"status: expected one of {', '.join(STATUSES)}, got {status!r}")
    waiting_terms, age_terms, *_, deadline_terms, tiers = weights._tables
    try:
        t = tiers[tier]
    except KeyError:
        raise ValueError(f"tier: expected one of {', '.join(TIERS)}, got {tier!r}") from None
    terms: list[Term] = [t] if t else []
    if wait_t is not None:
        t = _duration_term(waiting_terms, _waiting_term, weights, now_t - wait_t)
        if t:
            terms.append(t)
    t = _duration_term(age_terms, _age_term, weights, now_t - opened_t)
    if t:
        terms.append(t)
    if due_t is not None:
        left = _hours_left(now_t, due_t)
        if left < weights.deadline_scale_hours:
            t = _term_for(deadline_terms, (left, due, due_note, due_fill, due_breaks), _deadline_term, weights)
            if t:
                terms.append(t)
    return terms


def _deadline_term(w: Weights, key: tuple[int, str, bool, bool, bool]) -> Term | bool:
    left, due, in_note, fill, breaks = key
    when = f"in {human_duration(left * 3600)}" if left else "passed"
    whose = "a disk fills at the rate reported" if fill else "a note says it is due" if in_note else "their deadline"
    # The moment on the customer's clock, as they said it: the engineer reading it may be elsewhere.
    return _term("deadline", f"{whose} {due} (their time) {when}" if due else f"{whose}: {when}",
                 (w.deadline_breaks_points if breaks else w.deadline_points) * (1.0 - left / w.deadline_scale_hours))


def _duration_term(table: dict, build, weights: Weights, seconds: float) -> Term | bool:
    """The term for a duration, counted in the unit shown (`_shown_minutes`)."""
    m = _shown_minutes(seconds)
    return _term_for(table, m, build, weights) if m > 0 else False


def _shown_minutes(seconds: float) -> int:
    """A duration in the unit shown: whole minutes, or whole hours (in minutes) beyond a day."""
    m = int(seconds) // 60
    return m - m % 60 if m >= 1440 else m


def _hours_left(now_t: float, due_t: int) -> int:
    """Whole hours left until *due_t*, rounded up (0 once passed): the deadline's points only grow as it nears."""
    return max(0, -(int(now_t - due_t) // 3600))


def _term_for(table: dict, key, build, weights: Weights) -> Term | bool:
    """The term for *key*, built once per Weights (see "scoring")."""
    t = table.get(key)
    return _memo(table, key, build, weights, key) if t is None else t


def _steady_terms(stats: CaseStats, weights: Weights) -> list[Term]:
    """Exchanges and their pace, chasers, words and tone, slow, repeats, bounces, engineers, notes (in this
    order). An outage and a risk are not among them: their points depend on the rest (`_lift`)."""
    (_, _, exchanges_terms, words_terms, repeats_terms, engineers_terms, chased_terms, bounced_terms,
     notes_terms, slow_terms, _, _) = weights._tables
    terms: list[Term] = []
    add = terms.append
    n = stats.exchanges
    if n:
        turns = stats.turns
        if turns:
            first = stats.first_t
            last = stats.turn_t
            if last is None:  # stored before turn_t: the span to the last message
                last = max(stats.in_t or first, stats.out_t or first)
            m = (last - first) // 60
            rate = stats.pace or round(turns * 60 / max(m, 60), 3)
            # The span in minutes, whole hours or whole days: "in 3 h", "in 2 d".
            if m >= 1440:
                m -= m % 1440
            elif m >= 60:
                m -= m % 60
            key = (n, turns, m, rate)
        else:
            key = (n, 0, 0, 0.0)
        t = _term_for(exchanges_terms, key, _exchanges_term, weights)
        if t:
            add(t)
    if stats.chases:
        t = _term_for(chased_terms, stats.chases, _chased_term, weights)
        if t:
            add(t)
    if stats.words or stats.bang or stats.shout:
        key = (stats.words, stats.bang, stats.shout, stats.hits)
        t = _term_for(words_terms, key, _words_term, weights)
        if t:
            add(t)
    # Slow is the lesser of down: a case said to be both counts as down.
    if stats.slow and not stats.down:
        t = _term_for(slow_terms, (stats.slow, _noted(stats, 's'), stats.copy_down), _slow_term, weights)
        if t:
            add(t)
    if stats.repeats or stats.earlier or stats.back:
        key = (stats.repeats, stats.repeat_sim, stats.before, stats.earlier, stats.back)
        t = _term_for(repeats_terms, key, _repeats_term, weights)
        if t:
            add(t)
    if stats.bounces and (stats.bounced or stats.bounce_open):
        t = _term_for(bounced_terms, (stats.bounces, stats.bounced), _bounced_term, weights)
        if t:
            add(t)
    n = len(stats.engineers)
    if n > 1:
        t = _term_for(engineers_terms, n, _engineers_term, weights)
        if t:
            add(t)
    if stats.sales and weights.sales_points >= 0.05:
        hours = " (their deadline is the sales team's)" if stats.due_t is not None else ""
        add(Term("sales", f"a billing or commercial matter: {_quote(stats.sales)}{hours}", -weights.sales_points))
    if stats.live and weights.live_points >= 0.05:
        add(Term("live", "waiting on the chat", weights.live_points))
    if stats.quoted or stats.sig or stats.log or stats.broadcasts or stats.autoreplies:
        t = _term_for(notes_terms, (stats.quoted, stats.sig, stats.log, stats.broadcasts, stats.autoreplies),
                      _notes_term, weights)
        if t:
            add(t)
    return terms


def _finish(total: float, pending: bool, wait_t: int | None, out_t: int | None, now_t: float,
            incident_open: bool, weights: Weights, mode: int, terms: list[Term] | None,
            stats: CaseStats | None, *, broken: bool = False) -> float:
    """Cooling (done, their move, answered) and the incident lift, added to *terms* if given.

    Nobody waits on a case whose customer said it is done: it cools the most and
    no incident lifts it. Otherwise, with the customer's message unanswered,
    nothing cools; with the last word ours (or theirs only acknowledging), the
    case cools, more if it is pending or their move.
    """
    if mode == DONE:
        if total:
            cooling = (weights.done_factor - 1.0) * total
            if terms is not None:
                terms.append(Term("done", f"probably done: they said {_quote(stats.done)}", cooling))
            total += cooling
        return total
    if total and mode != ALERTED and (mode == PARKED or wait_t is None and (pending or mode == THEIR_MOVE
                                                                          or out_t is not None)):
        # An engineer's note parking it cools it as far as waiting on the customer: their wait is someone
        # else's (accounts, the case it duplicates) or for a set time, until anyone writes.
        factor = weights.pending_factor if (pending or mode in (THEIR_MOVE, PARKED)) else weights.answered_factor
        if broken and mode == PROMISED and not pending:
            # "We're looking into it and will update you shortly" while it is still down: someone is on it,
            # nothing is fixed.
            factor = weights.promised_outage_factor
        cooling = (factor - 1.0) * total
        if cooling <= -0.05 and terms is not None:
            why = (f"their move: they said {_quote(stats.ack)}" if mode == THEIR_MOVE and stats.ack != "thanks"
                   else "their move: they only said thanks" if mode == THEIR_MOVE
                   else f"parked: an engineer noted {_quote(stats.parked)}" if mode == PARKED
                   else _cooling_why(pending, out_t, now_t))
            terms.append(Term("cooling", why, cooling))
        total += cooling
    if incident_open:
        # Lifted onto [floor, 100], keeping the order of linked cases; at least the bonus. A
        # customer we answered who then only acknowledged, or to whom our promise stands, is informed, and one
        # who said it is not pressing ("Nothing broken, just slower") is calm: the bonus alone.
        floor = 0.0 if mode in (THEIR_MOVE, PROMISED) and wait_t is None or mode in (PARKED, CALM) else weights.incident_floor
        lift = max(weights.incident_bonus, floor * (1.0 - total / 100.0))
        if lift >= 0.05 and terms is not None:
            terms.append(Term("incident", "linked to an open incident", lift))
        total += lift
    return total


def _quote(said: str) -> str:
    # What a pattern found is cut from the folded text, where a character with no plain-letter form ("«", "€") is
    # a NUL: not shown.
    return ", ".join(f"'{' '.join(p.replace(chr(0), ' ').split())}'" for p in said.split("|"))


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
