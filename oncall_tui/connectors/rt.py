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
import base64
import binascii
import difflib
import email.utils
import json
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from ..core.secrets import Secret
from ..core.visible import visible
from ..resources import data_file
from .limits import Fetched, FetchError, Limits, fetch
from .rt_map import (
    STALLED_MEANS,
    STATUS_FROM_RT,
    SYSTEM_USERS,
    Cursor,
    Mapper,
    Pulled,
    RtConfigError,
    RtError,
    _user,
    _user_name,
    advance,
    build_document,
    fingerprint,
    people_of,
    ticket_query,
    transaction_text,
)

USER_AGENT = "oncall-tui/0.1 (+rt)"
ANSWER_MAX_BYTES = 32 * 1024 * 1024  # the largest JSON answer read (a page of 100 tickets is far below)
PER_PAGE = 100
#: oncall status → RT status, for `set_status` (RT's own names pass through).
STATUS_TO_RT = {"new": "new", "open": "open", "pending": "stalled", "resolved": "resolved",
                "closed": "rejected", "stalled": "stalled", "rejected": "rejected"}
_TXN_FIELDS = "Type,Creator,Created,Field,OldValue,NewValue"
_PERSON_FIELDS = "EmailAddress,Name,RealName,Organization,Lang,Timezone"
TXN_MARK_TYPE = "RT::Queue-RT::Ticket-RT::Transaction"
TICKET_MARK_TYPE = "RT::Queue-RT::Ticket"
_CONFIG_KEYS = {"name", "base_url", "token_file", "queues", "poll_interval", "case_prefix",
                "customer_domains", "customer_emails", "customer_organizations", "engineers", "concurrency",
                "timeout", "group_by_domain", "free_mail_domains", "more_free_mail_domains", "stalled_means",
                "mark_field", "user_token_file", "attachment_max_mb", "create_queue"}


class RtUnavailable(RtError):
    """RT could not be reached or did not answer.

    `ambiguous` is True when the request may have reached RT (timeout while
    waiting for the answer): check `find_transaction` before sending again.
    """

    def __init__(self, message: str, *, ambiguous: bool) -> None:
        super().__init__(message)
        self.ambiguous = ambiguous


# -- configuration ---------------------------------------------------------------


