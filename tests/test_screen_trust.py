"""What an engineer trusts at 3 a.m.: nothing typed is lost, two engineers do not trip over each other,
keys mean what tig and lazygit users expect, colours and numbers agree, and a crash says where its report is."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
from datetime import timedelta

import pytest
from rich.console import Console
from textual.command import CommandList, CommandPalette, Hit, Hits, Provider

from oncall_tui.cli import main
from oncall_tui.config import Config
from oncall_tui.store import queries, writes
from oncall_tui.ui.app import OncallApp
from oncall_tui.ui.messages import Suggested, Wrote
from oncall_tui.usecases import presence, writing

from .conftest import NOW, open_session, open_store
from .ui_helpers import (
    Notes,
    heat_in,
    make_app,
    queue_lines,
    screen_text,
    type_ahead,
    wait_for,
)

# Screens run on SQLite only; the store and service tests cover both engines.
pytestmark = pytest.mark.sqlite_only

PARIS = dict(timezone="Europe/Paris", region="EMEA", city="Paris")


# -- nothing typed is lost ------------------------------------------------------------------------

async def test_escape_keeps_the_note_as_a_draft_that_comes_back(store, store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter", "n")
        await wait_for(pilot, lambda: app.screen.name == "editor")
        await pilot.press(*"the customer's DNS still points to the old host")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen.name == "history")
        # Kept in the store, not only in memory: another process (a crash, a lost SSH session) finds it too.
        session = open_session(store_path)
        await wait_for(pilot, lambda: writing.draft(session, "T-100", "note") is not None)
        assert writing.draft(session, "T-100", "note").text == "the customer's DNS still points to the old host"
        session.close()
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen.name == "editor")
        assert app.screen.text == "the customer's DNS still points to the old host"
        assert "draft" in str(app.screen.query_one("#editor-status").render())
        # Discarding asks first; "n" keeps it.
        await pilot.press("f8")
        await wait_for(pilot, lambda: app.screen.name == "confirm")
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen.name == "editor")
        assert app.screen.text.startswith("the customer's DNS")
        await pilot.press("f8")
        await wait_for(pilot, lambda: app.screen.name == "confirm")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen.name == "history")
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen.name == "editor")
        assert app.screen.text == ""


@pytest.mark.parametrize("opening", [["ctrl+p"], ["A"], ["enter", "r"]], ids=["palette", "dialog", "editor"])
async def test_ctrl_q_quits_over_any_screen_and_keeps_what_was_just_typed(store, store_path, opening):
    # ctrl+q "quits anywhere" (keymap, help): over the palette and the dialogs it did nothing.
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*opening)
        await wait_for(pilot, lambda: app.screen.name != "queue" or CommandPalette.is_open(app))
        if app.screen.name == "editor":
            await pilot.press(*"Bonjour, c'est fait")
        await pilot.press("ctrl+q")  # at once: before the draft's timer
        await wait_for(pilot, lambda: app.return_code is not None)
    assert app.return_code == 0 and app.crash_report is None
    if opening[-1] == "r":
        session = open_session(store_path)
        assert writing.draft(session, "T-100", "reply").text == "Bonjour, c'est fait"
        session.close()


async def test_a_draft_typed_in_a_session_that_died_comes_back_in_the_next(store, store_path):
    first = make_app(store_path)
    async with first.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter", "r")
        await wait_for(pilot, lambda: first.screen.name == "editor")
        await pilot.press(*"Bonjour, le certificat est en cours")
        session = open_session(store_path)
        await wait_for(pilot, lambda: writing.draft(session, "T-100", "reply") is not None, seconds=10)
        session.close()
        # The SSH session drops here: the app never saves, never closes the editor.
    second = make_app(store_path)
    async with second.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter", "r")
        await wait_for(pilot, lambda: second.screen.name == "editor")
        assert second.screen.text == "Bonjour, le certificat est en cours"


# -- two engineers on one case --------------------------------------------------------------------------

async def test_a_reply_after_someone_elses_says_who_when_and_in_which_language_then_needs_a_second_key(
        store, store_path):
    app = make_app(store_path, config=Config(**PARIS))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter", "r")
        await wait_for(pilot, lambda: app.screen.name == "editor")
        await pilot.press(*"Bonjour, je regarde votre certificat.")
        # Meanwhile bob answers from another bastion, in English.
        bob = open_session(store_path, user="bob", now=NOW + timedelta(minutes=2))
        writing.reply(bob, "T-100", "Hello, we are on it and will get back to you shortly.")
        bob.close()
        await pilot.press("ctrl+s")
        status = lambda: str(app.screen.query_one("#editor-status").render())  # noqa: E731
        await wait_for(pilot, lambda: "Not sent" in status())
        assert "bob replied at 09:02 UTC in English" in status()
        assert app.screen.name == "editor" and app.screen.text == "Bonjour, je regarde votre certificat."
        await pilot.press("ctrl+s")  # seen it: send anyway
        await wait_for(pilot, lambda: app.screen.name == "history")
    out = [e for e in queries.case_events(store, "T-100") if e["kind"] == "message" and e["direction"] == "out"]
    assert {e["author"] for e in out[-2:]} == {"bob", "alice"}


async def test_a_reply_while_someone_else_is_writing_one_says_so(store, store_path):
    bob = make_app(store_path, user="bob")
    alice = make_app(store_path, config=Config(**PARIS))
    async with bob.run_test(size=(120, 40)) as b, alice.run_test(size=(120, 40)) as a:
        await b.press("enter", "r")
        await wait_for(b, lambda: bob.screen.name == "editor")
        await a.press("enter", "r")
        await wait_for(a, lambda: alice.screen.name == "editor")
        await a.press(*"Bonjour", "ctrl+s")
        status = lambda: str(alice.screen.query_one("#editor-status").render())  # noqa: E731
        await wait_for(a, lambda: "Not sent" in status())
        assert "bob" in status() and "is writing a reply right now" in status()


async def test_a_summary_saved_over_another_shows_both_and_saves_only_when_asked(store, store_path):
    app = make_app(store_path, config=Config(**PARIS))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter", "s")
        await wait_for(pilot, lambda: app.screen.name == "editor")
        await pilot.press("f7", *"Wants: SSL. Next: DNS.")  # select all the template, type over it
        bob = open_session(store_path, user="bob")
        writing.set_summary(bob, "T-100", "Wants: SSL. Done: called Jean. Next: AAAA record.")
        bob.close()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen.query_one("#editor-theirs").display)
        theirs = str(app.screen.query_one("#editor-theirs").render())
        assert "called Jean" in theirs and "bob" in theirs
        assert queries.get_case(store, "T-100")["summary"].startswith("Wants: SSL. Done: called Jean")
        await pilot.press("ctrl+s")  # both seen: mine goes over theirs
        await wait_for(pilot, lambda: app.screen.name == "history")
    assert queries.get_case(store, "T-100")["summary"] == "Wants: SSL. Next: DNS."


# -- keys --------------------------------------------------------------------------------------------------

async def test_q_goes_back_on_every_screen_and_quits_only_from_the_queue(store, store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        for opening in (["enter"], ["I"], ["H"], ["question_mark"], ["e"]):
            await pilot.press(*opening)
            await wait_for(pilot, lambda: app.screen.name != "queue")
            await pilot.press("q")
            await wait_for(pilot, lambda: app.screen.name == "queue")
        assert app.is_running
        await pilot.press("enter", "ctrl+q")  # ctrl+q quits from anywhere
        await wait_for(pilot, lambda: not app.is_running)


async def test_every_key_in_help_is_written_as_typed_and_lists_quit(store, store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: app.screen.name == "help")
        text = screen_text(app)
        assert "ctrl+q" in text and "app.quit" in text and "queue.filter" in text
        assert "slash" not in text and "question_mark" not in text
        assert " / " in text and " ? " in text


# -- what the screen shows agrees with itself ----------------------------------------------------------------

async def test_rows_marked_hot_are_the_hot_count_of_the_header(tmp_path):
    from oncall_tui.demo.environment import seed_demo_store

    path = tmp_path / "demo.db"
    seed_demo_store(path, now=NOW)
    app = make_app(path)
    async with app.run_test(size=(140, 60)) as pilot:
        await pilot.pause()
        title = str(app.screen.query_one("#queue-title").render())
        hot = int(title.split("▲")[1].split()[0])
        lines = queue_lines(app)
        assert hot and sum(line.lstrip().startswith("▲") for line in lines) == hot
        assert all(heat_in(line) >= 60 for line in lines if line.lstrip().startswith("▲"))
        assert all(heat_in(line) < 60 for line in lines if not line.lstrip().startswith("▲"))


async def test_the_selected_row_stays_on_screen_when_its_case_cools(store, store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 12)) as pilot:
        await pilot.press("G")  # T-300, the coldest
        assert "T-300" in str(app.screen.query_one("#queue-why").render())
        # Far more cases arrive above it, hot ones: its row moves down out of the old page.
        s = open_store(store_path)
        for n in range(30):
            writes.add_case_event(s, "T-200", kind="note", body=f"note {n}", author="bob", now=NOW)
        s.close()
        extra = open_session(store_path)
        from oncall_tui.usecases.exchange import import_data
        import_data(extra, {"cases": [{"id": f"T-9{n:02d}", "customer": "c-acme", "subject": f"outage {n}",
                                       "status": "open", "opened_at": "2026-11-24T01:00:00Z", "events": [
                                           {"at": "2026-11-24T01:00:00Z", "kind": "message", "direction": "in",
                                            "author": "ann", "body": "URGENT!!! down again"}]}
                                      for n in range(20)]})
        extra.close()
        table = app.screen.query_one("QueueTable")
        # The screen re-reads the queue when the store tells it; read it now and look at once: the row must
        # be on screen from that step, not after a deferred scroll that Textual drops when the table had no
        # overflow at its last layout (3 rows then).
        table.sync()
        assert table.row_count == 23 and table.current_case_id() == "T-300"
        assert table.scroll_offset.y <= table.cursor < table.scroll_offset.y + table.size.height
        await pilot.pause()
        assert any("T-300" in line and "Calm Studio" in line for line in screen_text(app).splitlines())
        assert "T-300" in str(app.screen.query_one("#queue-why").render())


async def test_the_newest_entry_of_the_history_is_shown_whole(store, store_path):
    s = open_store(store_path)
    writes.add_case_event(s, "T-100", kind="message", direction="in", author="jean", now=NOW,
                          body="Ligne 1\nLigne 2\nLigne 3\nDernière ligne : toujours rien !")
    s.close()
    app = make_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Dernière ligne : toujours rien !" in screen_text(app))


async def test_a_long_history_opens_on_its_newest_entries_and_g_shows_them_all(store, store_path):
    s = open_store(store_path)
    for n in range(100):
        writes.add_case_event(s, "T-100", kind="note", author="bob", now=NOW + timedelta(minutes=n),
                              body=f"relance numéro {n}")
    s.close()
    app = make_app(store_path, clock=NOW + timedelta(hours=2))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        # The first frame draws the newest entries that fill the screen; the other recent ones follow.
        await wait_for(pilot, lambda: app.screen.name == "history" and app.screen.timeline is not None
                       and "earlier entries" in app.screen.timeline.plain)
        shown = app.screen.timeline.plain
        assert "relance numéro 99" in shown and "relance numéro 20" not in shown
        assert "earlier entries" in shown and "g shows them all" in shown
        await pilot.press("g")
        await wait_for(pilot, lambda: "relance numéro 0\n" in app.screen.timeline.plain + "\n")
        assert "earlier entries" not in app.screen.timeline.plain
        await wait_for(pilot, lambda: "relance numéro 0" in screen_text(app) or
                       app.screen.query_one("#history-scroll").scroll_y == 0)
        assert app.screen.query_one("#history-scroll").scroll_y == 0


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60)])
async def test_the_first_frame_of_a_long_history_fills_the_timeline(store, store_path, size):
    """A case opens on the newest entries that fill the screen, the older ones drawn a moment later above
    them: the first frame's entries, wrapped at the screen's width, leave no blank rows in the timeline."""
    s = open_store(store_path)
    for n in range(80):  # short notes and long lines that wrap, with wide (CJK) characters among them
        body = f"note {n}" if n % 3 else f"ligne longue {n} " + "détail " * (n % 40) + "東京" * (n % 7)
        writes.add_case_event(s, "T-100", kind="note", author="bob", now=NOW + timedelta(minutes=n), body=body)
    s.close()
    app = make_app(store_path, clock=NOW + timedelta(hours=2))
    async with app.run_test(size=size) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.name == "history" and "earlier entries" in app.screen.timeline.plain)
        screen = app.screen
        scroll = screen.query_one("#history-scroll")
        whole = screen.timeline.plain
        assert not screen.show(fill=app.size.height)  # what the first frame draws: not everything
        first = screen.timeline
        assert "note 79" in first.plain and len(first.plain) < len(whole)
        console = Console(width=scroll.content_size.width, color_system=None, legacy_windows=False)
        drawn = console.render_lines(first, console.options, pad=False)
        assert len(drawn) >= scroll.content_size.height


async def test_at_80_by_24_the_subject_keeps_the_row_and_the_footer_the_way_out(store, store_path):
    app = make_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        first = queue_lines(app)[0]
        assert "Charger un SSL sur boutique-m" in first  # 30 characters of the subject at least
        assert "ASSIGNEE" in screen_text(app) and "WHO" not in screen_text(app)  # nobody else: WHO folds
        footer = screen_text(app).splitlines()[-1]
        assert "Quit" in footer and "?" in footer
        await pilot.press("enter")
        await pilot.pause()
        lines = screen_text(app).splitlines()
        start = next(i for i, line in enumerate(lines) if "Asked where backups" in line or "←" in line)
        assert start <= 6  # the case header takes at most six of the 24 rows
        assert "Back" in lines[-1] and "?" in lines[-1]


async def test_without_colour_the_band_still_reads(store, store_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(store_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert app.no_color
        assert queue_lines(app)[0].lstrip().startswith("△")  # T-100 is warm: the mark says it
        await pilot.press("j", "enter", "escape", "e", "escape", "question_mark", "escape")
        await pilot.pause()
        assert app.screen.name == "queue"


async def test_a_case_opened_after_another_shows_nothing_of_the_first(store, store_path):
    """Every case opens in one screen, reused: the second case is drawn whole before it shows (never a frame of
    the first customer's header, timeline or suggestion), and the decoder's late answer for the first case,
    or its status change, is not shown as the second's."""
    notes = Notes()
    app = make_app(store_path)
    async with app.run_test(size=(120, 40), message_hook=notes) as pilot:
        await pilot.press("j", "enter")  # T-200, ACME: "Our shop returns 502 since the deploy."
        await wait_for(pilot, lambda: app.screen.name == "history" and
                       app.screen.query_one("#history-suggestion").display)
        first, said = app.screen, app.screen.suggestion
        assert "502" in str(first.query_one("#history-suggestion").render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen.name == "queue")
        app.open_case("T-300")  # Calm Studio's invoice question; checked before any frame is drawn
        shown = app.screen
        assert shown is first  # the same screen, with the new case in it already
        assert "Calm Studio" in str(shown.query_one("#history-header").render())
        assert "Acme Widgets" not in str(shown.query_one("#history-header").render())
        assert "502" not in shown.timeline.plain and "resend the October invoice" in shown.timeline.plain
        assert not shown.query_one("#history-suggestion").display and shown.suggestion is None
        await pilot.pause()
        shown.post_message(Suggested("T-200", said))  # the first case's answer, arriving late
        await pilot.pause()
        assert not shown.query_one("#history-suggestion").display and shown.suggestion is None
        shown.post_message(Wrote("status", (None, "resolved", "T-200")))  # the first case's status write
        await wait_for(pilot, lambda: notes.any("is now resolved"))
        assert notes.any("T-200 is now resolved") and not notes.any("T-300 is now")


async def test_leaving_a_case_stops_showing_me_on_it(store, store_path):
    app = make_app(store_path)
    bob = open_session(store_path, user="bob")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: "alice" in presence.describe_case(bob, "T-100"))
        await pilot.press("escape")
        await wait_for(pilot, lambda: "alice" not in presence.describe_case(bob, "T-100"))
        await pilot.press("j", "enter")  # the next case: the same screen, shown again
        await wait_for(pilot, lambda: "alice" in presence.describe_case(bob, "T-200"))
        assert "alice" not in presence.describe_case(bob, "T-100")
    bob.close()


