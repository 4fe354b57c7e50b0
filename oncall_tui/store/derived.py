"""Keep each case's derived columns (stats, heat, waiting time) current.

Two paths: `refresh_cases` refolds the events of the cases that changed (an
import, a note, an action); `retick` rescores every open case from its stored
stats as time passes, in batches, without touching the events at all.

Refreshing also links a case to the same customer's earlier cases on a similar
request (within the weights' `repeat_window_days`), from the topics stored in
their stats: the link ("asked before in T-…") is kept in the case's stats, so
the clock tick reads it like any other stored number.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Iterable

from ..core.heat_model import HeatModel
from ..core.heat_score import (
    Heat,
    due_at,
    heat_holds_until,
    heat_value,
    is_troubled,
    mode_of,
    promise_lapsed_at,
    score,
    steady_points,
)
from ..core.heat_stats import CaseStats, fold_events
from ..core.heat_weights import Weights
from ..core.lexicon import (
    pack_print,
    topic_overlap,
    topic_print,
    topic_words,
    unpack_print,
)
from ..core.model import OPEN_STATUSES, Event
from ..core.timeutil import format_ts, parse_ts, zone

CHANGES_KEPT = 100_000  # rows of the change log kept (see schema migration 4)
#: Two requests are the same when they share (words, share of the smaller topic) at least one of these.
SAME_REQUEST = ((3, 0.4), (2, 0.5))

#: Whether a case's incident is still open: the one definition every query uses.
INCIDENT_OPEN_SQL = ("(c.incident_id IS NOT NULL AND EXISTS (SELECT 1 FROM incidents i "
                     "WHERE i.id = c.incident_id AND i.status != 'resolved'))")
#: An event sent to many cases at once (incident update, mass mailing): `meta.broadcast` is set.
BROADCAST_SQL = "(json_extract(meta, '$.broadcast') IS NOT NULL)"
CLOSING_SQL = "(json_extract(meta, '$.closing') IS NOT NULL)"


def refresh_cases(conn, case_ids: Iterable[str], now: datetime, heat: HeatModel) -> int:
    """Refold events into stats and rescore the given cases. Call inside a write transaction.

    Each case's stored topic is its first message's plus its subject's words.
    When that topic is new or changed, the same customer's open cases opened
    after it (within the repeat window) are relinked too: it may be the earlier
    case they repeat.
    """
    folded: dict[str, list] = {}  # id -> [customer, opened, status, tier, incident, stats, last event, changed]
    for case_id in case_ids:
        if case_id in folded:
            continue
        row = conn.execute(
            f"SELECT c.status, c.opened_at, cu.tier, {INCIDENT_OPEN_SQL} AS incident_open, c.customer_id, "
            "c.subject, json_extract(c.stats, '$.topic'), cu.timezone FROM cases c "
            "JOIN customers cu ON cu.id = c.customer_id WHERE c.id = ?", (case_id,)).fetchone()
        if row is None:
            continue
        events = [
            Event(parse_ts(r[0]), r[1], r[2], r[3], r[4], r[5], bool(r[6]), bool(r[7]))
            for r in conn.execute(
                f"SELECT at, kind, direction, author, body, channel, {BROADCAST_SQL}, {CLOSING_SQL} FROM events "
                "WHERE case_id = ? ORDER BY at, seq", (case_id,))
        ]
        # A closed case scores 0 whatever its words: the reader (~0.4 ms a message) is spent on open ones only
        # (reopening one refolds it). A first sync or an import is mostly closed history.
        stats = fold_events(events, lexicon=heat.lexicon, promise_window_hours=heat.weights.promise_window_hours,
                            tz=zone(row[7]), reads_outage=heat.reads_outage if row[0] in OPEN_STATUSES else None,
                            outage_window_hours=heat.weights.promise_outage_window_hours, subject=row[5])
        stats.topic = case_topic(stats.topic, row[5], heat.lexicon.single_words)
        folded[case_id] = [row[4], row[1], row[0], row[2], bool(row[3]), stats,
                           format_ts(events[-1].at) if events else None, stats.topic != (row[6] or "")]
    relinked = _link_repeats(conn, folded, heat.weights)
    for case_id, (_, opened, status, tier, incident, stats, last, _) in folded.items():
        _store_score(conn, case_id, stats, status, opened, tier, incident, now, heat.weights, last_event_at=last)
    for case_id, (opened, status, tier, incident, stats) in relinked.items():
        _store_score(conn, case_id, stats, status, opened, tier, incident, now, heat.weights)
    return len(folded)


def case_topic(first_message: str, subject: str, ignore: frozenset[str]) -> str:
    """A case's stored topic: the packed words of its first customer message and of its subject."""
    words = set(unpack_print(first_message)) if first_message else set()
    words.update(topic_print(topic_words(subject), ignore))
    return pack_print(sorted(words)) if words else ""


