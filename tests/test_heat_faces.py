"""What the heat knows, on the engineer's screen and command line: "probably done" and its one-key
resolve, an incident's case taken off it, the heat re-read after an upgrade."""

from __future__ import annotations

import pytest

from oncall_tui.cli import main
from oncall_tui.usecases import incidents as incident_cases

from .conftest import open_session, open_store
from .test_heat_store import NEW, NOW, document, done_case, load, msg, stamp
from .ui_helpers import Notes, make_app, queue_lines, screen_text, wait_for


@pytest.fixture
def store(tmp_path):
    """A session on an empty store at the heat tests' instant."""
    path = tmp_path / "faces.db"
    open_store(path).close()
    s = open_session(path, now=NOW)
    yield s
    s.close()


def status(session, case_id: str) -> str:
    return session.store.query_one("SELECT status FROM cases WHERE id = ?", (case_id,))[0]


async def test_the_queue_says_probably_done_and_z_resolves_it(store):
    session = store
    done_case(session)
    load(session, document(NEW))
    app = make_app(session.store.path, clock=NOW)
    notes = Notes()
    async with app.run_test(size=(120, 30), message_hook=notes) as pilot:
        await pilot.pause()
        lines = queue_lines(app)
        row = next(i for i, line in enumerate(lines) if "T-8" in line)
        other = next(i for i, line in enumerate(lines) if "T-9" in line)
        await pilot.press(*["j"] * other)
        await pilot.press("Z")  # not done: said so, nothing written
        await wait_for(pilot, lambda: notes.any("T-9 is not marked probably done"))
        assert status(app.session, "T-9") == "open"

        await pilot.press("g", *["j"] * row)
        why = str(app.screen.query_one("#queue-why").render())
        assert "T-8" in why and "probably done (Z resolves)" in why
        await pilot.press("Z")
        await wait_for(pilot, lambda: not any("T-8" in line for line in queue_lines(app)))
        assert status(app.session, "T-8") == "resolved"
        await wait_for(pilot, lambda: notes.any("T-8 resolved — the customer wrote 'all good / you can close it'"))


def outage(session):
    load(session, {"customers": [{"id": "c-grace", "name": "Tidewater", "assets": [
        {"kind": "server", "name": "web-01", "datacenter": "SBG"}]}],
        "cases": [{"id": "T-9", "customer": "c-grace", "subject": "Site down", "status": "open",
                   "opened_at": stamp(hours=1), "events": [msg(stamp(hours=1), "in", "Grace", "web-01 is down")]}]})
    return incident_cases.declare(session, title="power cut", scope={"datacenter": ["SBG"]})


async def test_x_on_an_incident_takes_a_case_off_it(store):
    session = store
    inc = outage(session)
    app = make_app(session.store.path, clock=NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("I", "enter")
        await wait_for(pilot, lambda: app.screen.name == "incident")
        assert "T-9" in screen_text(app)
        await pilot.press("x")
        await wait_for(pilot, lambda: "Unlink a case" in screen_text(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.name == "incident" and "0 affected" in screen_text(app))
        assert app.session.store.query_one("SELECT incident_id FROM cases WHERE id = 'T-9'")[0] is None
    assert inc.id


def test_the_command_line_unlinks_resolves_done_and_refolds(store, capsys):
    session = store
    inc = outage(session)
    done_case(session)
    db = str(session.store.path)
    session.close()
    assert main(["--db", db, "incident", "unlink", inc.id, "T-9"]) == 0
    assert f"T-9 unlinked from {inc.id}" in capsys.readouterr().out
    assert main(["--db", db, "incident", "unlink", inc.id, "T-9"]) == 2  # not on it any more: refused
    assert "T-9" in capsys.readouterr().err

    assert main(["--db", db, "resolve-done", "T-9"]) == 2  # the customer never said it was done
    assert "not marked probably done" in capsys.readouterr().err
    assert main(["--db", db, "resolve-done", "T-8"]) == 0
    assert "T-8 resolved (the customer wrote: all good / you can close it)" in capsys.readouterr().out

    assert main(["--db", db, "refold"]) == 0
    assert "2 cases re-read" in capsys.readouterr().out
