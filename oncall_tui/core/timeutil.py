"""Timestamps: one canonical text form in the store, aware datetimes in code."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

UTC = timezone.utc


def parse_ts(value: str) -> datetime:
    """Parse an ISO 8601 timestamp with an offset (or Z) into an aware UTC datetime.

    Raises ValueError with the reason when *value* is not such a timestamp.
    """
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 timestamp string, got {type(value).__name__}")
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 timestamp") from None
    if dt.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone (add Z or +HH:MM)")
    try:
        return dt.astimezone(UTC)
    except OverflowError:  # year 1 with a positive offset, year 9999 with a negative one
        raise ValueError(f"{value!r} is out of range once moved to UTC") from None


def format_ts(dt: datetime) -> str:
    """Canonical store form: UTC, second precision, trailing Z (sorts as text)."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ts_to_epoch(value: str) -> int:
    return int(parse_ts(value).timestamp())


def human_duration(seconds: float) -> str:
    """Short duration an engineer reads at a glance: '45 s', '12 min', '5 h 12 min', '3 d 4 h'."""
    s = int(max(0, seconds))
    if s < 60:
        return f"{s} s"
    m = s // 60
    if m < 60:
        return f"{m} min"
    h, m = divmod(m, 60)
    if h < 24:
        return f"{h} h {m:02d} min" if m else f"{h} h"
    d, h = divmod(h, 24)
    return f"{d} d {h} h" if h else f"{d} d"


def zone(name: str) -> ZoneInfo:
    """The IANA zone *name*, or UTC when it is unknown (a customer record's typo must not crash a screen)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ValueError, OSError, KeyError):
        return ZoneInfo("UTC")


def business_hours(now: datetime, tz: str) -> bool:
    """Mon–Fri 08:00–19:00 in *tz*: when a customer can be reached by phone."""
    local = now.astimezone(zone(tz))
    return local.weekday() < 5 and 8 <= local.hour < 19