def _link_repeats(conn, folded: dict[str, list], weights: Weights) -> dict[str, tuple]:
    """Set `before`/`earlier` in the stats of the refreshed cases; relink the open cases that may repeat a
    refreshed one whose topic changed. Returns those relinked: {id: (opened, status, tier, incident, stats)}."""
    window = timedelta(days=weights.repeat_window_days)
    by_customer: dict[str, list[str]] = {}
    for item in folded.values():
        by_customer.setdefault(item[0], []).append(item[1])
    relinked = {}
    for customer, opened in by_customer.items():
        low = format_ts(parse_ts(min(opened)) - window)
        high = format_ts(parse_ts(max(opened)) + window)
        cases = conn.execute(
            f"SELECT c.id, c.opened_at, json_extract(c.stats, '$.topic'), c.status, cu.tier, {INCIDENT_OPEN_SQL} "
            "FROM cases c JOIN customers cu ON cu.id = c.customer_id "
            "WHERE c.customer_id = ? AND c.opened_at >= ? AND c.opened_at <= ? ORDER BY c.opened_at, c.id",
            (customer, low, high)).fetchall()
        if len(cases) < 2:
            for case_id, *_ in cases:
                if case_id in folded:
                    folded[case_id][5].before, folded[case_id][5].earlier = "", 0
            continue
        topics = {r[0]: folded[r[0]][5].topic if r[0] in folded else (r[2] or "") for r in cases}
        changed = [folded[k][1] for k in folded if folded[k][0] == customer and folded[k][7]]
        first_change = min(changed) if changed else None
        for i, (case_id, opened_at, _, status, tier, incident) in enumerate(cases):
            mine = case_id in folded
            if not mine and (first_change is None or opened_at < first_change or status not in OPEN_STATUSES):
                continue
            since = format_ts(parse_ts(opened_at) - window)
            topic = unpack_print(topics[case_id]) if topics[case_id] else ()
            same = [other for other, other_opened, *_ in cases[:i]
                    if other_opened >= since and topics[other] and _same_request(topic, unpack_print(topics[other]))]
            before, earlier = (same[-1], len(same)) if same else ("", 0)
            if mine:
                stats = folded[case_id][5]
                stats.before, stats.earlier = before, earlier
                continue
            stats = CaseStats.from_json(conn.execute("SELECT stats FROM cases WHERE id = ?", (case_id,)).fetchone()[0])
            if (stats.before, stats.earlier) != (before, earlier):
                stats.before, stats.earlier = before, earlier
                relinked[case_id] = (opened_at, status, tier, bool(incident), stats)
    return relinked


def _same_request(a, b) -> bool:
    shared, share = topic_overlap(a, b)
    return any(shared >= words and share >= part for words, part in SAME_REQUEST)


def _store_score(conn, case_id, stats, status, opened_at, tier, incident_open, now, weights: Weights,
                 last_event_at=None) -> None:
    h = score(stats, status=status, opened_at=parse_ts(opened_at), tier=tier, now=now,
              incident_open=incident_open, weights=weights)
    # A customer message we have not answered is waiting on us, whatever the status says; so is
    # one whose answer was a promise of ours that has run out (the heat counts that wait too).
    waiting = None
    if status not in ("resolved", "closed"):
        lapsed = promise_lapsed_at(stats.wait_t, stats.out_t, now.timestamp(), weights, mode_of(stats),
                                   stats.promise_t, bool(stats.down or stats.harm))
        waiting = stats.waiting_since if lapsed is None else _epoch_ts(lapsed)
    conn.execute(
        "UPDATE cases SET stats = ?, heat = ?, heat_rank = ?, is_open = ?, waiting_since = ?, exchanges = ?, "
        "heat_at = ?, last_event_at = COALESCE(?, last_event_at) WHERE id = ?",
        (stats.to_json(), h.score, h.rank, int(status in OPEN_STATUSES), waiting, stats.exchanges,
         format_ts(now), last_event_at, case_id))