# -- a crash says where its report is ------------------------------------------------------------------

async def test_a_crash_of_the_screen_leaves_a_private_report_without_secrets(store, store_path, tmp_path,
                                                                             monkeypatch):
    monkeypatch.setenv("ONCALL_DATA_DIR", str(tmp_path / "data"))
    from oncall_tui.usecases import queue

    def broken(*args, **kwargs):
        raise RuntimeError("boom while posting to https://user:pw@hooks.example.net/services/T0/B0/SECRET?t=x")

    cfg = Config(**PARIS, handoff_webhook="https://hooks.example.net/services/T0/B0/SECRET")
    app = make_app(store_path, config=cfg)
    with pytest.raises(RuntimeError):
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            monkeypatch.setattr(queue, "explain", broken)
            await pilot.press("e")
            await pilot.pause()
    report = app.crash_report
    assert report is not None and report.parent == tmp_path / "data" / "crashes"
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    text = report.read_text()
    assert "RuntimeError: boom" in text and "hooks.example.net" in text
    assert "SECRET" not in text and "pw@" not in text and "t=x" not in text


def test_a_crashing_command_exits_70_with_one_line_naming_the_report(store, store_path, tmp_path, monkeypatch,
                                                                      capsys):
    monkeypatch.setenv("ONCALL_DATA_DIR", str(tmp_path / "data"))
    from oncall_tui.usecases import queue

    monkeypatch.setattr(queue, "ranked", lambda *a, **k: 1 / 0)
    assert main(["--db", str(store_path), "queue"]) == 70
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "crashed" in err[0] and str(tmp_path / "data" / "crashes") in err[0]
    report = next((tmp_path / "data" / "crashes").iterdir())
    assert "ZeroDivisionError" in report.read_text() and oct(report.stat().st_mode)[-3:] == "600"
    assert os.environ.get("ONCALL_DATA_DIR")


