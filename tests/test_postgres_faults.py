"""When the shared PostgreSQL goes away or only reads: the screen says so, keeps the text, loses no write.

These tests restart a cluster of their own (not the one the other tests share).
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from oncall_tui.cli import main
from oncall_tui.core.errors import ReadOnlyMode, StoreNotWritable
from oncall_tui.store import queries
from oncall_tui.store.importer import import_document
from oncall_tui.usecases import writing

from .conftest import NOW, open_session, open_store
from .servers.postgres import remove_cluster, start_cluster
from .ui_helpers import Notes, make_app, wait_for


@pytest.fixture(scope="module")
def own_cluster():
    cluster = start_cluster()
    yield cluster
    remove_cluster(cluster)


@pytest.fixture
def own_store(own_cluster, small_doc):
    """A store with the small story, in a database of the test's own cluster."""
    with own_cluster.admin() as conn:
        conn.execute("DROP DATABASE IF EXISTS faults WITH (FORCE)")
        conn.execute("CREATE DATABASE faults")
    url = own_cluster.url("faults")
    store = open_store(url)
    import_document(store, small_doc, now=NOW)
    store.close()
    yield url
    if own_cluster.proc is None or own_cluster.proc.poll() is not None:
        own_cluster.start()


def notes_of(url: str, case_id: str) -> list[str]:
    s = open_store(url)
    try:
        return [e["body"] for e in queries.case_events(s, case_id) if e["kind"] == "note"]
    finally:
        s.close()


async def test_a_restart_is_said_the_text_is_kept_and_saved_once_the_store_is_back(own_cluster, own_store):
    notes = Notes()
    app = make_app(own_store)
    async with app.run_test(size=(120, 40), message_hook=notes) as pilot:
        await pilot.press("enter", "n")
        await wait_for(pilot, lambda: app.screen.name == "editor")
        await pilot.press(*"checked the AAAA record")
        own_cluster.stop()  # PostgreSQL restarted under our feet (fast shutdown: clients are cut off)
        await wait_for(pilot, lambda: notes.any("Store unreachable, reconnecting"))
        await pilot.press("ctrl+s")
        await pilot.pause(0.5)
        # The save waits for the store; the text stays where it was typed.
        assert app.screen.name == "editor" and app.screen.text == "checked the AAAA record"
        own_cluster.start()
        await wait_for(pilot, lambda: app.screen.name == "history", seconds=60)
        await wait_for(pilot, lambda: notes.any("Store reachable again"))
    assert notes_of(own_store, "T-100") == ["checked the AAAA record"]


async def test_a_note_written_on_another_bastion_appears_without_waiting_for_a_poll(pg_url, small_doc):
    from oncall_tui.config import Config

    store = open_store(pg_url)
    import_document(store, small_doc, now=NOW)
    store.close()
    # Polling every hour: only LISTEN/NOTIFY can bring the note to the screen in time.
    app = make_app(pg_url, config=Config(timezone="Europe/Paris", region="EMEA", refresh_seconds=3600))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.name == "history")
        other = open_session(pg_url, user="kenji")  # another bastion, another process as far as the store knows
        try:
            writing.add(other, "T-100", "note", "Tokyo: customer called back")
        finally:
            other.close()
        await wait_for(pilot, lambda: "Tokyo: customer called back" in app.screen.timeline.plain, seconds=10)


SOAK = """
import sys, time
from datetime import datetime, timezone
from oncall_tui.core.errors import StoreUnreachable
from oncall_tui.store import writes
from oncall_tui.store.engines import open_store
from oncall_tui.usecases.models import shipped

store = open_store(sys.argv[1], heat=shipped().heat)
me, count = sys.argv[2], int(sys.argv[3])
for n in range(count):
    while True:  # as the screen's writer does: a write the server never took is written again
        try:
            writes.add_case_event(store, "T-100", kind="note", body=f"{me} note {n}", author=me,
                                  now=datetime.now(timezone.utc))
            break
        except StoreUnreachable:
            time.sleep(0.2)
print(count)
"""


def test_writes_across_a_restart_are_neither_lost_nor_written_twice(own_cluster, own_store):
    root = Path(__file__).resolve().parent.parent
    procs = [subprocess.Popen([sys.executable, "-c", SOAK, own_store, f"eng{i}", "150"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=root) for i in range(4)]
    restarted = threading.Event()

    def restart() -> None:
        # Once writing is well under way, PostgreSQL is restarted, twice.
        while len(notes_of(own_store, "T-100")) < 100:
            pass
        for _ in range(2):
            own_cluster.restart()
        restarted.set()

    worker = threading.Thread(target=restart)
    worker.start()
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    worker.join(timeout=60)
    assert restarted.is_set()
    bodies = notes_of(own_store, "T-100")
    assert sorted(bodies) == sorted(f"eng{i} note {n}" for i in range(4) for n in range(150))


def test_a_read_only_server_is_a_clear_refusal_to_write(own_cluster, own_store, capsys):
    with own_cluster.admin() as conn:
        conn.execute("ALTER DATABASE faults SET default_transaction_read_only = on")
    try:
        session = open_session(own_store)
        try:
            assert session.readonly and "only accepts reads" in session.readonly_reason
            with pytest.raises(ReadOnlyMode, match="only accepts reads"):
                writing.add(session, "T-100", "note", "lost?")
        finally:
            session.close()
        code = main(["--db", own_store, "note", "T-100", "from a script"])
        err = capsys.readouterr().err
        assert code == 2 and "only accepts reads" in err
    finally:
        with own_cluster.admin() as conn:
            conn.execute("ALTER DATABASE faults RESET default_transaction_read_only")
    assert notes_of(own_store, "T-100") == []


def test_a_server_turned_read_only_mid_session_refuses_the_write_clearly(own_cluster, own_store):
    session = open_session(own_store)
    try:
        assert not session.readonly
        with own_cluster.admin() as conn:  # a failover put us on a replica, or an admin froze writes
            conn.execute("ALTER SYSTEM SET default_transaction_read_only = on")
            conn.execute("SELECT pg_reload_conf()")
        # Each server process reads the reloaded configuration between two commands: ask until ours has.
        deadline = time.monotonic() + 30
        while session.store.query_one("SHOW default_transaction_read_only")[0] != "on":
            assert time.monotonic() < deadline, "the server never reloaded its configuration"
        try:
            with pytest.raises(StoreNotWritable, match="only accepts reads.*point --db at the primary"):
                writing.add(session, "T-100", "note", "lost?")
        finally:
            with own_cluster.admin() as conn:
                conn.execute("ALTER SYSTEM RESET default_transaction_read_only")
                conn.execute("SELECT pg_reload_conf()")
    finally:
        session.close()
    assert notes_of(own_store, "T-100") == []


def test_a_password_in_the_url_is_never_shown(own_cluster, capsys):
    # A database that does not exist, and a server that is not there: both said without user or password.
    for url in (f"postgresql://oncall:s3cret-pw@127.0.0.1:{own_cluster.port}/no_such_db",
                "postgresql://oncall:s3cret-pw@127.0.0.1:1/oncall?sslmode=disable"):
        code = main(["--db", url, "queue", "--json"])
        err = capsys.readouterr().err
        assert code != 0 and "127.0.0.1" in err
        assert "s3cret" not in err and "oncall@" not in err
