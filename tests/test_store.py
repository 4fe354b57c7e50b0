"""The store: schema versions, WAL, append-only history."""

import sqlite3

import pytest

from oncall_tui.core.errors import StoreError
from oncall_tui.store.schema import SCHEMA_VERSION

from .conftest import NOW, open_store
from .models import WEIGHTS


def test_new_store_is_migrated_to_the_current_schema(store_path):
    s = open_store(store_path)
    assert s.schema_version == SCHEMA_VERSION
    tables = {r[0] for r in s.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"customers", "assets", "cases", "events", "incidents", "handoffs", "outbox",
            "sync_cursors", "presence"} <= tables
    s.close()


def test_reopening_keeps_the_data_and_does_not_migrate_twice(store, store_path):
    store.close()
    again = open_store(store_path)
    assert again.schema_version == SCHEMA_VERSION
    assert again.query_one("SELECT COUNT(*) FROM cases")[0] == 4


def test_older_store_is_migrated_forward(store_path, monkeypatch):
    from oncall_tui.store import db as dbmod

    # A store created by a release that had only the first migration...
    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", 1)
    monkeypatch.setattr(dbmod, "MIGRATIONS", dbmod.MIGRATIONS[:1])
    open_store(store_path).close()
    # ...is brought forward by a later release with one more migration.
    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", 2)
    monkeypatch.setattr(dbmod, "MIGRATIONS", [*dbmod.MIGRATIONS[:1], "CREATE TABLE later_feature (x INTEGER);"])
    s = open_store(store_path)
    assert s.schema_version == 2
    assert s.query_one("SELECT name FROM sqlite_master WHERE name = 'later_feature'") is not None


def test_store_from_a_newer_release_is_refused_with_a_clear_message(store_path):
    s = open_store(store_path)
    s.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    s.close()
    with pytest.raises(StoreError, match="newer than this oncall"):
        open_store(store_path)


def test_store_uses_wal_so_readers_do_not_block_writers(store):
    assert store.query_one("PRAGMA journal_mode")[0] == "wal"
    assert store.query_one("PRAGMA foreign_keys")[0] == 1
    assert store.query_one("PRAGMA busy_timeout")[0] >= 1000


def test_history_is_append_only(store):
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("UPDATE events SET body = 'rewritten' WHERE case_id = 'T-100'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("DELETE FROM events")
    assert store.query_one("SELECT COUNT(*) FROM events")[0] == 7


def test_other_process_writes_are_noticed_through_data_version(store, store_path):
    other = open_store(store_path)
    before = store.data_version()
    with other.write() as conn:
        conn.execute("UPDATE cases SET assignee = 'bob' WHERE id = 'T-100'")
    assert store.data_version() != before
    other.close()


def test_derived_heat_is_stored_per_case(store):
    rows = {r["id"]: r for r in store.query("SELECT id, heat, is_open, waiting_since, exchanges FROM cases")}
    assert rows["T-050"]["is_open"] == 0 and rows["T-050"]["heat"] == 0
    assert rows["T-100"]["waiting_since"] == "2026-11-24T04:00:00Z"
    assert rows["T-300"]["waiting_since"] is None  # our question is the last message
    assert rows["T-100"]["exchanges"] == 3
    assert NOW  # heat computed at import time NOW


def test_heat_samples_feed_an_hourly_sparkline_and_are_pruned(store):
    from datetime import timedelta

    from oncall_tui.store import queries
    from oncall_tui.store.derived import retick

    for minutes in (0, 30, 60, 61, 120):
        retick(store, NOW + timedelta(minutes=minutes), WEIGHTS)
    hours = queries.hot_per_hour(store, "2026-11-24T00:00:00Z")
    assert len(hours) == 3  # 09:xx, 10:xx, 11:xx: one value per hour, not one per tick
    retick(store, NOW + timedelta(days=8), WEIGHTS)
    assert store.query_one("SELECT COUNT(*) FROM heat_samples")[0] == 1  # a week old is pruned
