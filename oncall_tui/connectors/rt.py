"""Request Tracker (RT 5, REST2) connector: pull tickets and history, push replies.

Pull turns RT tickets of the followed queues into an interchange document
(`{"customers": [...], "cases": [...]}`) for `store.importer.import_document`.
Every event carries `id = "rt:<source>:txn:<N>"`, so pulling the same history
twice adds nothing. RT's own bookkeeping (`EmailRecord` copies of outgoing mail,
the automatic `new → open` by `RT_System`, watcher/link changes) is dropped.

Push (`correspond`, `comment`, `set_status`) returns the id of the transaction
RT created. After a failure that may or may not have reached RT
(`RtUnavailable.ambiguous`), `find_transaction` / `deliver` look in the
ticket's history for the same text first, so nothing is sent twice.

The incremental cursor is `"<LastUpdated ISO>|<ids seen at that second>"`.
TicketSQL reads dates in the RT user's own time zone, which the API does not
reveal, so the search asks for a day more than needed and the exact cut is made
here on the UTC `LastUpdated` REST2 returns.
"""

from __future__ import annotations

import asyncio
import email.utils
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from .rt_map import (
    SYSTEM_USERS,
    Cursor,
    Mapper,
    RtConfigError,
    RtError,
    _user,
    _user_name,
    advance,
    build_document,
    fingerprint,
    ticket_query,
    transaction_text,
)

USER_AGENT = "oncall-tui/0.1 (+rt)"
PER_PAGE = 100
#: oncall status → RT status, for `set_status` (RT's own names pass through).
STATUS_TO_RT = {"new": "new", "open": "open", "pending": "stalled", "resolved": "resolved",
                "closed": "rejected", "stalled": "stalled", "rejected": "rejected"}
_TXN_FIELDS = "Type,Creator,Created,Field,OldValue,NewValue"
_CONFIG_KEYS = {"name", "base_url", "token_file", "queues", "poll_interval", "case_prefix",
                "customer_domains", "customer_emails", "engineers", "concurrency", "timeout"}


class RtUnavailable(RtError):
    """RT could not be reached or did not answer.

    `ambiguous` is True when the request may have reached RT (timeout while
    waiting for the answer): check `find_transaction` before sending again.
    """

    def __init__(self, message: str, *, ambiguous: bool) -> None:
        super().__init__(message)
        self.ambiguous = ambiguous


# -- configuration ---------------------------------------------------------------


@dataclass(frozen=True)
class RtConfig:
    """Where RT is, what to follow, and how requestors map to customers."""

    base_url: str
    token_file: Path
    queues: tuple[str, ...]
    name: str = "main"
    case_prefix: str = "RT"
    poll_interval: float = 60.0
    customer_domains: Mapping[str, str] = field(default_factory=dict)  # "boulangerie.fr" → "c-boul"
    customer_emails: Mapping[str, str] = field(default_factory=dict)  # exact address → customer id
    engineers: Mapping[str, str] = field(default_factory=dict)  # RT user name → oncall engineer name
    concurrency: int = 4
    timeout: float = 15.0

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, where: str = "[rt]") -> "RtConfig":
        """Validate a parsed TOML table; errors name *where* and the key."""
        def bad(key: str, expected: str) -> RtConfigError:
            return RtConfigError(f"{where}: {key!r}: expected {expected}, got {data.get(key)!r}")

        unknown = sorted(set(data) - _CONFIG_KEYS)
        if unknown:
            known = ", ".join(sorted(_CONFIG_KEYS))
            raise RtConfigError(f"{where}: unknown key {unknown[0]!r} (known: {known})")
        base_url = data.get("base_url")
        if not isinstance(base_url, str) or not re.match(r"^https?://[^/\s]+", base_url):
            raise bad("base_url", "an http(s) URL such as 'https://rt.example.net'")
        if not isinstance(data.get("token_file"), str) or not data["token_file"]:
            raise bad("token_file", "the path of a file holding the RT API token")
        queues = data.get("queues")
        if not isinstance(queues, list) or not queues or not all(isinstance(q, str) and q for q in queues):
            raise bad("queues", "a non-empty list of queue names")
        tables = {}
        for key in ("customer_domains", "customer_emails", "engineers"):
            value = data.get(key, {})
            if not isinstance(value, Mapping) or not all(
                    isinstance(k, str) and isinstance(v, str) and v for k, v in value.items()):
                raise bad(key, "a table of strings")
            tables[key] = {k.lower() if key != "engineers" else k: v for k, v in value.items()}
        numbers = {}
        for key, default, low in (("poll_interval", 60.0, 5.0), ("timeout", 15.0, 1.0), ("concurrency", 4, 1)):
            value = data.get(key, default)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < low:
                raise bad(key, f"a number >= {low}")
            numbers[key] = value
        for key in ("name", "case_prefix"):
            if key in data and (not isinstance(data[key], str) or not re.fullmatch(r"[A-Za-z0-9_-]+", data[key])):
                raise bad(key, "letters, digits, '-' or '_'")
        return cls(base_url=base_url.rstrip("/"), token_file=Path(data["token_file"]).expanduser(),
                   queues=tuple(queues), name=data.get("name", "main"),
                   case_prefix=data.get("case_prefix", "RT"), concurrency=int(numbers["concurrency"]),
                   poll_interval=float(numbers["poll_interval"]), timeout=float(numbers["timeout"]),
                   **tables)


