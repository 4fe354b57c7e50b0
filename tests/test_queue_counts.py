"""The queue's hot/warm/cool counts, kept by triggers, always match the cases.

The header and the row count read them at every start instead of counting
100k cases; a drift would show wrong numbers all shift, so every kind of
write that touches a case's status or heat is checked against a real count.
"""

from datetime import timedelta

import pytest

from oncall_tui.core.model import HOT_HEAT, WARM_HEAT
from oncall_tui.demo.environment import seed_demo_store
from oncall_tui.store import queries
from oncall_tui.store.derived import retick
from oncall_tui.store.importer import import_document
from oncall_tui.store.sqlite.schema import COUNTED_BANDS
from oncall_tui.store.writes import set_status

from .conftest import NOW, open_store
from .models import WEIGHTS


def counted(store) -> tuple[int, int, int]:
    """The bands by a full count over the cases (what the triggers must agree with)."""
    row = store.query_one(
        "SELECT COALESCE(SUM(CASE WHEN heat >= ? THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN heat >= ? AND heat < ? THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN heat < ? THEN 1 ELSE 0 END), 0) FROM cases WHERE is_open = 1",
        (HOT_HEAT, WARM_HEAT, HOT_HEAT, WARM_HEAT))
    return tuple(row)


def test_the_bands_in_the_triggers_are_the_bands_of_the_heat_model():
    # Changing HOT_HEAT or WARM_HEAT needs a new migration rewriting the triggers.
    assert COUNTED_BANDS == (HOT_HEAT, WARM_HEAT)


def test_counts_follow_import_status_changes_and_heat_moving_over_a_shift(tmp_path):
    demo_path = tmp_path / "demo.db"
    seed_demo_store(demo_path, now=NOW)
    store = open_store(demo_path)
    bands = queries.queue_bands(store)
    assert bands == counted(store)
    assert all(bands), "the demo has hot, warm and cool cases"

    # Cases closed and reopened by engineers.
    open_ids = [r[0] for r in store.query("SELECT id FROM cases WHERE is_open = 1 ORDER BY heat DESC LIMIT 6")]
    for case_id in open_ids[:3]:
        set_status(store, case_id, "resolved", author="alice", now=NOW)
    assert queries.queue_bands(store) == counted(store)
    set_status(store, open_ids[0], "open", author="alice", now=NOW)
    set_status(store, open_ids[3], "pending", author="alice", now=NOW)
    assert queries.queue_bands(store) == counted(store)

    # Heat moving as time passes: cases cross bands in both directions.
    before = bands
    for hours in (2, 9, 30):
        retick(store, NOW + timedelta(hours=hours), WEIGHTS)
        assert queries.queue_bands(store) == counted(store)
    assert queries.queue_bands(store) != before

    # A helpdesk sync re-importing cases with a new status and new cases.
    case = store.query_one("SELECT id, customer_id, subject, opened_at FROM cases WHERE is_open = 1 LIMIT 1")
    doc = {"customers": [], "cases": [
        {"id": case["id"], "customer": case["customer_id"], "subject": case["subject"], "status": "closed",
         "opened_at": case["opened_at"], "events": []},
        {"id": "T-NEW-1", "customer": case["customer_id"], "subject": "Site down again", "status": "new",
         "opened_at": "2026-11-24T08:00:00Z", "events": [
             {"at": "2026-11-24T08:00:00Z", "kind": "message", "direction": "in", "author": "client",
              "body": "URGENT le site est encore en panne, ça fait 3 fois !!!"}]},
    ]}
    import_document(store, doc, now=NOW)
    assert queries.queue_bands(store) == counted(store)
    store.close()


@pytest.mark.sqlite_only
def test_a_store_from_before_the_counts_is_counted_when_migrated(store_path, small_doc, monkeypatch):
    from oncall_tui.store.sqlite import schema

    # A store written by the release with two migrations, cases and all (this release's importer writes
    # columns that release did not have: its customers and cases are copied over)...
    written = open_store(store_path.with_name("written.db"))
    import_document(written, small_doc, now=NOW)
    written.close()
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:2])
    old = open_store(store_path)
    with old.write() as conn:
        conn.execute("ATTACH DATABASE ? AS written", (str(store_path.with_name("written.db")),))
        for table in ("customers", "cases"):
            columns = ", ".join(r[1] for r in conn.execute(f"PRAGMA main.table_info({table})"))
            conn.execute(f"INSERT INTO main.{table}({columns}) SELECT {columns} FROM written.{table}")
    with old.write() as conn:
        conn.execute("DETACH DATABASE written")
    old.close()
    monkeypatch.undo()
    # ...is counted when this release opens it.
    store = open_store(store_path)
    assert sum(queries.queue_bands(store)) == store.query_one("SELECT COUNT(*) FROM cases WHERE is_open = 1")[0] > 0
    assert queries.queue_bands(store) == counted(store)
    store.close()
