"""`oncall migrate`: a team moves its store to PostgreSQL (and back) without losing a byte, and the
database's schema is set up by an administrator, engineers' roles never changing it."""

from __future__ import annotations

import pytest

from oncall_tui.cli import main
from oncall_tui.core.errors import StoreConstraint, StoreError, StoreNotWritable
from oncall_tui.store import drafts, identity, outbox, writes
from oncall_tui.store.importer import import_document
from oncall_tui.store.search import search

from .conftest import NOW, open_store
from .servers.postgres import drop_database, new_database
from .test_export import RICH, without_nul


def oncall(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def export(capsys, db) -> str:
    code, out, err = oncall(capsys, "--db", db, "export", "--format", "json")
    assert code == 0, err
    return out


@pytest.fixture
def lived_in(tmp_path):
    """An SQLite store a team has worked in: imported history, notes, a summary, a draft, a reply queued."""
    path = tmp_path / "team.db"
    store = open_store(path)
    import_document(store, without_nul(RICH), now=NOW)
    writes.add_case_event(store, "T-100", kind="note", body="Appelé : DNS pas encore changé", author="alice", now=NOW)
    writes.set_summary(store, "T-100", "Veut HTTPS ; vérifier AAAA", author="alice", now=NOW)
    eid = writes.add_case_event(store, "T-200", kind="message", body="We are on it", author="bob", now=NOW,
                                outbox_source="rt")
    drafts.save(store, "T-200", "bob", "reply", "half-written answer", base="", now=NOW)
    store.close()
    return path, eid


def test_a_store_moves_to_postgresql_and_back_and_exports_the_same_bytes(lived_in, pg_cluster, tmp_path, capsys):
    path, eid = lived_in
    before = export(capsys, path)
    name = new_database(pg_cluster, template=None)  # an empty database: the copy creates the schema
    url = pg_cluster.url(name)
    try:
        code, out, err = oncall(capsys, "migrate", "--from", path, "--to", url)
        assert code == 0, err
        assert "events" in out and "postgres@" not in out  # what moved, and no user or password shown
        assert export(capsys, url) == before
        # Nothing derived was lost on the way: the queue, the search index, the outbox, the drafts.
        pg = open_store(url)
        sq = open_store(path)
        try:
            from oncall_tui.store import queries
            from oncall_tui.store.search import search

            assert queries.queue_bands(pg) == queries.queue_bands(sq)
            assert [h.event_id for h in search(pg, "cadenas")] == [h.event_id for h in search(sq, "cadenas")]
            assert [i.event_id for i in outbox.pending_for_case(pg, "T-200")] == [eid]
            assert drafts.get(pg, "T-200", "bob", "reply")["text"] == "half-written answer"
            # New events follow the copied ones.
            new = writes.add_case_event(pg, "T-100", kind="note", body="after the move", author="kenji", now=NOW)
            assert pg.query_one("SELECT seq FROM events WHERE id = ?", (new,))[0] > \
                sq.query_one("SELECT MAX(seq) FROM events")[0]
        finally:
            pg.close()
            sq.close()
        # ...and back: a team can leave PostgreSQL as easily as it came.
        back = tmp_path / "back.db"
        code, _, err = oncall(capsys, "migrate", "--from", url, "--to", back)
        assert code == 0, err
        assert export(capsys, back) == export(capsys, url)
    finally:
        drop_database(pg_cluster, name)


def test_a_store_is_only_copied_into_an_empty_one(lived_in, pg_url, capsys):
    path, _ = lived_in
    assert oncall(capsys, "migrate", "--from", path, "--to", pg_url)[0] == 0
    code, _, err = oncall(capsys, "migrate", "--from", path, "--to", pg_url)
    assert code == 2 and "already holds data" in err and "nothing was copied" in err


def test_text_postgresql_cannot_hold_is_refused_naming_the_record(tmp_path, small_doc, pg_url, capsys):
    path = tmp_path / "nul.db"
    small_doc["cases"][1]["events"][0]["body"] = "before\x00after"
    store = open_store(path)
    import_document(store, small_doc, now=NOW)
    eid = store.query_one("SELECT id FROM events WHERE case_id = 'T-200'")[0]
    store.close()
    code, _, err = oncall(capsys, "migrate", "--from", path, "--to", pg_url)
    assert code == 2 and f"events {eid}: body holds a NUL character" in err and "nothing was copied" in err
    pg = open_store(pg_url)
    assert pg.is_empty()
    pg.close()


@pytest.fixture
def engineer_role(pg_cluster):
    """A database owned by an administrator role, and a plain login role for the engineers."""
    name = new_database(pg_cluster, template=None)
    with pg_cluster.admin() as conn:
        conn.execute("DROP ROLE IF EXISTS oncall_admin")
        conn.execute("DROP ROLE IF EXISTS oncall_engineer")
        conn.execute("CREATE ROLE oncall_admin LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
        conn.execute("CREATE ROLE oncall_engineer LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
        conn.execute(f"ALTER DATABASE {name} OWNER TO oncall_admin")
    with pg_cluster.admin(name) as conn:
        conn.execute("ALTER SCHEMA public OWNER TO oncall_admin")
    yield pg_cluster.url(name, user="oncall_admin"), pg_cluster.url(name, user="oncall_engineer")
    drop_database(pg_cluster, name)
    with pg_cluster.admin() as conn:
        conn.execute("DROP OWNED BY oncall_engineer")
        conn.execute("DROP ROLE oncall_engineer")
        conn.execute("DROP ROLE oncall_admin")


def test_engineers_cannot_set_up_the_schema_the_administrator_does(engineer_role, capsys, small_doc):
    admin, engineer = engineer_role
    with pytest.raises(StoreError, match="an administrator creates it with `oncall migrate --schema"):
        open_store(engineer).close()
    code, out, err = oncall(capsys, "migrate", "--schema", "--to", admin, "--grant", "oncall_engineer")
    assert code == 0, err
    assert "schema at version" in out and "oncall_admin" not in out
    store = open_store(engineer)
    try:
        import_document(store, small_doc, now=NOW)
        writes.add_case_event(store, "T-100", kind="note", body="written by a plain role", author="alice", now=NOW)
        # Least privilege: the history only grows, and the schema is not the engineers' to change.
        with pytest.raises((StoreConstraint, StoreNotWritable)):
            with store.write() as conn:
                conn.execute("UPDATE events SET body = 'rewritten'")
        with pytest.raises(StoreNotWritable, match="may not do this"):
            with store.write() as conn:
                conn.execute("CREATE TABLE mine (x INTEGER)")
        with pytest.raises(StoreNotWritable, match="may not do this"):
            with store.write() as conn:
                conn.execute("UPDATE oncall_schema SET version = 99")
        # ...but an engineer may repair an identity: a merge files the other customer's events under the kept one.
        identity.merge(store, "c-boul", "c-calm", author="alice", region="EMEA", now=NOW, heat=store.heat_model())
        assert store.query_one("SELECT COUNT(*) FROM events WHERE customer_id = 'c-calm'")[0] == 0
        assert [h.case_id for h in search(store, "invoice", customer_id="c-boul")] == ["T-300"]  # the index follows
    finally:
        store.close()
