"""The screen's typed messages: what workers and the app tell the screens.

Workers (writes, the decoder, search, sync) never touch widgets: they post one
of these to the screen or widget that asked, which reacts in its handler.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from ..usecases.changes import Change


@dataclass
class StoreChanged(Message):
    """Someone (another engineer, our sync, our heat tick) changed the store: refresh what *change* touches."""

    change: Change


class StoreNews(Message):
    """The store heard another writer commit, or lost or found its server again (to the app: look now)."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StoreNews)


@dataclass
class ChangesSeen(Message):
    """The look for other engineers' writes came back (from a worker): what changed, or why it could not look."""

    change: Change | None
    error: Exception | None = None


class StoreWritten(Message):
    """A write of ours went through (to the app: look for changes now rather than at the next poll)."""


@dataclass
class Wrote(Message):
    """A write asked with `OncallApp.write` went through; *result* is what the use case returned."""

    request: str
    result: Any


@dataclass
class WriteRefused(Message):
    """A write asked with `OncallApp.write` was refused or failed; *error* says why (nothing was written)."""

    request: str
    error: Exception

    @property
    def reason(self) -> str:
        return str(self.error)


@dataclass
class Suggested(Message):
    """The decoder read the case's latest customer message (in a worker): its suggestion, or None."""

    case_id: str
    suggestion: Any


@dataclass
class SyncProgress(Message):
    """A helpdesk pull is under way: *done* of *total* tickets imported."""

    source: str
    done: int
    total: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SyncProgress) and message.source == self.source