# -- what k9s and lazygit users reach for ----------------------------------------------------------------

async def test_the_command_palette_finds_an_action_by_what_it_does_and_runs_it(store, store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: CommandPalette.is_open(app))
        await pilot.press(*"why hot")
        await wait_for(pilot, lambda: "key: e" in screen_text(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.name == "explain")
        assert "T-100" in screen_text(app)


async def test_take_assign_and_copy_from_the_queue(store, store_path):
    app = make_app(store_path, user="kenji")
    notes = Notes()
    async with app.run_test(size=(120, 40), message_hook=notes) as pilot:
        await pilot.press("j")  # T-200, bob's
        await pilot.press("m")
        await wait_for(pilot, lambda: "kenji" in queue_lines(app)[1])
        assert notes.any("T-200 is now kenji's")
        await pilot.press("A")
        await wait_for(pilot, lambda: app.screen.name == "choice")
        await pilot.press("down", "enter")  # the team in order: alice, bob, kenji → bob
        await wait_for(pilot, lambda: "bob" in queue_lines(app)[1])
        await pilot.press("y")
        assert app.clipboard == "T-200"
        await pilot.press("Y")
        await pilot.pause()
        assert notes.any("no helpdesk ticket")
    events = [e for e in queries.case_events(store, "T-200") if e["kind"] == "assign"]
    assert [e["body"] for e in events] == ["bob → kenji", "kenji → bob"] and events[0]["author"] == "kenji"


async def test_keys_typed_ahead_never_open_a_screen_twice_nor_act_after_quit(store, store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        type_ahead(app, "H", "H")
        await wait_for(pilot, lambda: app.screen.name == "handoff")
        await pilot.pause(0.2)
        assert [s.name for s in app.screen_stack] == ["queue", "handoff"]
        type_ahead(app, "escape", "ctrl+p", "f1", "ctrl+p")
        await wait_for(pilot, lambda: CommandPalette.is_open(app))
        await pilot.pause(0.2)
        assert sum(isinstance(s, CommandPalette) for s in app.screen_stack) == 1
        assert not any(s.name == "help" for s in app.screen_stack)  # keys wait while the palette asks
        while CommandPalette.is_open(app):
            await pilot.press("escape")
        type_ahead(app, "q", "A", "enter")  # quit, then keys that would open screens
        await wait_for(pilot, lambda: app.return_code is not None)
    assert app.return_code == 0 and app.crash_report is None


async def test_closing_the_app_under_a_palette_still_gathering_commands_never_crashes(store, store_path, monkeypatch):
    # The palette gathers commands in a worker that writes into its list. When the app is closed
    # without its workers cancelled first (Textual's test harness does this, as the monkey ends each
    # app), the palette's widgets go before the palette: a hit arriving in between crashed the app
    # (NoMatches; the monkey, seed 2196937822). This provider answers exactly then, so the race is certain.
    class LateHit(Provider):
        async def search(self, query: str) -> Hits:
            palette = next(s for s in self.app.screen_stack if isinstance(s, CommandPalette))
            while palette.query(CommandList):
                await asyncio.sleep(0)
            yield Hit(1.0, "late", lambda: None)

    monkeypatch.setattr(OncallApp, "COMMANDS", {*OncallApp.COMMANDS, LateHit})
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: CommandPalette.is_open(app))
        await pilot.press(*"han")
        await pilot.pause(0.1)
    assert app.crash_report is None and app.return_code in (None, 0)


async def test_a_screen_asked_to_close_under_the_palette_closes_itself_later_never_the_palette(store, store_path):
    # The palette runs its command late (`call_later`): a "back" for the history can arrive while a
    # new palette already covers it. Dismissing then popped the palette instead, from a later
    # callback that Textual refuses (ScreenError: the app crashed); the monkey hit it as the palette's
    # search worker finding its list gone.
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.name == "history")
        history = app.screen
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: CommandPalette.is_open(app))
        await history.run_action("back")
        assert CommandPalette.is_open(app) and history in app.screen_stack
        type_ahead(app, "escape", "ctrl+p")  # the palette away, and at once a new one
        await wait_for(pilot, lambda: CommandPalette.is_open(app))
        await pilot.pause(0.2)
        # The new palette is on top and works, whether the history closed before it came or waits under it.
        assert isinstance(app.screen, CommandPalette)
        assert sum(isinstance(s, CommandPalette) for s in app.screen_stack) == 1
        await pilot.press(*"handoff")
        await wait_for(pilot, lambda: "key: H" in screen_text(app))
        while CommandPalette.is_open(app):
            await pilot.press("escape")
        await wait_for(pilot, lambda: [s.name for s in app.screen_stack] == ["queue"])
    assert app.return_code in (None, 0) and app.crash_report is None


