"""Helpers for driving the app with the Pilot and reading what is on screen."""

from __future__ import annotations

from oncall_tui.config import Config
from oncall_tui.ui.app import OncallApp

from .conftest import NOW


def make_app(store_path, *, user="alice", clock=None, keymap=None, config=None, **kwargs) -> OncallApp:
    cfg = config or Config(timezone="Europe/Paris", region="EMEA", city="Paris")
    return OncallApp(store_path, user=user, clock=clock or (lambda: NOW), keymap=keymap, config=cfg, **kwargs)


def screen_text(app) -> str:
    """Everything visible on the current screen, as plain text lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def queue_lines(app) -> list[str]:
    table = app.screen.query_one("QueueTable")
    return [table.render_line(y).text for y in range(min(table.row_count, table.size.height))]


async def wait_for(pilot, condition, *, seconds: float = 30.0, step: float = 0.05):
    """Let the app run until *condition()* holds (a worker finished, a screen opened); fail after *seconds*."""
    for _ in range(int(seconds / step)):
        if condition():
            return
        await pilot.pause(step)
    raise AssertionError("the screen did not get there in time")
