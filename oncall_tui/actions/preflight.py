"""Checks to run before asking a CA for a certificate, in plain language.

The usual reasons a Let's Encrypt issuance fails are in DNS: the A record was
never changed to point at our server, or a stale AAAA record still points
elsewhere (the CA prefers IPv6, so validation goes to the wrong machine). This
module looks at DNS, CAA, the certificate currently served and the weekly
duplicate-certificate limit. It never talks to the CA.
"""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import dns.asyncresolver
import dns.exception
import dns.name
import dns.resolver
from cryptography import x509

from oncall_tui.core.timeutil import human_duration

# "confirm": runs only once the engineer accepts it explicitly (the screen asks, the CLI needs --confirm NAME).
Status = Literal["ok", "warn", "confirm", "fail"]
DUPLICATE_LIMIT = 5  # Let's Encrypt: 5 certificates for the same names per 7 days
DUPLICATE_WARN = 3
RENEW_WITHIN_DAYS = 30
TLS_TIMEOUT = 3.0


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    message: str


@dataclass(frozen=True)
class ServerInfo:
    name: str
    ipv4: tuple[str, ...]
    ipv6: tuple[str, ...]

    def __post_init__(self) -> None:
        for field, version in (("ipv4", 4), ("ipv6", 6)):
            for address in getattr(self, field):
                try:
                    ok = ipaddress.ip_address(address).version == version
                except ValueError:
                    ok = False
                if not ok:
                    raise ValueError(f"server {self.name}: {address!r} in {field} "
                                     f"is not an IPv{version} address")


def make_resolver(nameserver: str | None = None, port: int = 53,
                  timeout: float = 3.0) -> dns.asyncresolver.Resolver:
    """A resolver giving up after *timeout* seconds; system settings when *nameserver* is None."""
    if nameserver is None:
        resolver = dns.asyncresolver.Resolver()
    else:
        resolver = dns.asyncresolver.Resolver(configure=False)
        resolver.nameservers = [nameserver]
    resolver.port = port
    resolver.timeout = timeout
    resolver.lifetime = timeout  # total time per query, retries included: never hang
    return resolver


def blocking(checks: list[Check]) -> list[Check]:
    """The checks that should stop an issuance."""
    return [c for c in checks if c.status == "fail"]


async def _query(resolver: dns.asyncresolver.Resolver, name: str,
                 rdtype: str) -> tuple[list, str | None, str | None]:
    """(records, missing, error) for one query; *missing* is "nxdomain"/"noanswer". Never raises."""
    qname = dns.name.from_text(name)
    try:
        answer = await resolver.resolve(qname, rdtype, search=False)
        return list(answer), None, None
    except dns.resolver.NXDOMAIN:
        return [], "nxdomain", None
    except dns.resolver.NoAnswer:
        return [], "noanswer", None
    except dns.exception.Timeout:
        return [], None, f"no DNS answer within {resolver.lifetime:g} s"
    except dns.resolver.NoNameservers:
        return [], None, "the DNS servers failed to answer (SERVFAIL or refused)"
    except dns.exception.DNSException as exc:
        return [], None, f"DNS error: {exc}"


def _norm_ip(text: str) -> str:
    return str(ipaddress.ip_address(text))


def _check_a(domain: str, server: ServerInfo, records: list, missing: str | None,
             error: str | None) -> Check:
    name = "A record"
    if error:
        return Check(name, "warn", f"could not check the A record of {domain}: {error}; retry in a minute")
    if not records:
        why = " (the name does not exist in DNS)" if missing == "nxdomain" else ""
        expected = ", ".join(server.ipv4) or "no IPv4"
        return Check(name, "fail", f"no A record for {domain}{why} — was the DNS change made? "
                                   f"It should point to {server.name} ({expected})")
    ours = {_norm_ip(a) for a in server.ipv4}
    found = [r.address for r in records]
    foreign = [a for a in found if _norm_ip(a) not in ours]
    if foreign:
        expected = ", ".join(server.ipv4) or "no IPv4 address"
        return Check(name, "fail", f"A record for {domain} points to {', '.join(foreign)}, not to "
                                   f"{server.name} ({expected}) — validation will reach the wrong "
                                   f"server; update the DNS first")
    return Check(name, "ok", f"{domain} points to {server.name} ({', '.join(found)})")


def _check_aaaa(domain: str, server: ServerInfo, records: list, error: str | None) -> Check:
    name = "AAAA record"
    if error:
        return Check(name, "warn", f"could not check the AAAA record of {domain}: {error}; retry in a minute")
    if not records:
        return Check(name, "ok", f"no AAAA record for {domain}; validation will use IPv4")
    ours = {_norm_ip(a) for a in server.ipv6}
    foreign = [r.address for r in records if _norm_ip(r.address) not in ours]
    if foreign:
        which = ", ".join(foreign)
        return Check(name, "fail", f"AAAA {which} does not belong to {server.name}; validation over IPv6 "
                                   f"will fail — remove it or add it to the server")
    return Check(name, "ok", f"AAAA of {domain} points to {server.name}")


