"""Screens that are ready for keys only once built, and close themselves when something they
waited for arrives (a write's result).

`Screen.dismiss` pops whatever screen is on top. A result that arrives while a
dialog (help, a handoff, the palette) covers the screen would close that dialog
instead, and a second result would dismiss twice. `close()` closes this screen
only: now if it is on top, when it is back on top otherwise, never twice.
"""

from __future__ import annotations

from typing import Any

from textual import events, on
from textual.screen import Screen


class ReadyScreen(Screen):
    """A screen whose keys wait until it is built and stop once it is going away."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Keys typed ahead (fast fingers, SSH latency) reach a screen pushed a moment ago before its
        # widgets are composed, or one already closing: its actions would look for widgets that are
        # not there yet, or not any more (NoMatches: the monkey test found it).
        return self.is_mounted and self.is_attached and not getattr(self, "closed_by_itself", False)

    def still_shown(self) -> bool:
        """Whether this screen's widgets are still there to update: a worker resuming after an `await`
        asks first (meanwhile the app may have started closing, and this screen's widgets be gone)."""
        return (self.is_mounted and self.is_attached and self.app.is_running and self in self.app.screen_stack
                and not getattr(self, "closed_by_itself", False))


class SelfClosing(ReadyScreen):
    pending_close: tuple[Any] | None = None
    closed_by_itself: bool = False

    def close(self, result: Any = None) -> None:
        """Dismiss this screen with *result*, once, without touching the screens above it."""
        if self.closed_by_itself or self.pending_close is not None or self not in self.app.screen_stack:
            return
        self.pending_close = (result,)
        self._close_if_on_top()

    def _close_if_on_top(self) -> None:
        # Checked and done in one step: between a "later" and the dismissal, a key could push the
        # palette over this screen, and `dismiss` would pop the palette instead (and, called from this
        # screen's own handler through `call_later`, be awaited there: ScreenError).
        if self.pending_close is None or self.closed_by_itself or self.app.screen is not self:
            return
        (result,) = self.pending_close
        self.closed_by_itself = True
        self.dismiss(result)

    @on(events.ScreenResume)
    def _close_when_back(self) -> None:
        self._close_if_on_top()