def shipped_free_mail() -> frozenset[str]:
    """The shipped list of free-mail domains (oncall_tui/data/free_mail_domains.txt)."""
    text = data_file("free_mail_domains.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@dataclass(frozen=True)
class RtConfig:
    """Where RT is, what to follow, how requestors map to customers, and how oncall writes back."""

    base_url: str
    token_file: Path
    queues: tuple[str, ...]
    name: str = "main"
    case_prefix: str = "RT"
    poll_interval: float = 60.0
    customer_domains: Mapping[str, str] = field(default_factory=dict)  # "boulangerie.fr" → "c-boul"
    customer_emails: Mapping[str, str] = field(default_factory=dict)  # exact address → customer id
    customer_organizations: Mapping[str, str] = field(default_factory=dict)  # RT Organization → customer id
    engineers: Mapping[str, str] = field(default_factory=dict)  # RT user name → oncall engineer name
    concurrency: int = 4
    timeout: float = 15.0
    group_by_domain: bool = False  # requestors of one (non free-mail) domain are one customer
    free_mail: frozenset[str] = field(default_factory=frozenset)
    stalled_means: str = "waiting-on-customer"  # or "on-hold-by-us"
    mark_field: str = "oncall-id"  # RT custom field holding each write's idempotency mark ("" = none)
    user_token_file: Path | None = None  # the engineer's own RT token, to write as themselves
    attachment_max_mb: float = 25.0
    create_queue: str = ""  # where tickets for cases opened in oncall go (default: the first queue)

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
        for key in ("customer_domains", "customer_emails", "customer_organizations", "engineers"):
            value = data.get(key, {})
            if not isinstance(value, Mapping) or not all(
                    isinstance(k, str) and isinstance(v, str) and v for k, v in value.items()):
                raise bad(key, "a table of strings")
            tables[key] = {" ".join(k.split()).lower() if key != "engineers" else k: v for k, v in value.items()}
        free_mail = shipped_free_mail()
        for key in ("free_mail_domains", "more_free_mail_domains"):
            if key in data:
                value = data[key]
                if not isinstance(value, list) or not all(isinstance(d, str) and d.strip() for d in value):
                    raise bad(key, "a list of domains")
                domains = frozenset(d.strip().lower() for d in value)
                free_mail = domains if key == "free_mail_domains" else free_mail | domains
        for domain in sorted(tables["customer_domains"]):
            if domain in free_mail:
                raise RtConfigError(
                    f"{where}: 'customer_domains': {domain!r} is a free-mail domain: people writing from it are "
                    f"not one customer — map their addresses one by one in customer_emails")
        numbers = {}
        for key, default, low in (("poll_interval", 60.0, 5.0), ("timeout", 15.0, 1.0), ("concurrency", 4, 1),
                                  ("attachment_max_mb", 25.0, 0.001)):
            value = data.get(key, default)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < low:
                raise bad(key, f"a number >= {low}")
            numbers[key] = value
        for key in ("name", "case_prefix"):
            if key in data and (not isinstance(data[key], str) or not re.fullmatch(r"[A-Za-z0-9_-]+", data[key])):
                raise bad(key, "letters, digits, '-' or '_'")
        if not isinstance(data.get("group_by_domain", False), bool):
            raise bad("group_by_domain", "true or false")
        stalled = data.get("stalled_means", "waiting-on-customer")
        if stalled not in STALLED_MEANS:
            raise bad("stalled_means", " or ".join(repr(k) for k in STALLED_MEANS))
        for key in ("mark_field", "create_queue", "user_token_file"):
            if key in data and not isinstance(data[key], str):
                raise bad(key, "a string")
        create_queue = data.get("create_queue", "")
        user_token = data.get("user_token_file")
        return cls(base_url=base_url.rstrip("/"), token_file=Path(data["token_file"]).expanduser(),
                   queues=tuple(queues), name=data.get("name", "main"),
                   case_prefix=data.get("case_prefix", "RT"), concurrency=int(numbers["concurrency"]),
                   poll_interval=float(numbers["poll_interval"]), timeout=float(numbers["timeout"]),
                   attachment_max_mb=float(numbers["attachment_max_mb"]),
                   group_by_domain=data.get("group_by_domain", False), free_mail=free_mail,
                   stalled_means=stalled, mark_field=data.get("mark_field", "oncall-id").strip(),
                   user_token_file=Path(user_token).expanduser() if user_token else None,
                   create_queue=create_queue or queues[0], **tables)

    def mapper(self) -> Mapper:
        """The pure REST2 → interchange translation this configuration asks for."""
        return Mapper(self.name, self.case_prefix, self.customer_domains, self.customer_emails, self.engineers,
                      self.customer_organizations, self.group_by_domain, self.free_mail,
                      {**STATUS_FROM_RT, "stalled": STALLED_MEANS[self.stalled_means]})

    def to_rt(self, status: str) -> str:
        """The RT status for an oncall status; refused when this RT has none (see `stalled_means`)."""
        if status == "pending" and self.stalled_means == "on-hold-by-us":
            raise ValueError(f"RT source {self.name!r} has no status for 'waiting on the customer' (stalled means "
                             "on hold by us here, stalled_means = \"on-hold-by-us\"): use open or resolved")
        if status not in STATUS_TO_RT:
            raise ValueError(f"status {status!r} is not one of {'|'.join(STATUS_TO_RT)}")
        return STATUS_TO_RT[status]


def read_token(path: Path) -> Secret:
    """Read the API token from *path*, refusing a file others can read; it never shows itself (`Secret`)."""
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
    return Secret(token)


# -- the client ------------------------------------------------------------------------


def _http_date(value: str | None) -> datetime:
    """RT's clock from an HTTP Date header (ours if RT sent none or a bad one)."""
    try:
        return email.utils.parsedate_to_datetime(value).astimezone(timezone.utc)
    except (TypeError, ValueError):
        return datetime.now(timezone.utc)


@dataclass
class PullResult:
    """What one pull produced: an interchange document, the people on its tickets, the cursor to store with it."""

    document: dict
    cursor: str | None
    tickets: int
    people: list[dict] = field(default_factory=list)
    requestors: dict[str, str] = field(default_factory=dict)  # case id → its first requestor's address


@dataclass
class CheckResult:
    """What `RtConnector.check` found: problems stop a sync; notes are worth knowing."""

    version: str = ""
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    marks: bool = False  # the mark custom fields exist: resends are checked by mark, not by text


@dataclass(frozen=True)
class Answer:
    """One RT answer read whole within the limits, with the request it answers (for error messages)."""

    method: str
    path: str
    fetched: Fetched

    @property
    def status(self) -> int:
        return self.fetched.status

    @property
    def headers(self) -> httpx.Headers:
        return self.fetched.headers

    @property
    def body(self) -> bytes:
        return self.fetched.body

    def text(self) -> str:
        return self.fetched.text()


class RtConnector:
    """REST2 client for one RT; use as `async with RtConnector(config) as rt:`."""

    def __init__(self, config: RtConfig, *, token: Secret | str | None = None) -> None:
        self.config = config
        token = token if token is not None else read_token(config.token_file)
        token = token if isinstance(token, Secret) else Secret(token)
        # Every call within these (httpx's timeouts are per read: a server dripping a byte a second never trips
        # them): a whole answer within a few timeouts, and never more than ANSWER_MAX_BYTES of JSON.
        self.limits = Limits(connect=min(5.0, config.timeout), read=config.timeout, total=config.timeout * 4,
                             max_bytes=ANSWER_MAX_BYTES)
        self.mapper = config.mapper()
        self._limit = asyncio.Semaphore(config.concurrency)
        self._staff: dict[str, bool] = {}  # RT user name → privileged?
        self.searched_at: datetime | None = None  # RT's clock at the latest search (see `advance`)
        #: Whether writes carry the mark custom fields (set by `check`; without them a resend is found by text).
        self.marks: bool | None = None
        self._http = httpx.AsyncClient(
            base_url=config.base_url + "/REST/2.0",
            timeout=self.limits.timeout(),
            headers={"User-Agent": USER_AGENT, "Authorization": f"token {token.reveal()}",
                     "Accept": "application/json"})

    def __repr__(self) -> str:  # never the token
        return f"RtConnector({self.config.base_url!r}, source={self.config.name!r})"

    async def __aenter__(self) -> "RtConnector":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _request(self, method: str, path: str, *, limits: Limits | None = None, **kwargs) -> Answer:
        what = f"RT {method} {self.config.base_url}/REST/2.0{path}"
        async with self._limit:
            try:
                resp = await fetch(self._http, method, path, limits=limits or self.limits, **kwargs)
            except FetchError as exc:
                # Too slow or too large: a write may still have been processed, the caller checks before retrying.
                raise RtUnavailable(f"{what}: {exc}", ambiguous=method != "GET") from None
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                raise RtUnavailable(f"{what}: cannot connect ({exc}); is RT up?", ambiguous=False) from None
            except httpx.TransportError as exc:
                # The request may have been processed: the caller must check before retrying.
                raise RtUnavailable(f"{what}: no answer ({type(exc).__name__}: {exc})",
                                    ambiguous=method != "GET") from None
        if resp.status >= 400:
            try:
                detail = json.loads(resp.body).get("message", resp.text())
            except (ValueError, AttributeError):
                detail = resp.text().strip()[:300]
            detail = visible(str(detail))
            hint = " (check the token and the RT user's rights)" if resp.status in (401, 403) else ""
            if resp.status in (502, 503, 504):
                raise RtUnavailable(f"{what}: HTTP {resp.status} {detail}", ambiguous=method != "GET")
            raise RtError(f"{what}: HTTP {resp.status} {detail}{hint}", status=resp.status)
        return Answer(method, path, resp)

    def _json(self, answer: Answer) -> Any:
        """The answer's JSON, or an error saying that this is not RT's REST2 answering."""
        try:
            return json.loads(answer.body)
        except ValueError:
            kind = answer.headers.get("content-type", "no content type").split(";")[0]
            raise RtError(f"RT {answer.method} {self.config.base_url}/REST/2.0{answer.path}: the answer is not "
                          f"JSON (HTTP {answer.status}, {kind}): is base_url {self.config.base_url!r} the "
                          "address of RT itself (the one its web pages are under)?", status=answer.status) from None

    async def get(self, path: str, **params) -> Any:
        return self._json(await self._request("GET", path, params=params or None))

    async def collect(self, path: str, params: dict, *, dates: list | None = None) -> list[dict]:
        """All items of a paged REST2 collection (each page's HTTP Date header goes to *dates*)."""
        items: list[dict] = []
        page = 1
        while True:
            resp = await self._request("GET", path, params={**params, "page": page, "per_page": PER_PAGE})
            if dates is not None:
                dates.append(resp.headers.get("date"))
            data = self._json(resp)
            batch = data.get("items") or []
            items.extend(batch)
            if len(batch) < PER_PAGE:
                return items
            page += 1

    # -- is this RT, as configured? --

    async def check(self) -> CheckResult:
        """Probe RT before syncing: REST2 answers at base_url, the token works, each queue exists.

        Problems name what is wrong and suggest the nearest queue name; notes
        say what works less well (no mark custom fields: resends are checked by text).
        """
        result = CheckResult()
        try:
            about = await self.get("/rt")
        except RtUnavailable:
            raise  # RT is down or unreachable: not a configuration problem, the caller retries later
        except RtError as exc:
            if exc.status == 404:
                result.problems.append(
                    f"RT source {self.config.name!r}: no RT REST2 at {self.config.base_url}/REST/2.0/rt (HTTP 404): "
                    "check base_url — it is the address RT's own web pages are under, e.g. https://rt.example.net "
                    "or https://example.net/rt")
            else:
                result.problems.append(f"RT source {self.config.name!r}: {exc}")
            return result
        result.version = str(about.get("Version", "")) if isinstance(about, dict) else ""
        if not result.version:
            result.problems.append(f"RT source {self.config.name!r}: {self.config.base_url}/REST/2.0/rt answered "
                                   "without an RT version: is base_url the address of RT?")
            return result
        missing = []
        for queue in dict.fromkeys((*self.config.queues, self.config.create_queue)):
            try:
                await self.get(f"/queue/{quote(queue, safe='')}")
            except RtError as exc:
                if exc.status != 404:
                    raise
                missing.append(queue)
        if missing:
            known = [str(q.get("Name")) for q in await self.collect("/queues/all", {"fields": "Name"})]
            for queue in missing:
                near = difflib.get_close_matches(queue, known, n=1, cutoff=0.5) or difflib.get_close_matches(
                    queue.lower(), [k.lower() for k in known], n=1, cutoff=0.5)
                if near and near[0] not in known:
                    near = [k for k in known if k.lower() == near[0]]
                hint = (f" — did you mean {near[0]!r}?" if near
                        else f" (queues this token sees: {', '.join(known[:10]) or 'none'})")
                result.problems.append(f"RT source {self.config.name!r}: queue {queue!r} does not exist in RT or "
                                       f"this token may not see it{hint}")
        result.marks = await self._has_marks()
        self.marks = result.marks
        if self.config.mark_field and not result.marks:
            result.notes.append(
                f"RT source {self.config.name!r}: RT has no custom field {self.config.mark_field!r} on tickets and "
                "their transactions: a write whose answer was lost is found again by its text only "
                "(docs/request-tracker.md says how to add it)")
        return result

    async def _has_marks(self) -> bool:
        if not self.config.mark_field:
            return False
        query = json.dumps([{"field": "Name", "value": self.config.mark_field}])
        found = await self.collect("/customfields", {"query": query, "fields": "Name,LookupType,Disabled"})
        types = {f.get("LookupType") for f in found if str(f.get("Disabled") or "0") == "0"}
        return {TXN_MARK_TYPE, TICKET_MARK_TYPE} <= types

    # -- pull --

    async def search(self, cursor: Cursor | None) -> list[dict]:
        """Tickets of the followed queues changed since *cursor* (all of them without one)."""
        dates: list = []
        tickets = await self.collect("/tickets", dates=dates, params={
            "query": ticket_query(self.config.queues, cursor), "orderby": "LastUpdated", "order": "ASC",
            "fields": "Subject,Status,Created,LastUpdated,Owner,Requestor,Queue",
            "fields[Requestor]": _PERSON_FIELDS, "fields[Owner]": "Name"})
        self.searched_at = _http_date(dates[0] if dates else None)
        return [t for t in tickets if cursor is None or cursor.is_new(int(t["id"]), t["LastUpdated"])]

    async def history(self, ticket: int) -> list[dict]:
        return await self.collect(f"/ticket/{ticket}/history", {
            "fields": _TXN_FIELDS, "fields[Creator]": "Name,EmailAddress,Privileged"})

    async def attachments(self, ticket: int) -> list[dict]:
        """Every MIME part of the ticket: all described (name, type, size), only the text ones with content.

        Two requests rather than one: a file's content (a PDF, a backup) is
        never downloaded by a sync, only on demand (`attachment`).
        """
        described, texts = await asyncio.gather(
            self.collect(f"/ticket/{ticket}/attachments", {"fields": "TransactionId,ContentType,Filename,Headers"}),
            # The collection gives Content as plain text (a single /attachment/N gives base64).
            self.collect(f"/ticket/{ticket}/attachments", {
                "fields": "TransactionId,ContentType,Filename,Content",
                "query": json.dumps([{"field": "ContentType", "operator": "LIKE", "value": "text/"}])}))
        content = {str(t.get("id")): t.get("Content") for t in texts}
        return [{**a, "Content": content[str(a.get("id"))]} if str(a.get("id")) in content else a for a in described]

    async def _is_staff(self, name: str, requestors: set[str]) -> bool:
        """Whether RT user *name* is an engineer (a privileged user); cached per connector."""
        if name not in self._staff:
            try:
                user = await self.get(f"/user/{quote(name, safe='@')}")
                self._staff[name] = bool(user.get("Privileged"))
            except RtError as exc:
                if isinstance(exc, RtUnavailable) or exc.status not in (403, 404):
                    raise
                # Not allowed to look users up: whoever is not a requestor is staff.
                return name.lower() not in requestors
        return self._staff[name]

    async def one_case(self, ticket: dict) -> Pulled:
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
        pulled = list(await asyncio.gather(*(self.one_case(t) for t in tickets)))
        after = advance(start, tickets, self.searched_at)
        return PullResult(build_document(pulled), str(after) if after else None, len(tickets), people_of(pulled),
                          {p.case["id"]: p.requestor for p in pulled})

    async def attachment(self, attachment_id: int, max_bytes: int) -> tuple[bytes, str, str]:
        """One attachment's (content, file name, type), refused past *max_bytes* without reading it all."""
        path = f"/attachment/{int(attachment_id)}"
        limit = max_bytes * 4 // 3 + 64 * 1024  # base64 in JSON, and the other fields
        # The same deadlines as every call, but the cap is this file's (the stream stops reading past it).
        limits = replace(self.limits, max_bytes=limit, total=max(self.limits.total, self.config.timeout * 8))
        try:
            answer = await self._request("GET", path, limits=limits)
        except RtUnavailable as exc:
            if "-byte cap" in str(exc):
                raise RtError(f"RT attachment {attachment_id} is larger than the "
                              f"{max_bytes // (1 << 20) or 1} MB limit; nothing was saved") from None
            raise
        try:
            data = json.loads(answer.body)
            content = base64.b64decode(data.get("Content") or "", validate=False)
        except (ValueError, TypeError, binascii.Error):
            raise RtError(f"RT attachment {attachment_id}: the answer is not an attachment RT would send") from None
        if len(content) > max_bytes:
            raise RtError(f"RT attachment {attachment_id} is {len(content)} bytes, over the limit of {max_bytes}; "
                          "nothing was saved")
        return content, str(data.get("Filename") or ""), str(data.get("ContentType") or "")

    # -- push --

    async def _post_message(self, ticket: int, kind: str, text: str, mark: str = "") -> int:
        body: dict[str, Any] = {"Content": text, "ContentType": "text/plain"}
        if mark and self.marks:
            # Stored with the transaction itself, in the same request: a resend finds it whatever happened after.
            body["TxnCustomFields"] = {self.config.mark_field: mark}
        resp = await self._request("POST", f"/ticket/{int(ticket)}/{kind}", json=body)
        match = re.search(r"/transaction/(\d+)$", resp.headers.get("location", ""))
        if not match:
            raise RtError(f"RT ticket {ticket}: {kind} accepted but no transaction id in the answer "
                          f"({resp.status} {visible(resp.text()[:200])})")
        return int(match.group(1))

    async def correspond(self, ticket: int, text: str, *, mark: str = "") -> int:
        """Reply to the customer on *ticket*; returns RT's transaction id."""
        return await self._post_message(ticket, "correspond", text, mark)

    async def comment(self, ticket: int, text: str, *, mark: str = "") -> int:
        """Add an internal comment to *ticket*; returns RT's transaction id."""
        return await self._post_message(ticket, "comment", text, mark)

    async def set_status(self, ticket: int, status: str) -> int:
        """Set *ticket*'s status (oncall or RT name); returns the Status transaction id.

        Setting the status it already has changes nothing in RT: the latest
        transaction that set it is returned, so a resend is harmless.
        """
        rt_status = self.config.to_rt(status)
        answer = self._json(await self._request("PUT", f"/ticket/{int(ticket)}", json={"Status": rt_status}))
        latest = await self._collect_latest(ticket)
        for txn in latest:
            if txn.get("Type") == "Status" and txn.get("NewValue") == rt_status:
                return int(txn["id"])
        raise RtError(f"RT ticket {ticket}: status {rt_status!r} not applied: {answer}")

    async def create_ticket(self, *, subject: str, requestors: list[str], text: str, mark: str = "") -> tuple[int, int]:
        """Open a ticket in `create_queue` for *requestors*; returns (ticket id, its Create transaction id)."""
        body: dict[str, Any] = {"Queue": self.config.create_queue, "Subject": subject, "Content": text,
                                "ContentType": "text/plain"}
        if requestors:
            body["Requestor"] = ", ".join(requestors)
        if mark and self.marks:
            body["CustomFields"] = {self.config.mark_field: mark}
        answer = self._json(await self._request("POST", "/ticket", json=body))
        ticket = int(answer["id"]) if isinstance(answer, dict) and str(answer.get("id", "")).isdigit() else None
        if ticket is None:
            raise RtError(f"RT: ticket creation accepted but no ticket id in the answer ({str(answer)[:200]})")
        return ticket, await self.create_transaction(ticket)

    async def create_transaction(self, ticket: int) -> int:
        """The id of *ticket*'s Create transaction (its first text)."""
        txns = await self.collect(f"/ticket/{int(ticket)}/history", {"fields": "Type"})
        for txn in txns:
            if txn.get("Type") == "Create":
                return int(txn["id"])
        raise RtError(f"RT ticket {ticket} has no Create transaction")

    async def _collect_latest(self, ticket: int, count: int = 50) -> list[dict]:
        data = self._json(await self._request("GET", f"/ticket/{int(ticket)}/history", params={
            "fields": _TXN_FIELDS, "orderby": "id", "order": "DESC", "per_page": count}))
        return data.get("items") or []

    async def find_marked(self, ticket: int, mark: str) -> int | None:
        """The transaction of *ticket* that carries *mark* (sent by an earlier attempt), or None."""
        query = (f"ObjectType = 'RT::Ticket' AND ObjectId = {int(ticket)} AND "
                 f"CF.{{{self.config.mark_field}}} = {_sql_quote(mark)}")
        found = await self.collect("/transactions", {"query": query, "fields": "Type"})
        return min((int(t["id"]) for t in found), default=None)

    async def find_marked_ticket(self, mark: str) -> int | None:
        """The ticket an earlier attempt created with *mark*, or None."""
        found = await self.collect("/tickets", {"query": f"CF.{{{self.config.mark_field}}} = {_sql_quote(mark)}",
                                                "fields": "id"})
        return min((int(t["id"]) for t in found), default=None)

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

    async def deliver(self, ticket: int, kind: str, text: str, *, mark: str = "") -> int:
        """Send a reply/comment after an attempt that may have reached RT, without sending it twice.

        With the mark custom field, the transaction carrying *mark* is looked
        for; without it, a recent transaction of that kind with the same text.
        Found: its id is returned and nothing is sent.
        """
        if kind not in ("correspond", "comment"):
            raise ValueError(f"kind {kind!r} is not correspond|comment")
        if mark and self.marks:
            found = await self.find_marked(ticket, mark)
        else:
            types = ("Correspond",) if kind == "correspond" else ("Comment",)
            found = await self.find_transaction(ticket, fingerprint(text), types)
        if found is not None:
            return found
        return await self._post_message(ticket, kind, text, mark)


def _sql_quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
