"""How times read on screen: the engineer's local time, and relative ("3 h ago")."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from ..core.timeutil import human_duration, parse_ts


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except Exception:
        return ZoneInfo("UTC")


def local_clock(ts: str, tz: str) -> str:
    return parse_ts(ts).astimezone(zone(tz)).strftime("%a %d %b %H:%M")


def ago(ts: str, now: datetime) -> str:
    seconds = (now - parse_ts(ts)).total_seconds()
    return "just now" if seconds < 60 else f"{human_duration(seconds)} ago"


def business_hours(now: datetime, tz: str) -> bool:
    """Mon–Fri 08:00–19:00 in *tz*: when a customer can be reached by phone."""
    local = now.astimezone(zone(tz))
    return local.weekday() < 5 and 8 <= local.hour < 19
