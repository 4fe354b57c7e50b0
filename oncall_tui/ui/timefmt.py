"""How times read on screen: the engineer's local time, relative ("3 h ago"), compact durations."""

from __future__ import annotations

from datetime import datetime

from ..core.timeutil import human_duration, zone


def local_clock(at: datetime, tz: str) -> str:
    """"Mon 24 Nov 14:05" in the time zone *tz*."""
    return at.astimezone(zone(tz)).strftime("%a %d %b %H:%M")


def local_hhmm(tz: str, now: datetime) -> str:
    """"14:05": the time it is now in *tz* (the customer's local time column)."""
    return now.astimezone(zone(tz)).strftime("%H:%M")


def ago(at: datetime, now: datetime) -> str:
    seconds = (now - at).total_seconds()
    return "just now" if seconds < 60 else f"{human_duration(seconds)} ago"


def short_duration(seconds: float) -> str:
    """Compact form for table cells: '45s', '12m', '5h12', '3d04'."""
    s = int(max(0, seconds))
    if s < 60:
        return f"{s}s"
    m = s // 60
    if m < 60:
        return f"{m}m"
    h, m = divmod(m, 60)
    if h < 24:
        return f"{h}h{m:02d}"
    d, h = divmod(h, 24)
    return f"{d}d{h:02d}"
