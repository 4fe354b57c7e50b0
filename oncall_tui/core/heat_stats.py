"""What heat needs to know about a case's conversation, folded once per event.

    stats = fold_events(events, lexicon=lex)      # CaseStats, JSON-serialisable, stored per case
    stats = add_event(stats, event, lexicon=lex)  # incremental, same as folding again

Folding reads the words once (lexicon hits, tone, a fingerprint for
repetition) and keeps epoch seconds, so scoring (`heat_score`) is plain
arithmetic on numbers: the queue rescores every open case each minute.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Iterable

from .lexicon import (Lexicon, exclamation_level, fast_fold, fingerprint, own_text,
                      pack_print, shouting_level, similarity, tokens, unpack_print)
from .model import CONVERSATION_KINDS, Event
from .timeutil import format_ts, parse_ts

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


# --- folding events ------------------------------------------------------------

def add_event(stats: CaseStats, event: Event, *, lexicon: Lexicon) -> CaseStats:
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
        _read_customer(stats, event.body, lexicon)
    else:
        stats.last_out_at, stats.out_t = at, t
        stats.waiting_since = stats.wait_t = None
        if event.author and event.author not in stats.engineers:
            stats.engineers.append(event.author)
    return stats


def fold_events(events: Iterable[Event], *, lexicon: Lexicon) -> CaseStats:
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