async def _check_caa(domain: str, resolver: dns.asyncresolver.Resolver,
                     ca_identities: tuple[str, ...]) -> Check:
    """RFC 8659: the closest CAA record set up the tree decides."""
    labels = domain.split(".")
    names = [".".join(labels[i:]) for i in range(len(labels))]
    results = await asyncio.gather(*(_query(resolver, n, "CAA") for n in names))
    for owner, (records, _missing, error) in zip(names, results):
        if error:
            return Check("CAA", "warn", f"could not check CAA records for {owner}: {error}")
        if not records:
            continue
        unknown_critical = [r for r in records if r.flags & 128
                            and r.tag.decode().lower() not in ("issue", "issuewild", "iodef")]
        if unknown_critical:
            return Check("CAA", "fail", f"CAA records of {owner} carry a critical tag "
                                        f"{unknown_critical[0].tag.decode()!r} no CA understands; "
                                        f"issuance is forbidden until it is removed")
        issue = [r.value.decode(errors="replace") for r in records if r.tag.decode().lower() == "issue"]
        if not issue:
            return Check("CAA", "ok", f"CAA records of {owner} do not restrict issuance")
        allowed = {v.split(";", 1)[0].strip().lower() for v in issue}
        wanted = {c.lower() for c in ca_identities}
        if allowed & wanted:
            return Check("CAA", "ok", f"CAA of {owner} allows {', '.join(sorted(allowed & wanted))}")
        shown = ", ".join(sorted(a for a in allowed if a)) or "no CA at all"
        return Check("CAA", "fail", f"CAA of {owner} allows only {shown}, not {', '.join(ca_identities)} "
                                    f"— ask the customer to add `CAA 0 issue \"{ca_identities[0]}\"`")
    return Check("CAA", "ok", f"no CAA record for {domain}; any CA may issue")


def _check_rate(domain: str, recent: int) -> Check:
    name = "Rate limit"
    if recent >= DUPLICATE_LIMIT:
        return Check(name, "fail", f"{recent} certificates for {domain} in the last 7 days: Let's Encrypt "
                                   f"allows {DUPLICATE_LIMIT} a week, another one will be refused; "
                                   f"reuse the last one")
    if recent >= DUPLICATE_WARN:
        return Check(name, "warn", f"{recent} certificates for {domain} in the last 7 days "
                                   f"(limit {DUPLICATE_LIMIT}); find out why before issuing again")
    return Check(name, "ok", f"{recent} certificate(s) for {domain} in the last 7 days")


async def _fetch_certificate(address: str, port: int, domain: str, timeout: float) -> x509.Certificate:
    context = ssl.create_default_context()
    # We want to *see* whatever is served (expired, self-signed, wrong name), not to trust it.
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(address, port, ssl=context, server_hostname=domain), timeout)
    try:
        der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
    finally:
        writer.close()
        try:
            await asyncio.wait_for(writer.wait_closed(), timeout)
        except (OSError, ssl.SSLError, asyncio.TimeoutError):
            pass
    return x509.load_der_x509_certificate(der)


def _names(cert: x509.Certificate) -> list[str]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        return [n.lower() for n in san.get_values_for_type(x509.DNSName)]
    except x509.ExtensionNotFound:
        return []


def _covers(names: list[str], domain: str) -> bool:
    for pattern in names:
        if pattern == domain:
            return True
        if pattern.startswith("*.") and domain.split(".", 1)[-1] == pattern[2:] and "." in domain:
            return True
    return False


async def _check_tls(domain: str, server: ServerInfo, port: int, now: datetime, timeout: float) -> Check:
    name = "Current certificate"
    address = (server.ipv4 or server.ipv6 or (None,))[0]
    if address is None:
        return Check(name, "warn", f"{server.name} has no address to check the current certificate on")
    try:
        cert = await _fetch_certificate(address, port, domain, timeout)
    except (OSError, ssl.SSLError, asyncio.TimeoutError, ValueError):
        return Check(name, "ok", f"{server.name} serves no certificate for {domain} on port {port} yet")
    issuer = ", ".join(a.value for a in cert.issuer.get_attributes_for_oid(x509.NameOID.COMMON_NAME)) or "?"
    expires = cert.not_valid_after_utc
    left = (expires - now).total_seconds()
    names = _names(cert)
    if not _covers(names, domain):
        return Check(name, "warn", f"{server.name} currently serves a certificate for "
                                   f"{', '.join(names[:3]) or 'another name'}, not {domain}: visitors "
                                   f"see a warning until the new one is installed")
    if left <= 0:
        return Check(name, "warn", f"the certificate served for {domain} expired "
                                   f"{human_duration(-left)} ago ({expires:%Y-%m-%d}, issuer {issuer})")
    if left < RENEW_WITHIN_DAYS * 86400:
        return Check(name, "warn", f"the certificate served for {domain} expires in {human_duration(left)} "
                                   f"({expires:%Y-%m-%d}, issuer {issuer})")
    return Check(name, "ok", f"the certificate served for {domain} is valid until {expires:%Y-%m-%d} "
                             f"(issuer {issuer})")


async def preflight_certificate(domain: str, server: ServerInfo, *, resolver: dns.asyncresolver.Resolver,
                                now: datetime, recent_issuances: int = 0,
                                ca_identities: tuple[str, ...] = ("letsencrypt.org",),
                                tls_port: int = 443, check_tls: bool = True,
                                tls_timeout: float = TLS_TIMEOUT) -> list[Check]:
    """Everything worth knowing before issuing a certificate for *domain* on *server*.

    Returns checks in a fixed order: A, AAAA, CAA, rate limit, then the current
    certificate (when *check_tls*). Any "fail" means the issuance would fail.
    """
    domain = domain.strip().rstrip(".").lower()
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError as exc:
        return [Check("Domain", "fail", f"{domain!r} is not a valid domain name ({exc})")]
    jobs = [_query(resolver, domain, "A"), _query(resolver, domain, "AAAA"),
            _check_caa(domain, resolver, ca_identities)]
    if check_tls:
        jobs.append(_check_tls(domain, server, tls_port, now, tls_timeout))
    (a, a_missing, a_error), (aaaa, _, aaaa_error), caa, *tls = await asyncio.gather(*jobs)
    checks = [_check_a(domain, server, a, a_missing, a_error),
              _check_aaaa(domain, server, aaaa, aaaa_error),
              caa,
              _check_rate(domain, recent_issuances)]
    return checks + tls
