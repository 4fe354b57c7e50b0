"""A read-only source: GET a URL that serves the interchange format.

`GET <url>` the first time, then `GET <url>?since=<cursor>`. The cursor is the
document's top-level `"cursor"` (removed before import) or, failing that, its
`"exported_at"`; a feed that gives neither is simply fetched whole each time
(imports are idempotent). Replies cannot be pushed back: such cases never
get outbox rows (`owns` is always False).
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import httpx

from ..core.model import OutboxItem
from ..core.secrets import Secret, mask_urls
from ..core.visible import visible
from .limits import FetchError, Limits, fetch
from .rt import PullResult
from .source import Batch, PushRefused, SourceConfigError, read_secret

USER_AGENT = "oncall-tui/0.1 (+json-source)"
#: A feed's answer is read into memory before it is imported: over this, it is refused.
MAX_FEED_BYTES = 256 * 1024 * 1024
_KEYS = {"kind", "name", "url", "poll_interval", "timeout", "token_file"}


class JsonSourceError(RuntimeError):
    """The feed could not be read or is not JSON; the message names the source and URL."""

    ambiguous = False  # a GET changes nothing remotely


class JsonSource:
    """A URL serving interchange documents, polled with an optional `?since=` cursor."""

    kind = "json"
    can_push = False
    placeholder_customers = False  # the feed is the customers' source of truth: unknown ones are errors

    def __init__(self, name: str, url: str, *, poll_interval: float = 300.0, timeout: float = 15.0,
                 token: Secret | None = None, max_bytes: int = MAX_FEED_BYTES) -> None:
        self.name = name
        self.url = url
        self.poll_interval = poll_interval
        self.timeout = timeout
        self._token = token
        self.max_bytes = max_bytes
        self._http: httpx.AsyncClient | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, file: str, key: str) -> "JsonSource":
        """Validate one `[[sources]]` table of kind "json"; errors name *file* and `key.field`."""
        def bad(field: str, expected: str) -> SourceConfigError:
            return SourceConfigError(f"{file}: {key}.{field}: expected {expected}, got {data.get(field)!r}")

        unknown = sorted(set(data) - _KEYS)
        if unknown:
            raise SourceConfigError(f"{file}: {key}.{unknown[0]}: unknown key (known: {', '.join(sorted(_KEYS))})")
        name = data.get("name", "json")
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_-]+", name):
            raise bad("name", "letters, digits, '-' or '_'")
        url = data.get("url")
        if not isinstance(url, str) or not re.match(r"^https?://[^/\s]+", url):
            raise bad("url", "an http(s) URL serving the interchange format")
        numbers = {}
        for field, default, low in (("poll_interval", 300.0, 5.0), ("timeout", 15.0, 1.0)):
            value = data.get(field, default)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < low:
                raise bad(field, f"a number >= {low}")
            numbers[field] = float(value)
        token = None
        if "token_file" in data:
            if not isinstance(data["token_file"], str) or not data["token_file"]:
                raise bad("token_file", "the path of a file holding a bearer token")
            try:
                token = Secret(read_secret(Path(data["token_file"]).expanduser(), f"source {name!r} token"))
            except SourceConfigError as exc:
                raise SourceConfigError(f"{file}: {key}.token_file: {exc}") from None
        return cls(name, url, token=token, **numbers)

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
            if self._token:
                headers["Authorization"] = f"Bearer {self._token.reveal()}"
            self._http = httpx.AsyncClient(headers=headers, timeout=httpx.Timeout(self.timeout,
                                                                                   connect=min(5.0, self.timeout)))
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            http, self._http = self._http, None
            await http.aclose()

    async def pull(self, cursor: str | None) -> PullResult:
        what = f"source {self.name!r}: GET {mask_urls(self.url)}"
        limits = Limits(connect=min(5.0, self.timeout), read=self.timeout, total=self.timeout * 8,
                        max_bytes=self.max_bytes)
        try:
            resp = await fetch(self._client(), "GET", self.url, limits=limits,
                               params={"since": cursor} if cursor else None)
        except FetchError as exc:
            raise JsonSourceError(f"{what}: {exc}") from None
        except httpx.TransportError as exc:
            raise JsonSourceError(f"{what}: no answer ({type(exc).__name__}: {exc}); is the feed up?") from None
        if resp.status != 200:
            raise JsonSourceError(f"{what}: HTTP {resp.status} {visible(resp.text().strip()[:200])}")
        try:
            doc = json.loads(resp.body)
        except ValueError as exc:
            raise JsonSourceError(f"{what}: the answer is not JSON ({exc})") from None
        if not isinstance(doc, dict):
            raise JsonSourceError(f"{what}: expected a JSON object with 'customers' and 'cases'")
        next_cursor = doc.pop("cursor", None)
        if next_cursor is not None and not isinstance(next_cursor, str):
            raise JsonSourceError(f"{what}: 'cursor' must be a string, got {next_cursor!r}")
        next_cursor = next_cursor or doc.get("exported_at") or cursor
        cases = doc.get("cases")
        return PullResult(doc, next_cursor, len(cases) if isinstance(cases, list) else 0)

    async def pull_batches(self, cursor: str | None, batch_size: int = 0) -> AsyncIterator:
        result = await self.pull(cursor)  # a feed answers in one document: one batch
        yield Batch(result.document, result.cursor, result.tickets, result.tickets)

    def owns(self, case_id: str, external_ref: str) -> bool:
        return False

    async def push(self, item: OutboxItem) -> str:
        raise PushRefused(f"source {self.name!r} is a read-only JSON feed: pushing outbox row {item.id} "
                          f"({item.action} on {item.case_id}) is not supported")
