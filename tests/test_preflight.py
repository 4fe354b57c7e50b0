"""DNS/TLS checks before issuing, against challtestsrv's real DNS and a real TLS server."""

from __future__ import annotations

import ast
import asyncio
import socket
import ssl
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

import oncall_tui.actions.preflight as preflight_module
from oncall_tui.actions.preflight import (
    Check,
    ServerInfo,
    blocking,
    make_resolver,
    preflight_certificate,
)

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
WEB01 = ServerInfo("web-01", ipv4=("127.0.0.1",), ipv6=("2001:db8::10",))


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


async def run(domain: str, dns, **kwargs) -> dict[str, Check]:
    kwargs.setdefault("check_tls", False)
    resolver = make_resolver("127.0.0.1", dns.dns_port, timeout=2.0)
    return by_name(await preflight_certificate(domain, kwargs.pop("server", WEB01), resolver=resolver,
                                               now=NOW, **kwargs))


async def test_dns_pointing_at_the_server_passes(challtestsrv):
    checks = await run("boutique-ok.test", challtestsrv)
    assert [c.status for c in checks.values()] == ["ok", "ok", "ok", "ok"]
    assert checks["A record"].message == "boutique-ok.test points to web-01 (127.0.0.1)"
    assert checks["AAAA record"].message == "no AAAA record for boutique-ok.test; validation will use IPv4"


async def test_stale_aaaa_fails_naming_the_address_and_the_server(challtestsrv):
    challtestsrv.add_aaaa("Boutique-Stale.test", ["2001:db8::99"])
    checks = await run("boutique-stale.TEST", challtestsrv)
    assert checks["A record"].status == "ok"
    assert checks["AAAA record"] == Check(
        "AAAA record", "fail", "AAAA 2001:db8::99 does not belong to web-01; validation over IPv6 will "
                               "fail — remove it or add it to the server")


async def test_aaaa_of_the_server_is_fine_however_it_is_written(challtestsrv):
    challtestsrv.add_aaaa("boutique-v6.test", ["2001:0db8:0000::0010"])
    checks = await run("boutique-v6.test", challtestsrv)
    assert checks["AAAA record"].status == "ok"


async def test_missing_a_record_fails_asking_whether_the_dns_change_was_made(challtestsrv):
    with challtestsrv.no_default_a():
        checks = await run("jamais-fait.test", challtestsrv)
    assert checks["A record"].status == "fail"
    assert checks["A record"].message.startswith(
        "no A record for jamais-fait.test — was the DNS change made? It should point to web-01 (127.0.0.1)")
    assert [c.name for c in blocking(list(checks.values()))] == ["A record"]


async def test_a_record_pointing_elsewhere_names_both_addresses(challtestsrv):
    challtestsrv.add_a("ailleurs.test", ["198.51.100.7"])
    checks = await run("ailleurs.test", challtestsrv)
    assert checks["A record"].status == "fail"
    assert "points to 198.51.100.7, not to web-01 (127.0.0.1)" in checks["A record"].message


async def test_caa_for_another_ca_fails_also_for_subdomains(challtestsrv):
    challtestsrv.add_caa("autre-ca.test", [{"tag": "issue", "value": "digicert.com"}])
    checks = await run("www.autre-ca.test", challtestsrv)
    assert checks["CAA"].status == "fail"
    assert checks["CAA"].message.startswith(
        "CAA of autre-ca.test allows only digicert.com, not letsencrypt.org — ask the customer to add")


async def test_caa_allowing_lets_encrypt_passes(challtestsrv):
    challtestsrv.add_caa("bonne-ca.test", [
        {"tag": "issue", "value": "letsencrypt.org; validationmethods=http-01"},
        {"tag": "issue", "value": "digicert.com"}])
    checks = await run("bonne-ca.test", challtestsrv)
    assert checks["CAA"] == Check("CAA", "ok", "CAA of bonne-ca.test allows letsencrypt.org")


@pytest.mark.parametrize(("recent", "status"),
                         [(2, "ok"), (3, "warn"), (4, "warn"), (5, "fail"), (9, "fail")])
async def test_weekly_duplicate_limit(challtestsrv, recent, status):
    checks = await run("souvent.test", challtestsrv, recent_issuances=recent)
    assert checks["Rate limit"].status == status
    assert f"{recent} certificate" in checks["Rate limit"].message


async def test_dns_timeout_warns_and_does_not_hang():
    # A "DNS server" that receives queries and never answers.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        resolver = make_resolver("127.0.0.1", silent.getsockname()[1], timeout=0.5)
        started = time.monotonic()
        checks = by_name(await preflight_certificate("lent.test", WEB01, resolver=resolver, now=NOW,
                                                     check_tls=False))
        elapsed = time.monotonic() - started
    assert elapsed < 3
    assert checks["A record"] == Check("A record", "warn", "could not check the A record of lent.test: "
                                                           "no DNS answer within 0.5 s; retry in a minute")
    assert checks["AAAA record"].status == "warn"
    assert checks["CAA"].status == "warn"


def test_preflight_cannot_place_an_order():
    """Structure: the preflight module imports nothing that talks to a CA."""
    tree = ast.parse(Path(preflight_module.__file__).read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name.startswith(("oncall_tui.actions.acme", "httpx")) for name in imported)


def test_server_with_a_bad_address_is_named():
    with pytest.raises(ValueError, match=r"server web-02: '2001:db8::1' in ipv4 is not an IPv4 address"):
        ServerInfo("web-02", ipv4=("2001:db8::1",), ipv6=())


# --- the certificate currently served ----------------------------------------

def self_signed(tmp_path: Path, names: list[str], not_after: datetime) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Hoster Test CA")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_after - timedelta(days=90)).not_valid_after(not_after)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context


async def serve_tls(context: ssl.SSLContext) -> asyncio.Server:
    async def handle(reader, writer):
        writer.close()
    return await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)


@pytest.mark.parametrize(("not_after", "status", "text"), [
    (NOW + timedelta(days=80), "ok", "the certificate served for tls.test is valid until 2026-05-21 "
                                     "(issuer Hoster Test CA)"),
    (NOW + timedelta(days=10), "warn", "the certificate served for tls.test expires in 10 d (2026-03-12"),
    (NOW - timedelta(days=3), "warn", "the certificate served for tls.test expired 3 d ago (2026-02-27"),
])
async def test_current_certificate_expiry(challtestsrv, tmp_path, not_after, status, text):
    server = await serve_tls(self_signed(tmp_path, ["tls.test", "www.tls.test"], not_after))
    async with server:
        checks = await run("tls.test", challtestsrv, check_tls=True,
                           tls_port=server.sockets[0].getsockname()[1])
    assert checks["Current certificate"].status == status
    assert checks["Current certificate"].message.startswith(text)


async def test_default_certificate_for_other_names_warns(challtestsrv, tmp_path):
    server = await serve_tls(self_signed(tmp_path, ["web-01.hoster.test"], NOW + timedelta(days=80)))
    async with server:
        checks = await run("nouveau.test", challtestsrv, check_tls=True,
                           tls_port=server.sockets[0].getsockname()[1])
    assert checks["Current certificate"] == Check(
        "Current certificate", "warn", "web-01 currently serves a certificate for web-01.hoster.test, not "
                                       "nouveau.test: visitors see a warning until the new one is installed")


async def test_no_https_yet_is_fine(challtestsrv):
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    checks = await run("premier.test", challtestsrv, check_tls=True, tls_port=port)
    assert checks["Current certificate"] == Check(
        "Current certificate", "ok", f"web-01 serves no certificate for premier.test on port {port} yet")
