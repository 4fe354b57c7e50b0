"""The command palette (ctrl+p): every key of the screen it is opened from, searchable by what it does.

For k9s and lazygit habits: type a few letters of "issue a certificate" or
"handoff", enter runs it, and the palette says the key for next time. Only
the keymap's own actions are offered (no screenshots, no themes).
"""

from __future__ import annotations

import asyncio
import contextlib
from functools import partial

from rich.text import Text
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.css.query import NoMatches
from textual.messages import Prune
from textual.worker import WorkerCancelled, WorkerFailed


class Palette(CommandPalette):
    """Textual's command palette, safe to remove while it is still gathering commands."""

    _leaving = False  # set once it is being removed

    async def on_prune(self, event: Prune) -> None:
        # Removed other than by its own close (the app quitting with it open): its worker gathering
        # commands writes into the palette's widgets, which go first. It must end before they do, or
        # its next hit finds no list and the app crashes (NoMatches; the monkey, seed 2196937822).
        # Textual's own handler, which removes the widgets, runs after this one.
        self._leaving = True
        for worker in self.workers.cancel_node(self):
            with contextlib.suppress(WorkerCancelled, WorkerFailed):
                await worker.wait()

    def query_one(self, *args, **kwargs):
        """`DOMNode.query_one`; while the palette is going (the app quitting), a part of it already removed
        ends the worker looking for it instead of crashing the app: a search started after the workers were
        cancelled looked for its list once the list was gone (NoMatches; the monkey, seed 1404276979)."""
        try:
            return super().query_one(*args, **kwargs)
        except NoMatches:
            if self._leaving or not self.app.is_running:
                raise asyncio.CancelledError from None
            raise


class KeyCommands(Provider):
    """The bindings of the screen under the palette and of the app, from the keymap."""

    def _commands(self) -> list[tuple[str, str, str, bool]]:
        """(what it does, keys as typed, action, on the app) for each binding live under the palette."""
        keymap = self.app.keymap
        section = getattr(self.screen, "KEYMAP", "") or (self.screen.name or "")
        rows = []
        for keys, description, binding_id in keymap.help_rows(section):
            scope = binding_id.split(".", 1)[0]
            spec = keymap.specs.get(scope, {}).get(binding_id)
            if spec is None or spec.action in ("command_palette", "app.command_palette"):
                continue
            rows.append((description, keys, spec.action, scope == "app"))
        return rows

    def _run(self, action: str, on_app: bool) -> None:
        target = self.app if on_app else self.screen
        self.app.call_later(target.run_action, action)

    def _display(self, description: str, keys: str) -> Text:
        return Text.assemble(description, ("  " + keys, "dim"))

    async def discover(self) -> Hits:
        for description, keys, action, on_app in self._commands():
            yield DiscoveryHit(self._display(description, keys), partial(self._run, action, on_app),
                               text=description, help=f"key: {keys}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for description, keys, action, on_app in self._commands():
            score = matcher.match(description)
            if score > 0:
                yield Hit(score, self._display(description, keys), partial(self._run, action, on_app),
                          text=description, help=f"key: {keys}")
