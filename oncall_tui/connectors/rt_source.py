"""Request Tracker as a `Source`: checked configuration, batched pulls, outbox delivery over `RtConnector`.

Writes go out as the engineer who wrote them when their own RT token is
readable by this process (`user_token_file`, default
`<config dir>/rt-<source>.token`); otherwise through the shared token,
the text starting with the engineer's name so RT still says who wrote it.

Every write carries an idempotency mark (the outbox event's id) in RT's
`oncall-id` custom field, stored with the transaction (or the new ticket) in
the same request. After an attempt that may have reached RT, the mark is
looked for before sending again; an RT without the field is searched by text.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

from ..core.model import OutboxItem
from ..core.secrets import Secret
from .rt import (
    CheckResult,
    Cursor,
    RtConfig,
    RtConfigError,
    RtConnector,
    RtError,
    advance,
    build_document,
    read_token,
)
from .rt_map import fingerprint, people_of, transaction_text
from .source import DEFAULT_BATCH, Batch, Pushed, PushRefused, SourceConfigError

MARK_MAX = 200  # characters of a mark RT's free-form field keeps whole


def mark_of(item: OutboxItem) -> str:
    """The idempotency mark of an outbox row: its event id (digested if too long for the field)."""
    mark = item.event_id
    return mark if len(mark) <= MARK_MAX else "oncall-" + hashlib.sha256(mark.encode()).hexdigest()[:40]


def signed(author: str, text: str) -> str:
    """*text* as the shared account sends it: the engineer's name first, so RT's readers know who wrote."""
    return f"[{author}] {text}" if author else text




class RtSource:
    """Request Tracker as a `Source`: checked configuration, batched pulls, outbox delivery."""

    kind = "rt"
    can_push = True
    placeholder_customers = True

    def __init__(self, config: RtConfig, *, token: Secret | str | None = None, user: str = "",
                 own_token: Secret | str | None = None) -> None:
        self.config = config
        self.name = config.name
        self.poll_interval = config.poll_interval
        self.user = user  # the engineer this process writes for
        # Read (and check the permissions of) the tokens now, so a bad file is a config error.
        self._token = token if token is not None else read_token(config.token_file)
        if own_token is None and config.user_token_file is not None and config.user_token_file.exists():
            own_token = read_token(config.user_token_file)
        # Held as Secrets: a repr, a log line or a crash report never shows them.
        self._token = self._token if isinstance(self._token, Secret) else Secret(self._token)
        self._own_token = own_token if own_token is None or isinstance(own_token, Secret) else Secret(own_token)
        self._rt: RtConnector | None = None
        self._own: RtConnector | None = None
        self.checked: CheckResult | None = None

    def __repr__(self) -> str:  # never a token
        return f"RtSource({self.name!r}, {self.config.base_url!r})"

    @property
    def connector(self) -> RtConnector:
        # Created on first use so the HTTP client belongs to the event loop that uses it.
        if self._rt is None:
            self._rt = RtConnector(self.config, token=self._token)
        return self._rt

    def _own_connector(self) -> RtConnector:
        if self._own is None:
            self._own = RtConnector(self.config, token=self._own_token)
            self._own.marks = self.connector.marks
        return self._own

    def writes_as(self, author: str) -> str:
        """"own" when *author*'s writes go out with their own RT token from this process, else "shared"."""
        return "own" if author and author == self.user and self._own_token else "shared"

    def refuses_status(self, status: str) -> str | None:
        """Why this RT cannot take oncall's *status* (None when it can)."""
        try:
            self.config.to_rt(status)
        except ValueError as exc:
            return str(exc)
        return None

    def own_token_file(self) -> Path | None:
        """Where this engineer's own token is read from (None when the config names no place)."""
        return self.config.user_token_file

    async def aclose(self) -> None:
        for attr in ("_rt", "_own"):
            rt = getattr(self, attr)
            if rt is not None:
                setattr(self, attr, None)
                await rt.aclose()

    async def check(self) -> CheckResult:
        """Probe RT as configured (REST2 at base_url, the token, every queue, the mark fields)."""
        result = await self.connector.check()
        self.checked = result if not result.problems else None
        if self._own is not None:
            self._own.marks = self.connector.marks
        return result

    async def ready(self) -> None:
        """Check the configuration once before the first pull or push; a problem stops both, said plainly."""
        if self.checked is None:
            result = await self.check()
            if result.problems:
                raise SourceConfigError("; ".join(result.problems))

    async def pull_batches(self, cursor: str | None, batch_size: int = DEFAULT_BATCH) -> AsyncIterator[Batch]:
        await self.ready()
        rt = self.connector
        position = Cursor.parse(cursor)
        tickets = await rt.search(position)  # oldest LastUpdated first: each batch's cursor is safe to keep
        if not tickets:
            yield Batch(build_document([]), cursor, 0, 0)
            return
        for start in range(0, len(tickets), max(1, batch_size)):
            chunk = tickets[start:start + max(1, batch_size)]
            pulled = list(await asyncio.gather(*(rt.one_case(t) for t in chunk)))
            position = advance(position, chunk, rt.searched_at)
            yield Batch(build_document(pulled), str(position), start + len(chunk), len(tickets),
                        people_of(pulled), {p.case["id"]: p.requestor for p in pulled})

    def event_id(self, txn: int) -> str:
        return f"rt:{self.name}:txn:{int(txn)}"

    def owns(self, case_id: str, external_ref: str) -> bool:
        kind, _, ticket = external_ref.partition(":")
        return kind == "rt" and ticket.isdigit() and case_id == f"{self.config.case_prefix}-{ticket}"

    async def fetch_attachment(self, ref: str, max_bytes: int | None = None) -> tuple[bytes, str, str]:
        """The content, name and type of the attachment *ref* ("rt:<source>:attachment:<id>")."""
        match = re.fullmatch(rf"rt:{re.escape(self.name)}:attachment:(\d+)", ref)
        if not match:
            raise RtError(f"attachment {ref!r} is not one of RT source {self.name!r}")
        limit = max_bytes if max_bytes is not None else int(self.config.attachment_max_mb * (1 << 20))
        await self.ready()
        return await self.connector.attachment(int(match.group(1)), limit)

    async def push(self, item: OutboxItem) -> Pushed:
        await self.ready()
        kind, _, ticket = item.external_ref.partition(":")
        own = self.writes_as(item.author) == "own"
        rt = self._own_connector() if own else self.connector
        mark = mark_of(item)
        if item.action == "create" and not (kind == "rt" and ticket.isdigit()):
            return await self._create(rt, item, mark, own)
        if kind != "rt" or not ticket.isdigit():
            raise PushRefused(f"outbox row {item.id}: case {item.case_id} has no RT ticket "
                              f"(external_ref {item.external_ref!r})")
        if item.action in ("correspond", "comment", "create"):  # a create whose ticket an earlier row opened
            action = "comment" if item.action == "comment" else "correspond"
            text = item.payload.get("text")
            if not isinstance(text, str) or not text.strip():
                raise PushRefused(f"outbox row {item.id}: payload.text is missing or empty")
            text = text if own else signed(item.author, text)
            if item.check_first:  # an earlier attempt may have arrived: look before sending again
                txn = await rt.deliver(int(ticket), action, text, mark=mark)
            else:
                txn = await (rt.correspond if action == "correspond" else rt.comment)(int(ticket), text, mark=mark)
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
                              f"source {self.name!r} (correspond|comment|status|create)")
        return Pushed(self.event_id(txn))

    async def _create(self, rt: RtConnector, item: OutboxItem, mark: str, own: bool) -> Pushed:
        """A ticket for a case opened in oncall (an incident's): its requestors, subject and first text."""
        text, subject = item.payload.get("text"), item.payload.get("subject")
        if not isinstance(text, str) or not text.strip() or not isinstance(subject, str):
            raise PushRefused(f"outbox row {item.id}: payload.text or payload.subject is missing")
        emails = [e for e in item.payload.get("emails") or [] if isinstance(e, str) and "@" in e]
        text = text if own else signed(item.author, text)
        if item.check_first:
            found = await self._created_before(rt, mark, subject, emails, text)
            if found is not None:
                return Pushed(self.event_id(await rt.create_transaction(found)), f"rt:{found}")
        ticket, txn = await rt.create_ticket(subject=subject, requestors=emails, text=text, mark=mark)
        return Pushed(self.event_id(txn), f"rt:{ticket}")

    async def _created_before(self, rt: RtConnector, mark: str, subject: str, emails: list[str],
                              text: str) -> int | None:
        if rt.marks:
            return await rt.find_marked_ticket(mark)
        # No mark field: a recent ticket of the queue with this subject, requestor and first text.
        def quote(v: str) -> str:
            return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'"
        query = f"Queue = {quote(self.config.create_queue)} AND Subject = {quote(subject)}"
        if emails:
            query += f" AND Requestor.EmailAddress = {quote(emails[0])}"
        wanted = fingerprint(text)
        for found in await rt.collect("/tickets", {"query": query, "fields": "id", "orderby": "id", "order": "DESC"}):
            tid = int(found["id"])
            create = await rt.create_transaction(tid)
            parts = [a for a in await rt.attachments(tid)
                     if str((a.get("TransactionId") or {}).get("id") if isinstance(a.get("TransactionId"), dict)
                            else a.get("TransactionId")) == str(create)]
            if fingerprint(transaction_text(parts)) == wanted:
                return tid
        return None


_RT_KEY = re.compile(r"^.*?: '([^']+)': (.*)$", re.S)
_RT_UNKNOWN = re.compile(r"^.*?: unknown key '([^']+)' (.*)$", re.S)


def rt_source(table: dict, file: str, key: str, *, user: str = "", config_dir: Path | None = None) -> RtSource:
    """The RT source of one `[[sources]]` table; errors name *file* and `key.field`.

    *user* is the engineer this process writes for; their own token is
    `user_token_file`, by default `rt-<name>.token` in *config_dir*.
    """
    data = {k: v for k, v in table.items() if k != "kind"}
    if "user_token_file" not in data and config_dir is not None:
        data["user_token_file"] = str(config_dir / f"rt-{data.get('name', 'main')}.token")
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
        token = read_token(config.token_file)
    except RtConfigError as exc:
        raise SourceConfigError(f"{file}: {key}.token_file: {exc}") from None
    try:
        return RtSource(config, token=token, user=user)
    except RtConfigError as exc:
        raise SourceConfigError(f"{file}: {key}.user_token_file: {exc}") from None
