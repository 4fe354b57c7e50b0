"""Who has which case open, and who is writing in it.

Each process heartbeats its row; a row older than `STALE_SECONDS` is ignored,
so presence expires by itself when a process dies (no cleanup needed).
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from ..core.timeutil import format_ts
from .db import Store

STALE_SECONDS = 30


def beat(store: Store, engineer: str, *, now: datetime, case_id: str | None, state: str = "viewing",
         region: str = "", city: str = "") -> None:
    with store.write() as conn:
        conn.execute(
            "INSERT INTO presence(engineer, pid, host, region, city, case_id, state, seen_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(engineer, pid, host) DO UPDATE SET "
            "case_id = excluded.case_id, state = excluded.state, seen_at = excluded.seen_at, "
            "region = excluded.region, city = excluded.city",
            (engineer, os.getpid(), socket.gethostname(), region, city, case_id, state, format_ts(now)))


def leave(store: Store, engineer: str) -> None:
    with store.write() as conn:
        conn.execute("DELETE FROM presence WHERE engineer = ? AND pid = ? AND host = ?",
                     (engineer, os.getpid(), socket.gethostname()))


def others(store: Store, me: str, *, now: datetime) -> list[dict]:
    """Live presence of other engineers (and of my other processes), freshest first."""
    since = format_ts(now - timedelta(seconds=STALE_SECONDS))
    rows = store.query(
        "SELECT engineer, pid, host, region, city, case_id, state, seen_at FROM presence "
        "WHERE seen_at >= ? AND NOT (engineer = ? AND pid = ? AND host = ?) ORDER BY seen_at DESC",
        (since, me, os.getpid(), socket.gethostname()))
    return [dict(r) for r in rows]


def by_case(store: Store, me: str, *, now: datetime) -> dict[str, str]:
    """case id -> "alice✎, bob" for the queue's WHO column (✎ = writing)."""
    out: dict[str, list[str]] = {}
    for p in others(store, me, now=now):
        if p["case_id"]:
            label = p["engineer"] + ("✎" if p["state"] != "viewing" else "")
            if label not in out.setdefault(p["case_id"], []):
                out[p["case_id"]].append(label)
    return {case: ", ".join(names) for case, names in out.items()}


def describe_case(store: Store, me: str, case_id: str, *, now: datetime) -> str:
    """"alice (Paris) is writing · bob (San Francisco) is viewing" for the case header."""
    parts = []
    for p in others(store, me, now=now):
        if p["case_id"] == case_id:
            where = f" ({p['city'] or p['region']})" if (p["city"] or p["region"]) else ""
            parts.append(f"{p['engineer']}{where} is {p['state']}")
    return " · ".join(dict.fromkeys(parts))
