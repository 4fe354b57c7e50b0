"""The store, on both engines: schema versions, append-only history, noticing other writers."""

import pytest

from oncall_tui.core.errors import StoreConstraint, StoreError
from oncall_tui.store.postgres import schema as pg_schema
from oncall_tui.store.sqlite import schema as sqlite_schema

from .conftest import NOW, open_store
from .models import WEIGHTS


def test_both_engines_number_their_migrations_alike():
    # One version number is one schema on both engines: a migration added to one is mirrored in the other.
    assert len(sqlite_schema.MIGRATIONS) == len(pg_schema.MIGRATIONS)


def test_new_store_is_migrated_to_the_current_schema(store_path):
    s = open_store(store_path)
    assert s.schema_version == s.latest_version == len(sqlite_schema.MIGRATIONS)
    assert {"customers", "assets", "cases", "events", "incidents", "handoffs", "outbox",
            "sync_cursors", "presence", "changes", "drafts"} <= s.table_names()
    s.close()


def test_reopening_keeps_the_data_and_does_not_migrate_twice(store, store_path):
    store.close()
    again = open_store(store_path)
    assert again.schema_version == again.latest_version
    assert again.query_one("SELECT COUNT(*) FROM cases")[0] == 4
    again.close()


@pytest.mark.sqlite_only
def test_older_store_is_migrated_forward(store_path, monkeypatch):
    # A store created by a release that had only the first migration...
    monkeypatch.setattr(sqlite_schema, "MIGRATIONS", sqlite_schema.MIGRATIONS[:1])
    open_store(store_path).close()
    # ...is brought forward by a later release with one more migration.
    monkeypatch.setattr(sqlite_schema, "MIGRATIONS", [*sqlite_schema.MIGRATIONS[:1],
                                                      "CREATE TABLE later_feature (x INTEGER);"])
    s = open_store(store_path)
    assert s.schema_version == 2
    assert "later_feature" in s.table_names()
    s.close()


def test_older_postgres_store_is_migrated_forward(pg_cluster, monkeypatch):
    from .servers.postgres import drop_database, new_database

    name = new_database(pg_cluster, template=None)
    try:
        monkeypatch.setattr(pg_schema, "MIGRATIONS", pg_schema.MIGRATIONS[:1])
        open_store(pg_cluster.url(name)).close()
        monkeypatch.setattr(pg_schema, "MIGRATIONS", [*pg_schema.MIGRATIONS[:1],
                                                      "CREATE TABLE later_feature (x INTEGER);"])
        s = open_store(pg_cluster.url(name))
        assert s.schema_version == 2
        assert "later_feature" in s.table_names()
        s.close()
    finally:
        drop_database(pg_cluster, name)


def test_store_from_a_newer_release_is_refused_with_a_clear_message(store_path, backend):
    s = open_store(store_path)
    with s.write() as conn:
        if backend == "sqlite":
            conn.execute(f"PRAGMA user_version = {s.latest_version + 5}")
        else:
            conn.execute("UPDATE oncall_schema SET version = ?", (s.latest_version + 5,))
    s.close()
    with pytest.raises(StoreError, match="newer than this oncall"):
        open_store(store_path)


@pytest.mark.sqlite_only
def test_store_uses_wal_so_readers_do_not_block_writers(store):
    assert store.query_one("PRAGMA journal_mode")[0] == "wal"
    assert store.query_one("PRAGMA foreign_keys")[0] == 1
    assert store.query_one("PRAGMA busy_timeout")[0] >= 1000


def test_history_is_append_only(store):
    with pytest.raises(StoreConstraint, match="append-only"):
        with store.write() as conn:
            conn.execute("UPDATE events SET body = 'rewritten' WHERE case_id = 'T-100'")
    with pytest.raises(StoreConstraint, match="append-only"):
        with store.write() as conn:
            conn.execute("DELETE FROM events")
    assert store.query_one("SELECT COUNT(*) FROM events")[0] == 8


def test_other_process_writes_are_noticed_through_data_version(store, store_path):
    other = open_store(store_path)
    before = store.data_version()
    with other.write() as conn:
        conn.execute("UPDATE cases SET assignee = 'bob' WHERE id = 'T-100'")
    wait_until(lambda: store.data_version() != before)
    other.close()


def wait_until(condition, seconds: float = 10.0) -> None:
    """Poll *condition* until it holds (news travels by notification on PostgreSQL); fail after *seconds*."""
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "it never happened"
        time.sleep(0.01)


def test_derived_heat_is_stored_per_case(store):
    rows = {r["id"]: r for r in store.query("SELECT id, heat, is_open, waiting_since, exchanges FROM cases")}
    assert rows["T-050"]["is_open"] == 0 and rows["T-050"]["heat"] == 0
    assert rows["T-100"]["waiting_since"] == "2026-11-24T02:00:00Z"
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
