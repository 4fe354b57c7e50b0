"""Follow-the-sun handoff briefs, computed from plain data and `now`.

At the end of a shift the engineer hands over (a) every case they touched and
(b) every hot case whose living summary is older than the customer's last
message — the cases where the next region would otherwise make the customer
explain again. The brief renders as Markdown (stored in the history), JSON
(the scriptable twin) and a short chat text (Slack/Mattermost webhook).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .model import HOT_HEAT, OPEN_STATUSES
from .timeutil import format_ts, human_duration, parse_ts

HOT_THRESHOLD = HOT_HEAT
#: Bookkeeping events the handoff itself writes: they do not make a case "touched".
NOT_WORK_KINDS = frozenset({"handoff", "ack"})
#: How many cases the chat text lists before "… and N more".
TEXT_MAX_ITEMS = 10


@dataclass(frozen=True, slots=True)
class ShiftEvent:
    """One event the engineer authored on a case."""

    at: datetime
    kind: str
    direction: str = "internal"


@dataclass(frozen=True)
class CaseSnapshot:
    """What the brief needs to know about one case (built by `store.handoffs.gather`)."""

    id: str
    customer_id: str
    customer: str
    subject: str
    status: str
    heat: int
    summary: str = ""
    summary_at: datetime | None = None  # time of the last `summary` event; None if never revised
    last_customer_message_at: datetime | None = None
    my_events: tuple[ShiftEvent, ...] = ()
    #: The exact heat in tenths (`Heat.rank`) that orders cases shown at the same heat, as the queue does;
    #: None: the shown heat × 10.
    heat_rank: int | None = None


@dataclass(frozen=True)
class BriefItem:
    """One case in the brief, with the reasons it is there."""

    case_id: str
    customer_id: str
    customer: str
    subject: str
    status: str
    heat: int
    summary: str
    summary_at: datetime | None
    last_customer_message_at: datetime | None
    touched: bool
    summary_stale: bool
    touched_events: int
    reasons: tuple[str, ...]
    heat_rank: int = 0

    @property
    def why(self) -> str:
        return "; ".join(self.reasons)

    def to_dict(self) -> dict:
        return {
            "case_id": self.case_id, "customer_id": self.customer_id, "customer": self.customer,
            "subject": self.subject, "status": self.status, "heat": self.heat,
            "summary": self.summary or None,
            "summary_at": format_ts(self.summary_at) if self.summary_at else None,
            "last_customer_message_at": (format_ts(self.last_customer_message_at)
                                         if self.last_customer_message_at else None),
            "touched": self.touched, "touched_events": self.touched_events,
            "summary_stale": self.summary_stale, "why": list(self.reasons),
        }


@dataclass(frozen=True)
class Brief:
    """The handoff brief of *engineer*'s shift from *since* to *now*."""

    engineer: str
    since: datetime
    now: datetime
    hot_threshold: int
    items: tuple[BriefItem, ...] = field(default_factory=tuple)

    @property
    def case_ids(self) -> list[str]:
        return [item.case_id for item in self.items]

    @property
    def touched_count(self) -> int:
        return sum(item.touched for item in self.items)

    @property
    def stale_count(self) -> int:
        return sum(item.summary_stale for item in self.items)

    def headline(self) -> str:
        """'3 cases: 2 touched this shift, 2 hot with a stale summary'."""
        if not self.items:
            return "nothing to hand over: no case touched this shift and no hot case with a stale summary"
        return (f"{_plural(len(self.items), 'case')}: {self.touched_count} touched this shift, "
                f"{self.stale_count} hot with a stale summary")

    def to_markdown(self) -> str:
        """The full brief, stored as the handoff body."""
        lines = [f"# Handoff brief — {_line(self.engineer)}", "",
                 f"Shift {format_ts(self.since)} → {format_ts(self.now)} · {self.headline()}"]
        for item in self.items:
            lines += ["", f"## {_line(item.case_id)} · {_line(item.customer)} · heat {item.heat} · {item.status}",
                      f"Subject: {_line(item.subject)}", f"Why: {_line(item.why)}"]
            if item.summary.strip():
                lines.append("Summary:")
                lines += [f"> {line}".rstrip() for line in item.summary.strip().splitlines()]
            else:
                lines.append("Summary: _no summary_")
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict:
        return {"engineer": self.engineer, "since": format_ts(self.since), "now": format_ts(self.now),
                "hot_threshold": self.hot_threshold, "headline": self.headline(),
                "cases": [item.to_dict() for item in self.items]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    @property
    def text(self) -> str:
        """Short chat text (Slack/Mattermost): headline and one line per case."""
        lines = [_chat(f"Handoff from {self.engineer} — {self.headline()}")]
        for item in self.items[:TEXT_MAX_ITEMS]:
            flags = [f"heat {item.heat}"]
            if item.summary_stale:
                flags.append("summary stale" if item.summary.strip() else "no summary")
            if item.touched:
                flags.append("touched")
            lines.append(_chat(f"• {item.case_id} {_cut(item.customer, 30)} ({', '.join(flags)}) — "
                               f"{_cut(item.subject, 60)}"))
        if len(self.items) > TEXT_MAX_ITEMS:
            lines.append(f"… and {len(self.items) - TEXT_MAX_ITEMS} more (run `oncall handoff` to see all)")
        return "\n".join(lines)


def body_about(body: str, keep: set[str], others: set[str]) -> str:
    """What a handoff says about the *keep* cases only, for an export of their customer.

    A brief (one `## CASE · …` section per case) keeps its title and those
    cases' sections; free text keeps the lines that name one of them and none
    of *others*. Nothing left: a line saying so.
    """
    if not others:
        return body
    head, *sections = re.split(r"(?m)^(?=## )", body)
    if sections:
        kept = head + "".join(s for s in sections if s[3:].split(" ", 1)[0] in keep)
    else:
        def names(line: str, ids: set[str]) -> bool:
            return any(re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", line) for c in ids)
        kept = "\n".join(line for line in body.splitlines() if names(line, keep) and not names(line, others))
    return kept if kept.strip() else "(this handoff was about other customers' cases too: left out of this export)"


def build_brief(cases: list[CaseSnapshot] | tuple[CaseSnapshot, ...], *, engineer: str, since: datetime,
                now: datetime, hot_threshold: int = HOT_THRESHOLD) -> Brief:
    """The brief: cases *engineer* touched in [since, now], plus hot cases with a stale summary.

    Raises ValueError when *since* is after *now* or a time is not timezone-aware.
    """
    for name, value in (("since", since), ("now", now)):
        if value.tzinfo is None:
            raise ValueError(f"build_brief: {name}: expected a timezone-aware time, got {value.isoformat()}")
    if since > now:
        raise ValueError(f"build_brief: since {format_ts(since)} is after now {format_ts(now)}")
    items = []
    for case in cases:
        item = _item(case, engineer=engineer, since=since, now=now, hot_threshold=hot_threshold)
        if item is not None:
            items.append(item)
    # The queue's order, so the brief lists cases shown at the same heat as the next engineer sees them.
    items.sort(key=lambda i: (-i.heat, -i.heat_rank, i.case_id))
    return Brief(engineer, since, now, hot_threshold, tuple(items))


def _item(case: CaseSnapshot, *, engineer: str, since: datetime, now: datetime,
          hot_threshold: int) -> BriefItem | None:
    mine = [e for e in case.my_events if since <= e.at <= now and e.kind not in NOT_WORK_KINDS]
    reasons = []
    if mine:
        reasons.append(f"touched by {engineer} this shift ({_work(mine)})")
    stale = case.status in OPEN_STATUSES and case.heat >= hot_threshold and _summary_stale(case)
    if stale:
        reasons.append(_stale_reason(case, now))
    if not reasons:
        return None
    return BriefItem(case.id, case.customer_id, case.customer, case.subject, case.status, case.heat,
                     case.summary, case.summary_at, case.last_customer_message_at, bool(mine), stale,
                     len(mine), tuple(reasons), case.heat * 10 if case.heat_rank is None else case.heat_rank)


def _summary_stale(case: CaseSnapshot) -> bool:
    """No summary, or the customer wrote after it was last revised."""
    if not case.summary.strip():
        return True
    if case.last_customer_message_at is None:
        return False
    # A summary with no revision event (imported as is) has no date: assume the worst.
    return case.summary_at is None or case.summary_at < case.last_customer_message_at


def _stale_reason(case: CaseSnapshot, now: datetime) -> str:
    wrote = (f"customer wrote {_ago(case.last_customer_message_at, now)}"
             if case.last_customer_message_at else "no customer message yet")
    if not case.summary.strip():
        return f"hot ({case.heat}) and no summary; {wrote}"
    if case.summary_at is None:
        return f"hot ({case.heat}) and summary stale: undated summary; {wrote}"
    return f"hot ({case.heat}) and summary stale: summary {_ago(case.summary_at, now)}, {wrote}"


_WORK_LABELS = {("message", "out"): "reply", ("message", "in"): "customer message logged",
                "note": "note", "call": "call", "chat": "chat", "action": "action",
                "status": "status change", "summary": "summary revision", "incident": "incident update",
                "message": "message"}
_IRREGULAR = {"reply": "replies"}


def _work(events: list[ShiftEvent]) -> str:
    """'2 replies, 1 note' in first-seen order."""
    counts: dict[str, int] = {}
    for e in sorted(events, key=lambda e: e.at):
        label = _WORK_LABELS.get((e.kind, e.direction)) or _WORK_LABELS.get(e.kind) or e.kind
        counts[label] = counts.get(label, 0) + 1
    return ", ".join(_plural(n, label) for label, n in counts.items())


def _plural(n: int, word: str) -> str:
    if n == 1:
        return f"1 {word}"
    return f"{n} {_IRREGULAR.get(word, word + 's')}"


def _ago(at: datetime, now: datetime) -> str:
    seconds = (now - at).total_seconds()
    return "in the future" if seconds < 0 else f"{human_duration(seconds)} ago"


_SPACES = re.compile(r"\s+")


def _line(text: str) -> str:
    """One line: customer text must not add headings or lines to the brief."""
    return _SPACES.sub(" ", text).strip()


def _cut(text: str, width: int) -> str:
    text = _line(text)
    return text if len(text) <= width else text[:width - 1] + "…"


def _chat(text: str) -> str:
    # Slack and Mattermost read &, < and > as control characters (links, mentions).
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_SINCE = re.compile(r"^\s*(\d+)\s*([smhd])\s*$", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_since(value: str, now: datetime) -> datetime:
    """'8h', '90m', '1d', '30s' before *now*, or an ISO 8601 instant; ValueError says why not."""
    match = _SINCE.match(value)
    if match:
        since = now - timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})
    else:
        try:
            since = parse_ts(value.strip())
        except ValueError as exc:
            raise ValueError(f"{value!r}: expected a duration like 8h, 90m, 1d or an ISO 8601 time "
                             f"({exc})") from None
    if since > now:
        raise ValueError(f"{value!r} is in the future (now is {format_ts(now)})")
    return since
