"""Writing into the shared history: from the screen, from scripts, from several engineers at once."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from oncall_tui.cli import main
from oncall_tui.config import Config
from oncall_tui.store import queries
from oncall_tui.ui.messages import SyncProgress

from .conftest import open_store
from .ui_helpers import Notes, make_app, wait_for


def events_of(store_path, case_id):
    s = open_store(store_path)
    try:
        return [dict(r) for r in queries.case_events(s, case_id)]
    finally:
        s.close()


def test_note_command_writes_the_same_event_as_the_screen(store, store_path, capsys, monkeypatch):
    monkeypatch.setenv("ONCALL_USER", "kenji")
    assert main(["--db", str(store_path), "note", "T-100", "Called the customer, DNS not changed yet",
                 "--kind", "call"]) == 0
    eid = capsys.readouterr().out.strip()
    last = next(e for e in events_of(store_path, "T-100") if e["id"] == eid)
    assert (last["kind"], last["direction"], last["channel"], last["author"], last["author_region"]) == \
        ("call", "in", "phone", "kenji", "APAC")
    assert last["body"] == "Called the customer, DNS not changed yet"


def test_note_on_unknown_case_is_refused_clearly(store, store_path, capsys):
    assert main(["--db", str(store_path), "note", "T-404", "hello"]) == 2
    assert "no case 'T-404'" in capsys.readouterr().err


def test_summary_command_keeps_every_revision(store, store_path, capsys):
    main(["--db", str(store_path), "summary", "T-100", "Wants: SSL. Next: check DNS.", "--author", "alice"])
    main(["--db", str(store_path), "summary", "T-100", "Wants: SSL. Done: issued. Next: confirm.", "--author", "bob"])
    s = open_store(store_path)
    assert queries.get_case(s, "T-100")["summary"] == "Wants: SSL. Done: issued. Next: confirm."
    revisions = [e for e in queries.case_events(s, "T-100") if e["kind"] == "summary"]
    assert [r["body"] for r in revisions] == ["Wants: SSL. Next: check DNS.", "Wants: SSL. Done: issued. Next: confirm."]
    assert json.loads(revisions[1]["meta"])["previous"] == "Wants: SSL. Next: check DNS."


async def test_a_note_typed_in_one_screen_appears_in_anothers(store, store_path):
    alice = make_app(store_path, user="alice")
    bob = make_app(store_path, user="bob")
    async with alice.run_test(size=(120, 40)) as a, bob.run_test(size=(120, 40)) as b:
        await a.press("enter")
        await b.press("enter")
        header = lambda: str(bob.screen.query_one("#history-header").render())  # noqa: E731
        # Bob sees that Alice has the case open: his screen notices by itself.
        await wait_for(b, lambda: "alice (Paris) is viewing" in header())
        await a.press("n")
        await wait_for(a, lambda: alice.screen.name == "editor")
        await wait_for(b, lambda: "alice (Paris) is writing" in header())
        await a.press(*"Customer confirmed DNS moved", "ctrl+s")
        await wait_for(a, lambda: alice.screen.name == "history")
        assert "Customer confirmed DNS moved" in alice.screen.timeline.plain
        await wait_for(b, lambda: "Customer confirmed DNS moved" in bob.screen.timeline.plain)


@pytest.mark.sqlite_only  # a screen
async def test_summary_edited_in_place_shows_at_the_top(store, store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter", "s")
        await pilot.pause()
        await pilot.press("ctrl+a")  # select all the template, then type over it
        await pilot.press(*"Wants SSL; next: check AAAA", "ctrl+s")
        await wait_for(pilot, lambda: app.screen.name == "history")
        assert "Wants SSL; next: check AAAA" in str(app.screen.query_one("#history-summary").render())


@pytest.mark.sqlite_only  # a screen
async def test_text_is_kept_when_saving_fails_and_the_screen_never_waits(store, store_path):
    # Long enough that "Saving…" is still there when a loaded machine gets to look (0.5 s was not, once).
    app = make_app(store_path, config=Config(timezone="Europe/Paris", region="EMEA", city="Paris", lock_wait=3))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter", "n")
        await wait_for(pilot, lambda: app.screen.name == "editor")
        await pilot.press(*"important finding")
        # Another engineer's process holds the write lock for longer than we wait.
        blocker = open_store(store_path)
        blocker.conn.execute("BEGIN IMMEDIATE")
        await pilot.press("ctrl+s")
        # The screen answers at once: the save waits in a worker, the editor says so.
        assert "Saving" in str(app.screen.query_one("#editor-status").render())
        await pilot.press("end")  # keys still go through while the store is locked
        status = lambda: str(app.screen.query_one("#editor-status").render())  # noqa: E731
        await wait_for(pilot, lambda: "Not saved" in status())
        assert app.screen.name == "editor" and "still here" in status() and "locked" in status()
        assert app.screen.text == "important finding"
        blocker.conn.execute("ROLLBACK")
        blocker.close()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen.name == "history")
        assert "important finding" in [e["body"] for e in events_of(store_path, "T-100")]


@pytest.mark.sqlite_only  # a screen
async def test_status_change_moves_the_case_out_of_the_queue(store, store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter", "S")
        await pilot.pause()
        await pilot.press("down", "enter")  # open → pending → resolved
        await wait_for(pilot, lambda: "resolved" in str(app.screen.query_one("#history-header").render()))
        await pilot.press("escape")
        await pilot.pause()
        assert not any("Boulangerie" in line for line in
                       [app.screen.query_one("QueueTable").render_line(y).text for y in range(3)])


SOAK = """
import sys
from datetime import datetime, timezone
from oncall_tui.store import writes
from oncall_tui.store.engines import open_store
from oncall_tui.usecases.models import shipped

