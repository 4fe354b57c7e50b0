"""Helpers for driving the app with the Pilot and reading what is on screen."""

from __future__ import annotations

from oncall_tui.config import Config
from oncall_tui.ui.app import OncallApp

from .conftest import NOW, open_session


def make_app(store_path, *, user="alice", clock=None, keymap=None, config=None, **kwargs) -> OncallApp:
    cfg = config or Config(timezone="Europe/Paris", region="EMEA", city="Paris")
    session = open_session(store_path, user=user, now=clock or NOW, config=cfg)
    return OncallApp(session, keymap=keymap, **kwargs)


def screen_text(app) -> str:
    """Everything visible on the current screen, as plain text lines (from the app's own screenshot)."""
    return svg_text(app.export_screenshot())


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


def svg_text(svg: str) -> str:
    """The text of a Textual SVG screenshot, one line per terminal row, each piece at its column."""
    import html
    import re

    pieces = re.findall(r'<text class="[^"]*-r\d+" x="([0-9.]+)" y="([0-9.]+)" textLength="([0-9.]+)"[^>]*>(.*?)</text>',
                        svg)
    cell = next((float(length) / len(html.unescape(text)) for _, _, length, text in pieces
                 if html.unescape(text) and len(html.unescape(text)) == len(html.unescape(text).encode("utf-16-le")) // 2),
                12.2)
    rows: dict[float, dict[int, str]] = {}
    for x, y, _, text in pieces:
        rows.setdefault(float(y), {})[round(float(x) / cell)] = html.unescape(text).replace("\xa0", " ")
    lines = []
    for _, parts in sorted(rows.items()):
        line = ""
        for column, text in sorted(parts.items()):
            line = line.ljust(column) + text
        lines.append(line)
    return "\n".join(lines)


def heat_in(line: str) -> int:
    """The heat of a queue row: the number after the band mark."""
    import re

    return int(re.match(r"\s*[▲△]?\s*(\d+)", line).group(1))


class Notes:
    """A `run_test(message_hook=...)` that keeps every notification the app shows (toasts)."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def __call__(self, message) -> None:
        from textual.notifications import Notify

        if isinstance(message, Notify):
            self.messages.append(message.notification.message)

    def any(self, text: str) -> bool:
        return any(text in m for m in self.messages)


def type_ahead(app, *keys: str) -> None:
    """Send keys the way fast fingers over SSH do: all queued at once, none waiting for the screen."""
    from textual import events
    from textual.keys import key_to_character

    for key in keys:
        app.post_message(events.Key(key, key_to_character(key)))