async def test_escape_while_the_facts_are_being_saved_waits_for_the_answer(store, store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter", "f")
        await wait_for(pilot, lambda: app.screen.name == "form")
        await pilot.press(*"web-07")
        # Another engineer's transaction holds the store: the save waits for it.
        blocker = sqlite3.connect(store_path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        type_ahead(app, "ctrl+s", "escape")
        await pilot.pause(0.3)
        assert app.screen.name == "form"
        assert "wait for the answer" in str(app.screen.query_one("#form-status").render())
        blocker.execute("ROLLBACK")
        blocker.close()
        await wait_for(pilot, lambda: app.screen.name == "history")
        await wait_for(pilot, lambda: "web-07" in screen_text(app))


async def test_escape_while_a_reply_is_being_saved_waits_for_the_answer(store, store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter", "r")
        await wait_for(pilot, lambda: app.screen.name == "editor")
        await pilot.press(*"Bonjour, c'est fait.")
        blocker = sqlite3.connect(store_path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        type_ahead(app, "ctrl+s", "escape")
        await pilot.pause(0.3)
        assert app.screen.name == "editor"
        assert "wait for the answer" in str(app.screen.query_one("#editor-status").render())
        blocker.execute("ROLLBACK")
        blocker.close()
        await wait_for(pilot, lambda: app.screen.name == "history")
