"""What every source of cases follows: pull documents in batches, maybe push outbox items back.

A source has a `name` (its sync cursor and outbox rows are keyed by it),
pulls interchange documents in batches from a cursor, and may push outbox
items back (a helpdesk) or refuse to (a read-only feed). `catalog.load_sources`
builds them from `[[sources]]` in config.toml.
"""

from __future__ import annotations

import stat
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from ..core.errors import Refused
from ..core.model import OutboxItem

DEFAULT_BATCH = 50  # tickets per import transaction on a first sync


class SourceConfigError(Refused):
    """A `[[sources]]` entry is unusable; the message names the file and `sources[i].key`."""


class PushRefused(Exception):
    """The source will never accept this outbox item (read-only source, bad item): don't retry."""


@dataclass
class Batch:
    """Part of a pull: a document to import with the cursor that follows it, and progress.

    A helpdesk also says who the requestors are (`people`: address, name,
    language, time zone, organisation, the customer they map to) and which
    requestor each case is for (`requestors`: case id → address).
    """

    document: dict
    cursor: str | None
    done: int
    total: int
    people: list[dict] = field(default_factory=list)
    requestors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Pushed:
    """An outbox item that reached the helpdesk: the id its event will have when pulled back,
    and the case's new reference when the push opened a ticket for it ("rt:123")."""

    remote_ref: str
    external_ref: str = ""


@runtime_checkable
class Source(Protocol):
    """A place cases come from (and, for a helpdesk, where replies go)."""

    name: str
    kind: str
    poll_interval: float
    can_push: bool
    #: Create a bare customer record for a case whose customer the store lacks
    #: (a helpdesk maps requestors to customer ids the store may not hold yet).
    placeholder_customers: bool

    def pull_batches(self, cursor: str | None, batch_size: int) -> AsyncIterator[Batch]:
        """The same as `pull`, cut into batches each importable with its own cursor."""

    async def push(self, item: OutboxItem) -> "Pushed | str":
        """Deliver an outbox item; returns the id the remote event will have when pulled (a `Pushed`)."""

    def owns(self, case_id: str, external_ref: str) -> bool:
        """Whether replies on this case go to this source."""

    async def aclose(self) -> None: ...


def read_secret(path: Path, what: str) -> str:
    """A token from a file only its owner can read; SourceConfigError says what to fix."""
    try:
        st = path.stat()
    except OSError as exc:
        raise SourceConfigError(f"{what} file {path}: cannot read it ({exc.strerror})") from None
    if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SourceConfigError(f"{what} file {path} is readable by others (mode {stat.S_IMODE(st.st_mode):04o}); "
                                f"run `chmod 600 {path}`")
    token = path.read_text(encoding="utf-8").strip()
    if not token:
        raise SourceConfigError(f"{what} file {path} is empty: put the token in it")
    return token
