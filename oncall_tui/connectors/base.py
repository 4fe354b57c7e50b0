"""What every source of cases follows, and how `[[sources]]` in config.toml become sources.

A source has a `name` (its sync cursor and outbox rows are keyed by it),
pulls interchange documents in batches from a cursor, and may push outbox
items back (a helpdesk) or refuse to (a read-only feed). Example::

    [[sources]]
    kind = "rt"                      # Request Tracker 5 (REST2), see connectors/rt.py
    name = "main"
    base_url = "https://rt.example.net"
    token_file = "~/.config/oncall-tui/rt.token"   # chmod 600
    queues = ["Support"]

    [[sources]]
    kind = "json"                    # any URL serving the interchange format
    name = "crm"
    url = "https://crm.example.net/oncall.json"
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from ..store.outbox import OutboxItem
from .rt import Cursor, PullResult, RtConfig, RtConfigError, RtConnector, advance, build_document, read_token

DEFAULT_BATCH = 50  # tickets per import transaction on a first sync


class SourceConfigError(ValueError):
    """A `[[sources]]` entry is unusable; the message names the file and `sources[i].key`."""


class PushRefused(Exception):
    """The source will never accept this outbox item (read-only source, bad item): don't retry."""


@dataclass
class Batch:
    """Part of a pull: a document to import with the cursor that follows it, and progress."""

    document: dict
    cursor: str | None
    done: int
    total: int


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

    async def pull(self, cursor: str | None) -> PullResult:
        """Everything changed since *cursor*, in one document."""

    def pull_batches(self, cursor: str | None, batch_size: int) -> AsyncIterator[Batch]:
        """The same as `pull`, cut into batches each importable with its own cursor."""

    async def push(self, item: OutboxItem) -> str:
        """Deliver an outbox item; returns the id the remote event will have when pulled."""

    def owns(self, case_id: str, external_ref: str) -> bool:
        """Whether replies on this case go to this source."""

    async def aclose(self) -> None: ...


class RtSource:
    """Request Tracker as a `Source`: batched pulls and outbox delivery over `RtConnector`."""

    kind = "rt"
    can_push = True
    placeholder_customers = True

    def __init__(self, config: RtConfig, *, token: str | None = None) -> None:
        self.config = config
        self.name = config.name
        self.poll_interval = config.poll_interval
        # Read (and check the permissions of) the token now, so a bad file is a config error.
        self._token = token if token is not None else read_token(config.token_file)
        self._rt: RtConnector | None = None

    @property
    def connector(self) -> RtConnector:
        # Created on first use so the HTTP client belongs to the event loop that uses it.
        if self._rt is None:
            self._rt = RtConnector(self.config, token=self._token)
        return self._rt

    async def aclose(self) -> None:
        if self._rt is not None:
            rt, self._rt = self._rt, None
            await rt.aclose()

    async def pull(self, cursor: str | None) -> PullResult:
        return await self.connector.pull(cursor)

    async def pull_batches(self, cursor: str | None, batch_size: int = DEFAULT_BATCH) -> AsyncIterator[Batch]:
        rt = self.connector
        position = Cursor.parse(cursor)
        tickets = await rt.search(position)  # oldest LastUpdated first: each batch's cursor is safe to keep
        if not tickets:
            yield Batch(build_document([]), cursor, 0, 0)
            return
        for start in range(0, len(tickets), max(1, batch_size)):
            chunk = tickets[start:start + max(1, batch_size)]
            cases = await asyncio.gather(*(rt._one_case(t) for t in chunk))
            position = advance(position, chunk, rt.searched_at)
            yield Batch(build_document(list(cases)), str(position), start + len(chunk), len(tickets))

    def event_id(self, txn: int) -> str:
        return f"rt:{self.name}:txn:{int(txn)}"

    def owns(self, case_id: str, external_ref: str) -> bool:
        kind, _, ticket = external_ref.partition(":")
        return kind == "rt" and ticket.isdigit() and case_id == f"{self.config.case_prefix}-{ticket}"

    async def push(self, item: OutboxItem) -> str:
        kind, _, ticket = item.external_ref.partition(":")
        if kind != "rt" or not ticket.isdigit():
            raise PushRefused(f"outbox row {item.id}: case {item.case_id} has no RT ticket "
                              f"(external_ref {item.external_ref!r})")
        rt = self.connector
        if item.action in ("correspond", "comment"):
            text = item.payload.get("text")
            if not isinstance(text, str) or not text.strip():
                raise PushRefused(f"outbox row {item.id}: payload.text is missing or empty")
            if item.check_first:  # an earlier attempt may have arrived: look before sending again
                txn = await rt.deliver(int(ticket), item.action, text)
            else:
                txn = await (rt.correspond if item.action == "correspond" else rt.comment)(int(ticket), text)
        elif item.action == "status":
            status = item.payload.get("status")
            if not isinstance(status, str):
                raise PushRefused(f"outbox row {item.id}: payload.status is missing")
            try:
                # Setting the same status twice changes nothing in RT, so no check is needed.
                txn = await rt.set_status(int(ticket), status)
            except ValueError as exc:
                raise PushRefused(f"outbox row {item.id}: {exc}") from None
        else:
            raise PushRefused(f"outbox row {item.id}: action {item.action!r} is not supported by RT "
                              f"source {self.name!r} (correspond|comment|status)")
        return self.event_id(txn)


