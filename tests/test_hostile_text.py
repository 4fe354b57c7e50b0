"""Nothing anyone writes is read as markup or steers the terminal: every field, every screen, every message.

Customer names, subjects, bodies, authors, engineers' names, server names,
incident titles and a helpdesk's error pages are all written by someone else.
Each one carries Rich markup (`[/]` crashed the app; `[@click=app.quit]` quit
it), a terminal escape and a bidi override; each must show exactly as written.
"""

from __future__ import annotations

import copy

from oncall_tui.config import Config
from oncall_tui.core.visible import visible
from oncall_tui.store.importer import import_document
from oncall_tui.usecases import handoff, incidents

from .conftest import NOW, SMALL_DOC, open_session, open_store
from .servers.hostile_http import HostileServer
from .ui_helpers import Notes, make_app, screen_text, wait_for

MARKUP = "[/] [@click=app.quit]q[/] [b]x[/b]"
HOSTILE = f"dave {MARKUP} \x1b[31m\u202erev"
SHOWN = visible(HOSTILE)  # what the screen must show: the markup as typed, controls as pictures


def toast_text(toast) -> str:
    return " ".join(toast.render_line(y).text.strip() for y in range(toast.size.height))


def hostile_doc() -> dict:
    doc = copy.deepcopy(SMALL_DOC)
    doc["engineers"].append({"name": HOSTILE, "region": "EMEA", "city": "Paris", "timezone": "Europe/Paris"})
    boul = doc["customers"][0]
    boul["name"] = f"Boulangerie {HOSTILE}"
    boul["assets"][0]["name"] = f"web-{MARKUP}"
    boul["facts"] = f"Facts {HOSTILE}"
    case = doc["cases"][0]
    case["subject"] = f"SSL {HOSTILE}"
    case["assignee"] = HOSTILE
    case["summary"] = f"Summary {HOSTILE}"
    case["events"].append({"at": "2026-11-24T04:30:00Z", "kind": "message", "direction": "in",
                           "author": HOSTILE, "body": f"Body {HOSTILE}\nThe page says « erreur {MARKUP} \x1b[31m »",
                           "channel": "email"})
    return doc


def prepare(store_path):
    store = open_store(store_path)
    import_document(store, hostile_doc(), now=NOW)
    store.close()
    session = open_session(store_path, user=HOSTILE)  # an engineer so named declares and hands off
    incidents.declare(session, title=f"Outage {HOSTILE}", scope={"datacenter": ["SBG"]})
    handoff.send(session, handoff.brief(session, now=NOW), now=NOW)
    session.close()


async def test_every_field_shows_as_written_on_every_screen(store_path):
    prepare(store_path)
    notes = Notes()
    app = make_app(store_path)
    async with app.run_test(size=(200, 50), message_hook=notes, notifications=True) as pilot:
        await wait_for(pilot, lambda: notes.any("Handoff"))
        queue = screen_text(app)
        assert f"SSL dave {MARKUP}" in queue  # subject
        assert "Boulangerie dave [/]" in queue  # customer (cut to its column)
        assert f"Outage {SHOWN}" in queue  # incident banner
        assert any(visible(HOSTILE) in m for m in notes.messages)  # the handoff's author, in a notification
        await wait_for(pilot, lambda: any(SHOWN in toast_text(t) for t in app.screen.query("Toast")))
        app.open_case("T-100")
        await wait_for(pilot, lambda: app.screen.name == "history" and app.screen.timeline is not None)
        history = screen_text(app)
        for shown in (f"Boulangerie {SHOWN}", f"SSL {SHOWN}", f"assignee {SHOWN}", f"Summary {SHOWN}",
                      f"web-{MARKUP}", f"Facts {SHOWN}", f"Body {SHOWN}"):
            assert shown in history, shown
        assert f"← {SHOWN}" in app.screen.timeline.plain  # the author of the message
        await pilot.press("escape", "I")
        await wait_for(pilot, lambda: app.screen.name == "incidents")
        assert f"Outage {SHOWN}" in screen_text(app)
        await pilot.press("escape", "H")
        await wait_for(pilot, lambda: app.screen.name == "handoff")
        assert SHOWN in screen_text(app)
        assert app.is_running and app.return_code is None  # nothing clicked, nothing quit


async def test_an_error_page_from_a_helpdesk_shows_as_written(store, store_path):
    with HostileServer() as server:
        server.error_body = f"maintenance {HOSTILE}".encode()
        cfg = Config(timezone="Europe/Paris", sources=[{"kind": "json", "name": "crm", "url": server.url + "/error"}])
        notes = Notes()
        app = make_app(store_path, config=cfg)
        async with app.run_test(size=(200, 50), message_hook=notes, notifications=True) as pilot:
            await wait_for(pilot, lambda: notes.any("HTTP 500"))
            assert any(f"maintenance {SHOWN}" in m for m in notes.messages)
            # The toast on screen shows it literally too (a toast's text is its rendered content).
            await wait_for(pilot, lambda: any("HTTP 500" in toast_text(t) for t in app.screen.query("Toast")))
            assert any(f"maintenance {SHOWN}" in toast_text(t) for t in app.screen.query("Toast"))
            assert app.is_running and app.return_code is None


def raw_controls(text: str) -> list[str]:
    """Characters a terminal would act on or hide (anything `visible()` pictures), newlines aside."""
    return sorted({f"U+{ord(ch):04X}" for line in text.split("\n") for ch in line if visible(ch) != ch})


def test_the_commands_print_hostile_text_as_written_and_nothing_a_terminal_acts_on(store_path, capsys):
    from oncall_tui.cli import main

    prepare(store_path)
    db = ["--db", str(store_path)]
    for argv in (["queue"], ["queue", "--json"], ["explain", "T-100"], ["history", "c-boul"],
                 ["history", "c-boul", "--json"], ["search", "dave"], ["search", "dave", "--json"],
                 ["incident", "list"], ["handoff"], ["handoff", "--format", "json"],
                 ["export", "--customer", "c-boul", "--format", "json"],
                 ["export", "--customer", "c-boul", "--format", "md"], ["note", "NOPE-1", HOSTILE]):
        main([*db, *argv])
        out, err = capsys.readouterr()
        assert not raw_controls(out) and not raw_controls(err), (argv, raw_controls(out), raw_controls(err))
        if argv in (["explain", "T-100"], ["history", "c-boul"], ["incident", "list"], ["handoff"]):
            assert MARKUP in out, argv
        if argv == ["explain", "T-100"]:  # the error they quote is the reason, shown as they wrote it
            assert f"said it is down: 'erreur {MARKUP} {visible(chr(27))}[31m'" in out
