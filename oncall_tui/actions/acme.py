"""A small async ACME (RFC 8555) client: one account key, HTTP-01, one certificate.

Flow of `AcmeClient.issue`: account (created or found by its key) -> new order ->
for each authorization, present the HTTP-01 key authorization through a
`ChallengeSolver` and tell the CA to validate -> poll -> finalize with a CSR for
a fresh P-256 key -> poll -> download the chain. Challenge files are always
removed, whatever happens.

Secrets stay secret: the account key, the certificate key and the signed request
bodies never appear in logs, progress messages or exceptions.
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import json
import logging
import os
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from oncall_tui.actions.acme_jws import (
    AcmeError,
    _b64,
    _jwk,
    _sign_es256,
    jwk_thumbprint,
    load_or_create_account_key,
)
from oncall_tui.actions.http01 import ChallengeSolver
from oncall_tui.core.visible import visible_record

BAD_NONCE = "urn:ietf:params:acme:error:badNonce"
MAX_NONCE_RETRIES = 10
POLL_TIMEOUT = 90.0
MAX_POLL_INTERVAL = 10.0


def _version() -> str:
    try:
        return metadata.version("oncall-tui")
    except metadata.PackageNotFoundError:
        return "dev"


USER_AGENT = f"oncall-tui/{_version()} (+acme)"
HTTP_TIMEOUT = httpx.Timeout(15.0, connect=5.0)


@dataclass(frozen=True)
class IssuedCertificate:
    domain: str
    key_pem: bytes  # PKCS#8, unencrypted: write it with mode 0600
    chain_pem: bytes  # leaf first, then intermediates
    not_after: datetime
    order_url: str
    domains: tuple[str, ...] = ()


def normalize_domain(domain: str) -> str:
    """Lower-case ASCII (IDNA) form of *domain*; ValueError if HTTP-01 cannot cover it."""
    name = domain.strip().rstrip(".").lower()
    if not name:
        raise ValueError("empty domain name")
    if name.startswith("*."):
        raise ValueError(f"{domain}: wildcard names need a DNS-01 challenge, not HTTP-01")
    try:
        ipaddress.ip_address(name)
    except ValueError:
        pass
    else:
        raise ValueError(f"{domain}: is an IP address; certificates here are for domain names")
    try:
        ascii_name = name.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValueError(f"{domain}: not a valid domain name ({exc})") from None
    if "." not in ascii_name or any(not label for label in ascii_name.split(".")):
        raise ValueError(f"{domain}: not a fully qualified domain name")
    return ascii_name


def _problem(resp: httpx.Response) -> tuple[str, str]:
    """(type, detail) of an ACME error response, with sub-problems folded into the detail."""
    try:
        body = resp.json()
    except ValueError:
        return "", f"HTTP {resp.status_code} {resp.reason_phrase}"
    if not isinstance(body, dict):
        return "", f"HTTP {resp.status_code}"
    return str(body.get("type", "")), _detail(body) or f"HTTP {resp.status_code}"


def _detail(problem: dict[str, Any]) -> str:
    detail = str(problem.get("detail", ""))
    subs = [f"{(s.get('identifier') or {}).get('value', '?')}: {s.get('detail', '')}"
            for s in problem.get("subproblems") or [] if isinstance(s, dict)]
    return "; ".join([detail, *subs]) if subs else detail


def _retry_after(resp: httpx.Response, default: float) -> float:
    value = resp.headers.get("Retry-After")
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return default
        seconds = (when - datetime.now(UTC)).total_seconds()
    return min(max(seconds, 0.1), MAX_POLL_INTERVAL)


class AcmeClient:
    """Issue certificates from one ACME directory with one account key."""

    def __init__(self, directory_url: str, account_key_path: Path, *, verify: str | bool = True,
                 contact: str | None = None, http: httpx.AsyncClient | None = None,
                 log: logging.Logger | None = None, poll_timeout: float = POLL_TIMEOUT,
                 max_nonce_retries: int = MAX_NONCE_RETRIES):
        self.directory_url = directory_url
        self.account_key_path = Path(account_key_path)
        self.contact = contact
        self.log = log or logging.getLogger("oncall_tui.acme")
        if visible_record not in self.log.filters:
            self.log.addFilter(visible_record)  # server replies reach the log
        self.poll_timeout = poll_timeout
        self.max_nonce_retries = max_nonce_retries
        self.account_url: str | None = None
        self.bad_nonce_retries = 0  # how many times the CA rejected a nonce and we retried
        self._owns_http = http is None
        if http is None:
            # A CA bundle path becomes an SSL context: httpx is deprecating verify=<str>.
            tls = (ssl.create_default_context(cafile=os.fspath(verify))
                   if isinstance(verify, (str, os.PathLike)) else verify)
            http = httpx.AsyncClient(verify=tls, timeout=HTTP_TIMEOUT,
                                     headers={"User-Agent": USER_AGENT})
        self._http = http
        self._key: ec.EllipticCurvePrivateKey | None = None
        self._directory: dict[str, Any] | None = None
        self._nonce: str | None = None

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> "AcmeClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # --- transport --------------------------------------------------------

    async def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        kwargs.setdefault("headers", {})["User-Agent"] = USER_AGENT
        try:
            resp = await self._http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            reason = str(exc) or type(exc).__name__
            raise AcmeError(f"could not reach the ACME server at {url}: {reason}") from None
        if nonce := resp.headers.get("Replay-Nonce"):
            self._nonce = nonce
        self.log.debug("ACME %s %s -> %d", method, url, resp.status_code)
        return resp

    async def _dir(self) -> dict[str, Any]:
        if self._directory is None:
            resp = await self._send("GET", self.directory_url)
            if resp.status_code != 200:
                raise AcmeError(f"ACME directory {self.directory_url} answered HTTP {resp.status_code}")
            try:
                self._directory = resp.json()
            except ValueError:
                raise AcmeError(f"ACME directory {self.directory_url} is not JSON") from None
        return self._directory

    async def _take_nonce(self) -> str:
        if self._nonce is None:
            resp = await self._send("HEAD", (await self._dir())["newNonce"])
            if self._nonce is None:
                raise AcmeError(f"the ACME server gave no nonce (HTTP {resp.status_code})")
        nonce, self._nonce = self._nonce, None
        return nonce

    def _jws(self, url: str, payload: dict[str, Any] | None, nonce: str, use_jwk: bool) -> bytes:
        assert self._key is not None
        protected: dict[str, Any] = {"alg": "ES256", "nonce": nonce, "url": url}
        if use_jwk:
            protected["jwk"] = _jwk(self._key)
        else:
            protected["kid"] = self.account_url
        protected_b64 = _b64(json.dumps(protected).encode())
        payload_b64 = "" if payload is None else _b64(json.dumps(payload).encode())
        signature = _sign_es256(self._key, f"{protected_b64}.{payload_b64}".encode("ascii"))
        return json.dumps({"protected": protected_b64, "payload": payload_b64,
                           "signature": _b64(signature)}).encode()

    async def _post(self, url: str, payload: dict[str, Any] | None, *, what: str,
                    domain: str | None, use_jwk: bool = False,
                    accept: str | None = None) -> httpx.Response:
        """Signed POST (payload None = POST-as-GET), retrying on badNonce."""
        headers = {"Content-Type": "application/jose+json"}
        if accept:
            headers["Accept"] = accept
        for attempt in range(self.max_nonce_retries + 1):
            body = self._jws(url, payload, await self._take_nonce(), use_jwk)
            resp = await self._send("POST", url, content=body, headers=dict(headers))
            if resp.status_code < 400:
                return resp
            ptype, detail = _problem(resp)
            if ptype == BAD_NONCE and attempt < self.max_nonce_retries:
                # The error response carries a fresh nonce (kept by _send): sign again with it.
                self.bad_nonce_retries += 1
                self.log.info("ACME server rejected a nonce while %s; retrying", what)
                continue
            break
        where = f" for {domain}" if domain else ""
        raise AcmeError(f"{what}{where} failed: {detail}" + (f" [{ptype}]" if ptype else ""),
                        domain=domain, problem_type=ptype or None, detail=detail)

    async def _poll(self, url: str, *, pending: set[str], what: str, domain: str,
                    deadline: float) -> dict[str, Any]:
        """POST-as-GET *url* until its status leaves *pending*, honouring Retry-After."""
        loop = asyncio.get_running_loop()
        interval = 0.25
        while True:
            resp = await self._post(url, None, what=what, domain=domain)
            body = resp.json()
            if body.get("status") not in pending:
                return body
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AcmeError(f"{what} for {domain}: still {body.get('status')!r} after "
                                f"{self.poll_timeout:.0f} s; the CA is slow, try again later",
                                domain=domain)
            await asyncio.sleep(min(_retry_after(resp, interval), remaining))
            interval = min(interval * 2, 3.0)

    # --- the flow ---------------------------------------------------------

    async def _ensure_account(self, domain: str) -> None:
        if self._key is None:
            self._key = load_or_create_account_key(self.account_key_path)
        if self.account_url is not None:
            return
        payload: dict[str, Any] = {"termsOfServiceAgreed": True}
        if self.contact:
            contact = self.contact if ":" in self.contact else f"mailto:{self.contact}"
            payload["contact"] = [contact]
        resp = await self._post((await self._dir())["newAccount"], payload,
                                what="registering the ACME account", domain=domain, use_jwk=True)
        self.account_url = resp.headers.get("Location")
        if not self.account_url:
            raise AcmeError("the ACME server did not return an account URL", domain=domain)
        self.log.info("ACME account %s (%s)", self.account_url,
                      "created" if resp.status_code == 201 else "existing")

    async def issue(self, domains: list[str], challenge: ChallengeSolver, *,
                    on_progress: Callable[[str], None] | None = None) -> IssuedCertificate:
        """Issue one certificate covering *domains* (the first is the main name)."""
        names: list[str] = []
        for d in domains:
            try:
                names.append(normalize_domain(d))
            except ValueError as exc:
                raise AcmeError(f"cannot issue a certificate: {exc}", domain=d) from None
        names = list(dict.fromkeys(names))
        if not names:
            raise AcmeError("cannot issue a certificate: no domain given")
        main = names[0]

        def progress(message: str) -> None:
            self.log.info("%s", message)
            if on_progress:
                on_progress(message)

        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.poll_timeout
        await self._ensure_account(main)
        directory = await self._dir()
        resp = await self._post(directory["newOrder"],
                                {"identifiers": [{"type": "dns", "value": n} for n in names]},
                                what="creating the order", domain=main)
        order_url = resp.headers.get("Location", "")
        if not order_url:
            raise AcmeError(f"the ACME server gave no order URL for {main}", domain=main)
        order = resp.json()
        progress(f"order created for {', '.join(names)}")

        placed: list[tuple[str, str]] = []
        try:
            for authz_url in order.get("authorizations", []):
                await self._authorize(authz_url, main, challenge, placed, progress, deadline)
            order = await self._poll(order_url, pending={"pending"}, what="waiting for the order",
                                     domain=main, deadline=deadline)
            if order.get("status") != "ready":
                raise self._order_error(order, "the order is not ready for finalization", main)
            cert_key = ec.generate_private_key(ec.SECP256R1())
            resp = await self._post(order["finalize"], {"csr": _b64(_csr(cert_key, names))},
                                    what="finalizing the order", domain=main)
            order = await self._poll(order_url, pending={"ready", "processing"},
                                     what="waiting for the certificate", domain=main,
                                     deadline=deadline)
            if order.get("status") != "valid" or not order.get("certificate"):
                raise self._order_error(order, "the CA did not issue the certificate", main)
            resp = await self._post(order["certificate"], None, what="downloading the certificate",
                                    domain=main, accept="application/pem-certificate-chain")
            chain_pem = resp.content
            not_after = _check_chain(chain_pem, cert_key, main)
            progress(f"certificate downloaded, valid until {not_after:%Y-%m-%d %H:%M} UTC")
        finally:
            await self._cleanup(challenge, placed, progress)

        key_pem = cert_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption())
        return IssuedCertificate(domain=main, key_pem=key_pem, chain_pem=chain_pem,
                                 not_after=not_after, order_url=order_url, domains=tuple(names))

    async def _authorize(self, authz_url: str, main: str, solver: ChallengeSolver,
                         placed: list[tuple[str, str]], progress: Callable[[str], None],
                         deadline: float) -> None:
        resp = await self._post(authz_url, None, what="fetching the authorization", domain=main)
        authz = resp.json()
        domain = (authz.get("identifier") or {}).get("value", "?")
        if authz.get("status") == "valid":
            progress(f"{domain} already validated for this account")
            return
        chall = next((c for c in authz.get("challenges", []) if c.get("type") == "http-01"), None)
        if chall is None:
            raise AcmeError(f"the CA offers no http-01 challenge for {domain}", domain=domain)
        assert self._key is not None
        key_authorization = f"{chall['token']}.{jwk_thumbprint(self._key)}"
        placed.append((domain, chall["token"]))  # before present(): a half-done write is cleaned too
        try:
            where = await solver.present(domain, chall["token"], key_authorization)
        except Exception as exc:
            raise AcmeError(f"could not place the challenge for {domain}: {exc}", domain=domain) from exc
        progress(f"challenge for {domain} placed in {where}")
        await self._post(chall["url"], {}, what="starting validation", domain=domain)
        authz = await self._poll(authz_url, pending={"pending", "processing"},
                                 what="waiting for validation", domain=domain, deadline=deadline)
        if authz.get("status") != "valid":
            problem = next((c.get("error") for c in authz.get("challenges", [])
                            if c.get("type") == "http-01" and c.get("error")), None) or {}
            detail = _detail(problem) or f"authorization is {authz.get('status')!r}"
            ptype = problem.get("type")
            raise AcmeError(f"validation of {domain} failed: {detail}" + (f" [{ptype}]" if ptype else ""),
                            domain=domain, problem_type=ptype, detail=detail)
        progress(f"{domain} validated")

    async def _cleanup(self, solver: ChallengeSolver, placed: list[tuple[str, str]],
                       progress: Callable[[str], None]) -> None:
        for domain, token in placed:
            try:
                await solver.cleanup(domain, token)
            except Exception as exc:  # never mask the real outcome with a cleanup failure
                self.log.warning("could not remove the challenge for %s: %s", domain, exc)
                progress(f"could not remove the challenge file for {domain}: {exc}")

    @staticmethod
    def _order_error(order: dict[str, Any], what: str, domain: str) -> AcmeError:
        problem = order.get("error") or {}
        detail = _detail(problem) or f"order status is {order.get('status')!r}"
        return AcmeError(f"{what} for {domain}: {detail}", domain=domain,
                         problem_type=problem.get("type"), detail=detail)


def _csr(key: ec.EllipticCurvePrivateKey, names: list[str]) -> bytes:
    builder = x509.CertificateSigningRequestBuilder()
    if len(names[0]) <= 64:  # the CN field is limited to 64 characters; the SAN is what counts
        builder = builder.subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
    builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]),
                                    critical=False)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _check_chain(chain_pem: bytes, key: ec.EllipticCurvePrivateKey, domain: str) -> datetime:
    """Parse the downloaded chain, check the leaf is for our key; return its expiry."""
    try:
        certs = x509.load_pem_x509_certificates(chain_pem)
    except ValueError as exc:
        raise AcmeError(f"the certificate downloaded for {domain} is not PEM ({exc})",
                        domain=domain) from None
    leaf = certs[0]
    if leaf.public_key() != key.public_key():
        raise AcmeError(f"the certificate downloaded for {domain} is not for the key we generated",
                        domain=domain)
    return leaf.not_valid_after_utc