# -- configuration --------------------------------------------------------------------

_RT_KEY = re.compile(r"^.*?: '([^']+)': (.*)$", re.S)
_RT_UNKNOWN = re.compile(r"^.*?: unknown key '([^']+)' (.*)$", re.S)


def _rt_source(table: dict, file: str, key: str) -> RtSource:
    data = {k: v for k, v in table.items() if k != "kind"}
    try:
        config = RtConfig.from_dict(data, where=f"{file} {key}")
    except RtConfigError as exc:
        # RtConfig says "<where>: 'key': why"; say "<file>: sources[i].key: why" like the rest of config.
        text = str(exc)
        for pattern, fmt in ((_RT_UNKNOWN, "{}: {}.{}: unknown key {}"), (_RT_KEY, "{}: {}.{}: {}")):
            match = pattern.match(text)
            if match:
                raise SourceConfigError(fmt.format(file, key, *match.groups())) from None
        raise SourceConfigError(text) from None
    try:
        return RtSource(config)
    except RtConfigError as exc:
        raise SourceConfigError(f"{file}: {key}.token_file: {exc}") from None


def load_sources(cfg: Any) -> list[Source]:
    """Build the sources declared as `[[sources]]` in *cfg* (a `config.Config`).

    Every problem names the config file and the key, e.g.
    ``config.toml: sources[1].queues: expected a non-empty list of queue names``.
    """
    from .json_http import JsonSource

    file = str(cfg.path) if getattr(cfg, "path", None) else "config"
    sources: list[Source] = []
    seen: dict[str, int] = {}
    for i, table in enumerate(cfg.sources or []):
        key = f"sources[{i}]"
        if not isinstance(table, dict):
            raise SourceConfigError(f"{file}: {key}: expected a table ([[sources]])")
        kind = table.get("kind")
        if kind == "rt":
            source: Source = _rt_source(table, file, key)
        elif kind == "json":
            source = JsonSource.from_dict(table, file=file, key=key)
        else:
            raise SourceConfigError(f"{file}: {key}.kind: expected \"rt\" or \"json\", got {kind!r}")
        if source.name in seen:
            raise SourceConfigError(f"{file}: {key}.name: {source.name!r} is already the name of "
                                    f"sources[{seen[source.name]}]; give each source its own name")
        seen[source.name] = i
        sources.append(source)
    return sources


def read_secret(path: Path, what: str) -> str:
    """A token from a file only its owner can read (same rule as the RT token)."""
    try:
        return read_token(path)
    except RtConfigError as exc:
        raise SourceConfigError(str(exc).replace("RT token file", f"{what} file")) from None