class RetickMemo:
    """What one clock tick learned about each open case, reused by the next tick.

    Per case, packed in 75 bytes: a hash of its stored stats, opening time,
    status, tier and whether its incident is open; the points that do not
    move with time, its two times, its opening time, how its last word cools
    it (`heat_score.mode_of`), the moment a promise of ours named, the
    customer's own deadline; and the heat the tick gave it with the moment it
    holds until (`heat_score.heat_holds_until`).
    A case unchanged since the last tick is not rescored while its heat holds
    (past a day open and waiting, an hour), and rescored without decoding its
    stats when it moves. About 0.2 kB a case with its key; the app keeps one
    for its heat tick.
    """

    def __init__(self) -> None:
        self.weights = None
        self.cases: dict[str, bytes] = {}


# version, steady points, wait_t, out_t (-1: none), opened_t, mode (+ DOWN_BIT...), promise_t, due_t (-1: none),
# and what the last tick gave it: heat, rank, and until when it holds
_MEMO_ROW = struct.Struct("<qdqqdBqqhqd")
_DOWN_BIT = 8  # beside the mode: they said it is down (heat_value's `down`)
_HARM_BIT = 16  # ...and at risk (heat_value's `harm`)
_TROUBLE_BIT = 32  # ...slow, their copy down, or on the chat (heat_value's `troubled`)
_SPARED_BIT = 64  # ...the incident's update says their services are not affected (heat_value's `spared`)
_BREAKS_BIT = 128  # ...their deadline is when something breaks by itself (heat_value's `breaks`)
_FLAGS = _DOWN_BIT | _HARM_BIT | _TROUBLE_BIT | _SPARED_BIT | _BREAKS_BIT


@dataclass
class TickChanges:
    """What a clock tick changes: new heat values, and the cases whose promise ran out (they wait again)."""

    heat: list[tuple[int, int, str]] = field(default_factory=list)  # (new heat, new rank, case id)
    waiting: list[tuple[str, str]] = field(default_factory=list)  # (waiting since, case id)

    def __len__(self) -> int:
        return len(self.heat) + len(self.waiting)


def retick(store, now: datetime, weights: Weights, *, batch: int = 5000, memo: RetickMemo | None = None) -> int:
    """Rescore every open case at *now* from stored stats; returns how many changed."""
    changes = changed_heat(store, now, weights, memo=memo)
    for start in range(0, len(changes.heat), batch):
        with store.write() as conn:
            conn.set_columns("cases", ("heat", "heat_rank"), "id", changes.heat[start:start + batch])
    with store.write() as conn:
        write_waiting(conn, changes.waiting)
        sample_heat(conn, now)
    return len(changes)


def write_heat(conn, changes: TickChanges) -> None:
    """Store what a tick changed (`changed_heat`), inside the caller's transaction."""
    conn.set_columns("cases", ("heat", "heat_rank"), "id", changes.heat)
    write_waiting(conn, changes.waiting)


def write_waiting(conn, waiting: list[tuple[str, str]]) -> None:
    """Mark cases as waiting on us again since the given instant: (waiting since, case id) pairs."""
    # A promise runs out once per case: a handful per tick at most, one statement each is fine.
    for since, case_id in waiting:
        conn.execute("UPDATE cases SET waiting_since = ? WHERE id = ?", (since, case_id))