def read_token(path: Path) -> str:
    """Read the API token from *path*, refusing a file others can read."""
    try:
        st = path.stat()
    except OSError as exc:
        raise RtConfigError(f"RT token file {path}: cannot read it ({exc.strerror})") from None
    if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise RtConfigError(
            f"RT token file {path} is readable by others (mode {stat.S_IMODE(st.st_mode):04o}); "
            f"run `chmod 600 {path}`")
    token = path.read_text(encoding="utf-8").strip()
    if not token:
        raise RtConfigError(f"RT token file {path} is empty: put the token RT gave you in it")
    return token


# -- the client ------------------------------------------------------------------------


def _http_date(value: str | None) -> datetime:
    """RT's clock from an HTTP Date header (ours if RT sent none or a bad one)."""
    try:
        return email.utils.parsedate_to_datetime(value).astimezone(timezone.utc)
    except (TypeError, ValueError):
        return datetime.now(timezone.utc)


@dataclass
class PullResult:
    """What one pull produced: an interchange document and the cursor to store with it."""

    document: dict
    cursor: str | None
    tickets: int


class RtConnector:
    """REST2 client for one RT; use as `async with RtConnector(config) as rt:`."""

    def __init__(self, config: RtConfig, *, token: str | None = None) -> None:
        self.config = config
        token = token if token is not None else read_token(config.token_file)
        self.mapper = Mapper(config.name, config.case_prefix, config.customer_domains,
                             config.customer_emails, config.engineers)
        self._limit = asyncio.Semaphore(config.concurrency)
        self._staff: dict[str, bool] = {}  # RT user name → privileged?
        self.searched_at: datetime | None = None  # RT's clock at the latest search (see `advance`)
        self._http = httpx.AsyncClient(
            base_url=config.base_url + "/REST/2.0",
            timeout=httpx.Timeout(config.timeout, connect=min(5.0, config.timeout)),
            headers={"User-Agent": USER_AGENT, "Authorization": f"token {token}",
                     "Accept": "application/json"})

    async def __aenter__(self) -> "RtConnector":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _request(self, method: str, path: str, **kwargs) -> httpx.Response:
        what = f"RT {method} {self.config.base_url}/REST/2.0{path}"
        async with self._limit:
            try:
                resp = await self._http.request(method, path, **kwargs)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                raise RtUnavailable(f"{what}: cannot connect ({exc}); is RT up?", ambiguous=False) from None
            except httpx.TransportError as exc:
                # The request may have been processed: the caller must check before retrying.
                raise RtUnavailable(f"{what}: no answer ({type(exc).__name__}: {exc})",
                                    ambiguous=method != "GET") from None
        if resp.status_code >= 400:
            try:
                detail = resp.json().get("message", resp.text)
            except (ValueError, AttributeError):
                detail = resp.text.strip()[:300]
            hint = " (check the token and the RT user's rights)" if resp.status_code in (401, 403) else ""
            error = RtUnavailable if resp.status_code in (502, 503, 504) else RtError
            if error is RtUnavailable:
                raise RtUnavailable(f"{what}: HTTP {resp.status_code} {detail}", ambiguous=method != "GET")
            raise RtError(f"{what}: HTTP {resp.status_code} {detail}{hint}", status=resp.status_code)
        return resp

    async def collect(self, path: str, params: dict, *, dates: list | None = None) -> list[dict]:
        """All items of a paged REST2 collection (each page's HTTP Date header goes to *dates*)."""
        items: list[dict] = []
        page = 1
        while True:
            resp = await self._request("GET", path, params={**params, "page": page, "per_page": PER_PAGE})
            if dates is not None:
                dates.append(resp.headers.get("date"))
            data = resp.json()
            batch = data.get("items") or []
            items.extend(batch)
            if len(batch) < PER_PAGE:
                return items
            page += 1

    # -- pull --

    async def search(self, cursor: Cursor | None) -> list[dict]:
        """Tickets of the followed queues changed since *cursor* (all of them without one)."""
        dates: list = []
        tickets = await self.collect("/tickets", dates=dates, params={
            "query": ticket_query(self.config.queues, cursor), "orderby": "LastUpdated", "order": "ASC",
            "fields": "Subject,Status,Created,LastUpdated,Owner,Requestor,Queue",
            "fields[Requestor]": "EmailAddress,Name", "fields[Owner]": "Name"})
        self.searched_at = _http_date(dates[0] if dates else None)
        return [t for t in tickets if cursor is None or cursor.is_new(int(t["id"]), t["LastUpdated"])]

    async def history(self, ticket: int) -> list[dict]:
        return await self.collect(f"/ticket/{ticket}/history", {
            "fields": _TXN_FIELDS, "fields[Creator]": "Name,EmailAddress,Privileged"})

    async def attachments(self, ticket: int) -> list[dict]:
        # The collection gives Content as plain text (a single /attachment/N gives base64).
        return await self.collect(f"/ticket/{ticket}/attachments",
                                   {"fields": "TransactionId,ContentType,Content"})

    async def _is_staff(self, name: str, requestors: set[str]) -> bool:
        """Whether RT user *name* is an engineer (a privileged user); cached per connector."""
        if name not in self._staff:
            try:
                user = (await self._request("GET", f"/user/{quote(name, safe='@')}")).json()
                self._staff[name] = bool(user.get("Privileged"))
            except RtError as exc:
                if isinstance(exc, RtUnavailable) or exc.status not in (403, 404):
                    raise
                # Not allowed to look users up: whoever is not a requestor is staff.
                return name.lower() not in requestors
        return self._staff[name]

    async def one_case(self, ticket: dict) -> tuple[dict, dict]:
        tid = int(ticket["id"])
        history, attachments = await asyncio.gather(self.history(tid), self.attachments(tid))
        requestors = {str(r.get("EmailAddress") or r.get("id")).lower()
                      for r in ticket.get("Requestor") or [] if isinstance(r, dict)}
        names = {_user_name(t.get("Creator")) for t in history} - SYSTEM_USERS - {""}
        flags = await asyncio.gather(*(self._is_staff(n, requestors) for n in sorted(names)))
        staff = frozenset(n for n, is_staff in zip(sorted(names), flags) if is_staff)
        return self.mapper.case(ticket, history, attachments, staff)

    async def pull(self, cursor: str | None = None) -> PullResult:
        """Changed tickets since *cursor* as an interchange document, plus the next cursor."""
        start = Cursor.parse(cursor)
        tickets = await self.search(start)
        cases = await asyncio.gather(*(self.one_case(t) for t in tickets))
        after = advance(start, tickets, self.searched_at)
        return PullResult(build_document(list(cases)), str(after) if after else None, len(tickets))

    # -- push --

    async def _post_message(self, ticket: int, kind: str, text: str) -> int:
        resp = await self._request("POST", f"/ticket/{int(ticket)}/{kind}",
                                   json={"Content": text, "ContentType": "text/plain"})
        match = re.search(r"/transaction/(\d+)$", resp.headers.get("location", ""))
        if not match:
            raise RtError(f"RT ticket {ticket}: {kind} accepted but no transaction id in the answer "
                          f"({resp.status_code} {resp.text[:200]})")
        return int(match.group(1))

    async def correspond(self, ticket: int, text: str) -> int:
        """Reply to the customer on *ticket*; returns RT's transaction id."""
        return await self._post_message(ticket, "correspond", text)

    async def comment(self, ticket: int, text: str) -> int:
        """Add an internal comment to *ticket*; returns RT's transaction id."""
        return await self._post_message(ticket, "comment", text)

    async def set_status(self, ticket: int, status: str) -> int:
        """Set *ticket*'s status (oncall or RT name); returns the Status transaction id."""
        if status not in STATUS_TO_RT:
            raise ValueError(f"status {status!r} is not one of {'|'.join(STATUS_TO_RT)}")
        rt_status = STATUS_TO_RT[status]
        answer = (await self._request("PUT", f"/ticket/{int(ticket)}", json={"Status": rt_status})).json()
        latest = await self._collect_latest(ticket)
        for txn in latest:
            if txn.get("Type") == "Status" and txn.get("NewValue") == rt_status:
                return int(txn["id"])
        raise RtError(f"RT ticket {ticket}: status {rt_status!r} not applied: {answer}")

    async def _collect_latest(self, ticket: int, count: int = 50) -> list[dict]:
        data = (await self._request("GET", f"/ticket/{int(ticket)}/history", params={
            "fields": _TXN_FIELDS, "orderby": "id", "order": "DESC", "per_page": count})).json()
        return data.get("items") or []

    async def find_transaction(self, ticket: int, text_fingerprint: str,
                               types: tuple[str, ...] = ("Correspond", "Comment")) -> int | None:
        """The id of a recent *types* transaction on *ticket* whose text has this fingerprint."""
        wanted = {int(t["id"]) for t in await self._collect_latest(ticket) if t.get("Type") in types}
        if not wanted:
            return None
        by_txn: dict[int, list[dict]] = {}
        for att in await self.attachments(ticket):
            tid = int(_user(att.get("TransactionId")).get("id") or 0)
            if tid in wanted:
                by_txn.setdefault(tid, []).append(att)
        for tid in sorted(by_txn, reverse=True):
            if fingerprint(transaction_text(by_txn[tid])) == text_fingerprint:
                return tid
        return None

    async def deliver(self, ticket: int, kind: str, text: str) -> int:
        """Retry a reply/comment after an ambiguous failure without sending it twice.

        If one of the ticket's recent transactions of that kind already has this
        text, its id is returned and nothing is sent.
        """
        if kind not in ("correspond", "comment"):
            raise ValueError(f"kind {kind!r} is not correspond|comment")
        types = ("Correspond",) if kind == "correspond" else ("Comment",)
        found = await self.find_transaction(ticket, fingerprint(text), types)
        if found is not None:
            return found
        return await self._post_message(ticket, kind, text)
