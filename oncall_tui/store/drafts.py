"""Drafts: text being written, kept per case, engineer and kind until it is saved or discarded.

Unlike events, drafts are overwritten as the engineer types: they are work in
progress, private to their author, and gone once the text is saved.
"""

from __future__ import annotations

from datetime import datetime

from ..core.timeutil import format_ts
from .db import Store


def save(store: Store, case_id: str, engineer: str, kind: str, text: str, *, base: str, now: datetime) -> None:
    with store.write() as conn:
        conn.execute(
            "INSERT INTO drafts(case_id, engineer, kind, text, base, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(case_id, engineer, kind) DO UPDATE SET text = excluded.text, base = excluded.base, "
            "updated_at = excluded.updated_at", (case_id, engineer, kind, text, base, format_ts(now)))


def get(store: Store, case_id: str, engineer: str, kind: str):
    return store.query_one("SELECT text, base, updated_at FROM drafts WHERE case_id = ? AND engineer = ? AND kind = ?",
                           (case_id, engineer, kind))


def discard(store: Store, case_id: str, engineer: str, kind: str, conn=None) -> None:
    """Forget the draft (inside the caller's transaction when *conn* is given)."""
    sql = "DELETE FROM drafts WHERE case_id = ? AND engineer = ? AND kind = ?"
    if conn is not None:
        conn.execute(sql, (case_id, engineer, kind))
        return
    with store.write() as conn:
        conn.execute(sql, (case_id, engineer, kind))


def mine(store: Store, engineer: str) -> list:
    """Every draft *engineer* left, newest first (for "you have unsaved drafts")."""
    return store.query("SELECT case_id, kind, updated_at, length(text) AS length FROM drafts WHERE engineer = ? "
                       "ORDER BY updated_at DESC", (engineer,))