def changed_heat(store, now: datetime, weights: Weights, *, memo: RetickMemo | None = None) -> TickChanges:
    """What changes at *now* for the open cases: heat that differs from the stored one, and the cases
    whose promise of ours has run out without their stored wait saying so. Writes nothing."""
    # Tiers and open incidents are small: look them up in memory instead of joining per row.
    tiers = dict(store.conn.execute("SELECT id, tier FROM customers"))
    open_incidents = {r[0] for r in store.conn.execute("SELECT id FROM incidents WHERE status != 'resolved'")}
    # Streamed, not fetched all at once: 100k stats strings would hold ~80 MB at the peak.
    rows = store.iterate_open_cases(
        "id, stats, status, opened_at, customer_id, incident_id, heat, heat_rank, waiting_since")
    changes = TickChanges()
    updates = changes.heat
    from_json = CaseStats.from_json
    now_t = now.timestamp()
    known = memo.cases if memo is not None and memo.weights == weights else {}
    learned: dict[str, bytes] = {}
    pack, unpack = _MEMO_ROW.pack, _MEMO_ROW.unpack
    for case_id, stats_json, status, opened_at, customer_id, incident_id, old, old_rank, waiting in rows:
        tier, incident_open = tiers[customer_id], incident_id in open_incidents
        packed = None
        if memo is not None:
            version = hash((stats_json, opened_at, status, tier, incident_open))
            packed = known.get(case_id)
            if packed is not None:
                seen, steady, wait_t, out_t, opened, flags, promise_t, due_t, new, rank, until = unpack(packed)
                if seen != version:
                    packed = None
                elif now_t < until:  # nothing it is scored on moved: same heat, no promise ran out
                    learned[case_id] = packed
                    if rank != old_rank or new != old:
                        updates.append((new, rank, case_id))
                    continue
        if packed is None:
            stats = from_json(stats_json)
            steady, wait_t, out_t, mode = steady_points(stats, weights), stats.wait_t, stats.out_t, mode_of(stats)
            promise_t, down, harm, due_t = stats.promise_t, bool(stats.down), bool(stats.harm), due_at(stats)
            trouble, spared, breaks = is_troubled(stats), stats.incident_spared, stats.due_breaks
            # Stored timestamps are canonical ("...Z"), which fromisoformat reads directly.
            opened = datetime.fromisoformat(opened_at).timestamp()
            flags = (mode | (_DOWN_BIT if down else 0) | (_HARM_BIT if harm else 0) | (_TROUBLE_BIT if trouble else 0)
                     | (_SPARED_BIT if spared else 0) | (_BREAKS_BIT if breaks else 0))
        else:
            wait_t = None if wait_t < 0 else wait_t
            out_t = None if out_t < 0 else out_t
            promise_t = None if promise_t < 0 else promise_t
            due_t = None if due_t < 0 else due_t
            down, harm, trouble = bool(flags & _DOWN_BIT), bool(flags & _HARM_BIT), bool(flags & _TROUBLE_BIT)
            spared, breaks = bool(flags & _SPARED_BIT), bool(flags & _BREAKS_BIT)
            mode = flags & ~_FLAGS
        new, rank = heat_value(steady, wait_t=wait_t, out_t=out_t, status=status, opened_t=opened, tier=tier,
                               now_t=now_t, incident_open=incident_open, weights=weights, mode=mode,
                               promise_t=promise_t, down=down, harm=harm, due_t=due_t, troubled=trouble,
                               spared=spared, breaks=breaks)
        if rank != old_rank or new != old:
            updates.append((new, rank, case_id))
        if waiting is None:
            lapsed = promise_lapsed_at(wait_t, out_t, now_t, weights, mode, promise_t, down or harm)
            if lapsed is not None:
                changes.waiting.append((_epoch_ts(lapsed), case_id))
        if memo is not None:
            # Not before a promise of ours runs out; after, the minutes waited since then move each minute.
            until = heat_holds_until(wait_t=wait_t, out_t=out_t, opened_t=opened, now_t=now_t, weights=weights,
                                     mode=mode, promise_t=promise_t, broken=down or harm, due_t=due_t)
            learned[case_id] = pack(version, steady, -1 if wait_t is None else wait_t,
                                    -1 if out_t is None else out_t, opened, flags,
                                    -1 if promise_t is None else promise_t, -1 if due_t is None else due_t,
                                    new, rank, until)
    if memo is not None:
        memo.weights, memo.cases = weights, learned
    return changes


def _epoch_ts(t: int) -> str:
    return format_ts(datetime.fromtimestamp(t, timezone.utc))


def sample_heat(conn, now: datetime) -> None:
    """Record how many cases are hot/warm now, for the queue header's 24 h sparkline."""
    counts = dict(conn.execute("SELECT band, n FROM queue_counts"))  # kept by triggers
    hot, warm, total = counts["hot"], counts["warm"], sum(counts.values())
    conn.execute("INSERT INTO heat_samples(at, hot, warm, open) VALUES (?, ?, ?, ?) ON CONFLICT (at) DO UPDATE "
                 "SET hot = excluded.hot, warm = excluded.warm, open = excluded.open",
                 (format_ts(now.replace(second=0)), hot, warm, total))
    # A week of per-minute samples is plenty; older ones would only grow the file.
    conn.execute("DELETE FROM heat_samples WHERE at < ?", (format_ts(now - timedelta(days=7)),))
    # One change row for the whole tick (screens re-read what they show), and the log kept short:
    # a screen that fell further behind than this refreshes everything.
    conn.execute("INSERT INTO changes(what) VALUES ('heat')")
    conn.execute("DELETE FROM changes WHERE seq <= (SELECT MAX(seq) FROM changes) - ?", (CHANGES_KEPT,))


def score_row(stats_json: str, status: str, opened_at: str, tier: str, incident_open: bool,
              now: datetime, weights: Weights) -> Heat:
    """Score one stored case at *now* (for `explain` and the JSON twin)."""
    return score(CaseStats.from_json(stats_json), status=status, opened_at=parse_ts(opened_at), tier=tier,
                 now=now, incident_open=incident_open, weights=weights)
