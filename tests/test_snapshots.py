"""Every screen as the engineer sees it, at 120×40, at 80×24 and without colour (SVG snapshots).

A change to what a screen shows fails here until the snapshot is looked at and
updated on purpose: `pytest tests/test_snapshots.py --snapshot-update`, then
read the new SVGs (tests/__snapshots__/) before committing them.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timezone

import pytest
from textual.widgets import Input, TextArea

from oncall_tui.config import Config
from oncall_tui.demo.environment import seed_demo_store
from oncall_tui.ui.app import OncallApp
from oncall_tui.usecases import incidents
from oncall_tui.usecases.session import Session

from .ui_helpers import wait_for

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
SIZES = {"wide": (120, 40), "small": (80, 24)}


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("snap") / "demo.db"
    seed_demo_store(path, now=NOW)
    # An outage under way, for the incident screens.
    session = Session.open(path, Config(), user="mehdi", clock=lambda: NOW)
    incidents.declare(session, title="Power outage in SBG", title_fr="Coupure électrique à SBG",
                      scope={"datacenter": ["SBG"]})
    session.close()
    return path


def app_on(demo_store, tmp_path, *, empty: bool = False) -> OncallApp:
    path = tmp_path / "store.db"
    if not empty:
        shutil.copy(demo_store, path)
    # Every customer server answers "connection refused" on loopback: the action screen's
    # checks read the same on any machine (no DNS, no real ssh host).
    ssh_config = tmp_path / "ssh_config"
    ssh_config.write_text("Host *\n  HostName 127.0.0.1\n  Port 1\n  BatchMode yes\n")
    cfg = Config(timezone="Europe/Paris", region="EMEA", city="Paris", ssh_config=str(ssh_config))
    return OncallApp(Session.open(path, cfg, user="alice", clock=lambda: NOW))


async def settle(pilot) -> None:
    """Workers done, start-up notices gone, cursors still: the same frame every run."""
    app = pilot.app
    await pilot.pause(0.2)
    await wait_for(pilot, lambda: not [w for w in app.workers if w.is_running and w.group not in ("write",)])
    app.clear_notifications()
    for widget in app.screen.query("Input, TextArea"):
        if isinstance(widget, (Input, TextArea)):
            widget.cursor_blink = False
    await pilot.pause(0.1)


SCREENS = {
    "queue": [],
    "history": ["enter"],
    "explain": ["e"],
    "help": ["question_mark"],
    "note_editor": ["enter", "n", *"Rappelé le client : DNS pas encore changé."],
    "facts_form": ["enter", "f"],
    "status_choice": ["enter", "S"],
    "discard_confirm": ["enter", "n", *"brouillon", "f8"],
    "body_whole": ["j", "j", "j", "j", "enter", "x"],
    "search": ["ctrl+f", *"cron", "enter"],
    "handoff": ["H"],
    "incidents": ["I"],
    "incident": ["I", "enter"],
    "action": ["V"],
    "palette": ["ctrl+p", *"cert"],
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", SCREENS)
def test_every_screen(snap_compare, demo_store, tmp_path, screen, size):
    app = app_on(demo_store, tmp_path)

    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in SCREENS[screen]:
            await pilot.press(key)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)


@pytest.mark.parametrize("screen", ["queue", "history", "help", "note_editor", "incident", "action"])
def test_screens_without_colour(snap_compare, demo_store, tmp_path, monkeypatch, screen):
    monkeypatch.setenv("NO_COLOR", "1")
    app = app_on(demo_store, tmp_path)

    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in SCREENS[screen]:
            await pilot.press(key)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZES["wide"], run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_the_welcome_of_an_empty_store(snap_compare, demo_store, tmp_path, monkeypatch, size):
    monkeypatch.setenv("HOME", str(tmp_path))  # the store path shows as ~/store.db, the same every run
    assert snap_compare(app_on(demo_store, tmp_path, empty=True), terminal_size=SIZES[size], run_before=settle)
