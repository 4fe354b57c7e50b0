"""Request Tracker as a `Source`: batched pulls and outbox delivery over `RtConnector`."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

from ..core.model import OutboxItem
from .rt import (
    Cursor,
    RtConfig,
    RtConfigError,
    RtConnector,
    advance,
    build_document,
    read_token,
)
from .source import DEFAULT_BATCH, Batch, PushRefused, SourceConfigError


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

    async def pull_batches(self, cursor: str | None, batch_size: int = DEFAULT_BATCH) -> AsyncIterator[Batch]:
        rt = self.connector
        position = Cursor.parse(cursor)
        tickets = await rt.search(position)  # oldest LastUpdated first: each batch's cursor is safe to keep
        if not tickets:
            yield Batch(build_document([]), cursor, 0, 0)
            return
        for start in range(0, len(tickets), max(1, batch_size)):
            chunk = tickets[start:start + max(1, batch_size)]
            cases = await asyncio.gather(*(rt.one_case(t) for t in chunk))
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


_RT_KEY = re.compile(r"^.*?: '([^']+)': (.*)$", re.S)
_RT_UNKNOWN = re.compile(r"^.*?: unknown key '([^']+)' (.*)$", re.S)


def rt_source(table: dict, file: str, key: str) -> RtSource:
    """The RT source of one `[[sources]]` table; errors name *file* and `key.field`."""
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
