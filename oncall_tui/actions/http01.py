"""ACME HTTP-01 challenges: placing tokens in a webroot, and a tiny local responder.

`WebrootSolver` writes `<webroot>/.well-known/acme-challenge/<token>` through a
`Transport`, so the same code places the file on this machine or on a customer
server over ssh. `Http01Responder` is a minimal HTTP server that serves those
files from local webroots; tests and `oncall demo --acme-local` put it where a
real web server would be.
"""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path
from typing import Callable, Mapping, Protocol

from oncall_tui.actions.transport import Transport
from oncall_tui.core.visible import visible_record

CHALLENGE_DIR = ".well-known/acme-challenge"
# RFC 8555 §8.3: a token is base64url without padding. Checking it keeps an
# untrusted token from the CA (or from a request) from escaping the webroot.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_REQUEST_LIMIT = 8192
_READ_TIMEOUT = 5.0

log = logging.getLogger("oncall_tui.http01")
log.addFilter(visible_record)  # request lines from the network reach the log


class ChallengeSolver(Protocol):
    """Makes an HTTP-01 key authorization reachable, then removes it."""

    async def present(self, domain: str, token: str, key_authorization: str) -> str:
        """Publish the key authorization; return where it was put, for a human."""
        ...

    async def cleanup(self, domain: str, token: str) -> None:
        """Remove what `present` published (no error if it is already gone)."""
        ...


def check_token(token: str) -> str:
    """Return *token* if it is a valid ACME token, else raise ValueError."""
    if not _TOKEN.match(token):
        raise ValueError(f"ACME token {token[:40]!r} is not base64url; refusing to use it in a path")
    return token


def challenge_path(webroot: str, token: str) -> str:
    """Where the web server serves `/.well-known/acme-challenge/<token>` from."""
    return f"{webroot.rstrip('/')}/{CHALLENGE_DIR}/{check_token(token)}"


class WebrootSolver:
    """Place HTTP-01 tokens in a domain's document root through a Transport.

    *webroot* is one directory for every domain, or a function domain -> directory.
    """

    def __init__(self, transport: Transport, webroot: str | Callable[[str], str]):
        self.transport = transport
        self._webroot = webroot
        self._placed: dict[tuple[str, str], str] = {}

    def webroot_for(self, domain: str) -> str:
        return self._webroot(domain) if callable(self._webroot) else self._webroot

    async def present(self, domain: str, token: str, key_authorization: str) -> str:
        path = challenge_path(self.webroot_for(domain), token)
        # Web servers run as another user: the token must be world-readable.
        await self.transport.write_file(path, key_authorization.encode("ascii"), mode=0o644)
        self._placed[(domain, token)] = path
        return f"{path} ({self.transport.description})"

    async def cleanup(self, domain: str, token: str) -> None:
        path = self._placed.pop((domain, token), None)
        if path is None:
            path = challenge_path(self.webroot_for(domain), token)
        await self.transport.remove_file(path)


def _host_key(host: str) -> str:
    """Normalise a Host header or domain: lower case, no port, no trailing dot."""
    host = host.strip().lower()
    if host.startswith("["):  # [::1]:80
        host = host[1:host.find("]")] if "]" in host else host[1:]
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


class Http01Responder:
    """Serve `/.well-known/acme-challenge/<token>` from local webroots over plain HTTP.

    *sites* maps a domain (matched against the Host header, case-insensitively) to
    its webroot; other hosts get *default_webroot*, or 404 when there is none.
    Files are read on every request, so a token placed after `start()` is served,
    and served again for each of the CA's repeated validation attempts.
    """

    def __init__(self, sites: Mapping[str, str | Path] | None = None, *,
                 default_webroot: str | Path | None = None, host: str = "127.0.0.1", port: int = 0):
        self.sites = {_host_key(k): Path(v) for k, v in (sites or {}).items()}
        self.default_webroot = Path(default_webroot) if default_webroot is not None else None
        self.host = host
        self.port = port
        self._server: asyncio.Server | None = None

    def add_site(self, domain: str, webroot: str | Path) -> None:
        """Serve *domain* from *webroot* from now on."""
        self.sites[_host_key(domain)] = Path(webroot)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> int:
        """Start listening; return the port (useful with port=0)."""
        if self._server is not None:
            return self.port
        self._server = await asyncio.start_server(self._handle, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        await self._server.wait_closed()
        self._server = None

    async def __aenter__(self) -> "Http01Responder":
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def _lookup(self, host: str, target: str) -> bytes | None:
        prefix = f"/{CHALLENGE_DIR}/"
        path = target.split("?", 1)[0]
        if not path.startswith(prefix):
            return None
        token = path[len(prefix):]
        if not _TOKEN.match(token):
            return None
        webroot = self.sites.get(_host_key(host), self.default_webroot)
        if webroot is None:
            return None
        try:
            return (webroot / CHALLENGE_DIR / token).read_bytes()
        except OSError:
            return None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), _READ_TIMEOUT)
        except (asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                ConnectionError):
            writer.close()
            return
        status, body = 400, b"bad request\n"
        lines = head[:_REQUEST_LIMIT].decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) == 3:
            method, target, _version = parts
            headers = {}
            for line in lines[1:]:
                name, sep, value = line.partition(":")
                if sep:
                    headers[name.strip().lower()] = value.strip()
            if method not in ("GET", "HEAD"):
                status, body = 405, b"method not allowed\n"
            else:
                content = self._lookup(headers.get("host", ""), target)
                status, body = (200, content) if content is not None else (404, b"not found\n")
                log.debug("http-01 %s %s host=%s -> %d", method, target, headers.get("host"), status)
            reason = {200: "OK", 404: "Not Found", 405: "Method Not Allowed"}[status]
        else:
            reason, method = "Bad Request", "GET"
        response = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\n"
                    f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode("ascii")
        try:
            writer.write(response + (b"" if method == "HEAD" else body))
            await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()