store = open_store(sys.argv[1], heat=shipped().heat)
me, count = sys.argv[2], int(sys.argv[3])
for n in range(count):
    writes.add_case_event(store, "T-100", kind="note", body=f"{me} note {n}", author=me,
                          now=datetime.now(timezone.utc))
print(count)
"""


NOTES_EACH = 15


def test_soak_eight_processes_writing_notes_lose_nothing(store, store_path):
    store.close()
    root = Path(__file__).resolve().parent.parent
    # A count, not a duration: on a loaded machine a duration writes few notes and proves little, and the
    # test must not depend on how fast the machine is.
    procs = [subprocess.Popen([sys.executable, "-c", SOAK, str(store_path), f"eng{i}", str(NOTES_EACH)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=root)
             for i in range(8)]
    written = {}
    for i, p in enumerate(procs):
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err  # never "database is locked" in anyone's face
        written[f"eng{i}"] = int(out)
    bodies = [e["body"] for e in events_of(store_path, "T-100") if e["kind"] == "note"]
    for me, n in written.items():
        mine = [b for b in bodies if b.startswith(f"{me} note ")]
        assert sorted(mine) == sorted(f"{me} note {k}" for k in range(n))  # each exactly once


@pytest.mark.sqlite_only  # a screen
async def test_queue_row_shows_who_else_has_the_case_open(store, store_path):
    alice = make_app(store_path, user="alice")
    bob = make_app(store_path, user="bob")
    async with alice.run_test(size=(120, 40)) as a, bob.run_test(size=(120, 40)) as b:
        await a.press("enter")  # alice opens T-100
        row = lambda: bob.screen.query_one("QueueTable").render_line(0).text  # noqa: E731
        await wait_for(b, lambda: "Boulangerie" in row() and "alice" in row())
        await a.press("n")  # and starts writing
        await wait_for(b, lambda: "alice✎" in row())


@pytest.mark.sqlite_only  # a screen
async def test_a_long_first_sync_shows_its_progress(store, store_path):
    app = make_app(store_path)
    notes = Notes()
    async with app.run_test(size=(120, 40), message_hook=notes) as pilot:
        app.screen.post_message(SyncProgress("rt", 40, 200))
        await pilot.pause()
        bar = app.screen.query_one("#queue-sync")
        assert bar.display and bar.progress == 40 and bar.total == 200
        app.screen.post_message(SyncProgress("rt", 200, 200))
        await pilot.pause()
        assert not bar.display
        assert notes.any("200 tickets synced")


@pytest.mark.sqlite_only  # a screen
async def test_facts_and_servers_are_edited_in_the_case_and_kept_as_revisions(store, store_path):
    app = make_app(store_path)
    async with app.run_test(size=(130, 45)) as pilot:
        await pilot.press("enter", "f")
        await pilot.pause()
        assert app.screen.name == "form"
        assets = app.screen.query_one("#field-assets")
        assert "server web-01 datacenter=SBG ipv4=203.0.113.10" in assets.text
        # A bad line is refused with its number; nothing is written and the text stays.
        assets.text = assets.text + "\nrouter r1"
        await pilot.press("ctrl+s")
        status = lambda: str(app.screen.query_one("#form-status").render())  # noqa: E731
        await wait_for(pilot, lambda: "Not saved" in status())
        assert app.screen.name == "form"
        assert "line 3: 'router' is not one of server, domain, database" in status()
        assets.text = assets.text.replace("router r1", "server web-02 datacenter=GRA ipv4=203.0.113.20")
        app.screen.query_one("#field-facts").text = "Calls before 9:00 only (bakery)."
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen.name == "history")
        facts = str(app.screen.query_one("#history-facts").render())
        assert "web-02" in facts and "GRA" in facts and "Calls before 9:00 only" in facts
    events = [e for e in queries.customer_history(store, "c-boul") if e["kind"] == "fact"]
    assert len(events) == 2  # one revision for the facts, one for the servers
    meta = json.loads(events[-1]["meta"])
    assert {a["name"] for a in meta["assets_before"]} == {"web-01", "boutique-martin.fr"}
    assert {a["name"] for a in meta["assets_after"]} == {"web-01", "web-02", "boutique-martin.fr"}
