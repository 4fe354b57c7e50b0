"""Issuing certificates against a real Pebble, tokens served by a real HTTP-01 responder."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.x509.verification import PolicyBuilder, Store

from oncall_tui.actions.acme import AcmeClient, AcmeError
from oncall_tui.actions.http01 import Http01Responder, WebrootSolver
from oncall_tui.actions.transport import LocalTransport
from oncall_tui.demo.pebble import PebbleServer


def client_for(server: PebbleServer, key_path: Path, **kwargs) -> AcmeClient:
    return AcmeClient(server.directory_url, key_path, verify=str(server.ca_bundle),
                      contact="oncall@example.net", **kwargs)


def verify_chain(chain_pem: bytes, root_pem: bytes, domain: str) -> x509.Certificate:
    """Verify like a browser would: chain up to the issuing root, name matches."""
    leaf, *intermediates = x509.load_pem_x509_certificates(chain_pem)
    root = x509.load_pem_x509_certificate(root_pem)
    verifier = PolicyBuilder().store(Store([root])).time(datetime.now(UTC)).build_server_verifier(
        x509.DNSName(domain))
    verifier.verify(leaf, intermediates)
    return leaf


def challenge_files(webroot: Path) -> list[Path]:
    folder = webroot / ".well-known" / "acme-challenge"
    return sorted(folder.iterdir()) if folder.exists() else []


async def test_issue_places_token_in_webroot_and_chain_verifies(pebble, http01_responder, tmp_path):
    webroot = http01_responder.default_webroot
    key_path = tmp_path / "acme" / "account.pem"
    progress: list[str] = []
    async with client_for(pebble, key_path) as client:
        cert = await client.issue(["Boutique-Fleurs.test", "www.boutique-fleurs.test"],
                                  WebrootSolver(LocalTransport(), str(webroot)),
                                  on_progress=progress.append)
        first_account = client.account_url

    leaf = verify_chain(cert.chain_pem, pebble.issuing_root_pem(), "www.boutique-fleurs.test")
    sans = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sorted(sans.get_values_for_type(x509.DNSName)) == ["boutique-fleurs.test",
                                                              "www.boutique-fleurs.test"]
    assert cert.domain == "boutique-fleurs.test"
    assert cert.not_after == leaf.not_valid_after_utc
    assert b"PRIVATE KEY" in cert.key_pem
    assert progress[0] == "order created for boutique-fleurs.test, www.boutique-fleurs.test"
    assert any(m.startswith("challenge for www.boutique-fleurs.test placed in "
                            f"{webroot}/.well-known/acme-challenge/") for m in progress)
    assert "boutique-fleurs.test validated" in progress
    assert progress[-1].startswith(f"certificate downloaded, valid until {leaf.not_valid_after_utc:%Y-%m-%d}")
    assert challenge_files(webroot) == []  # tokens removed once the order is valid
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_path.parent.stat().st_mode) == 0o700

    # A second run (a new process, in real life) reuses the key, hence the account.
    key_before = key_path.read_bytes()
    async with client_for(pebble, key_path) as client:
        again = await client.issue(["boutique-fleurs.test"], WebrootSolver(LocalTransport(), str(webroot)))
        assert client.account_url == first_account
    assert key_path.read_bytes() == key_before
    verify_chain(again.chain_pem, pebble.issuing_root_pem(), "boutique-fleurs.test")
    assert again.order_url != cert.order_url


async def test_failed_validation_names_domain_and_pebble_detail_and_cleans_up(
        pebble, http01_responder, tmp_path):
    # The engineer picked the wrong document root: the web server never serves the token.
    wrong_webroot = tmp_path / "not-served"
    progress: list[str] = []
    async with client_for(pebble, tmp_path / "account.pem") as client:
        with pytest.raises(AcmeError) as err:
            await client.issue(["mauvais-dossier.test"], WebrootSolver(LocalTransport(), str(wrong_webroot)),
                               on_progress=progress.append)
    message = str(err.value)
    assert err.value.domain == "mauvais-dossier.test"
    assert message.startswith("validation of mauvais-dossier.test failed: ")
    assert err.value.problem_type == "urn:ietf:params:acme:error:unauthorized"
    assert "404" in err.value.detail and err.value.detail in message  # Pebble's own words
    assert any(m.startswith("challenge for mauvais-dossier.test placed in") for m in progress)
    assert challenge_files(wrong_webroot) == []


async def test_issuance_survives_a_ca_that_rejects_most_nonces(pebble_nonce_reject, http01_responder,
                                                               tmp_path):
    # 60 % of nonces rejected: each request needs ~2.5 tries; 20 retries make failure negligible.
    async with client_for(pebble_nonce_reject, tmp_path / "account.pem", max_nonce_retries=20) as client:
        cert = await client.issue(["nonce.test"],
                                  WebrootSolver(LocalTransport(), str(http01_responder.default_webroot)))
        retries = client.bad_nonce_retries
    verify_chain(cert.chain_pem, pebble_nonce_reject.issuing_root_pem(), "nonce.test")
    assert retries > 0


async def test_bad_nonce_retries_are_bounded(pebble_nonce_reject, http01_responder, tmp_path):
    # With no retry allowed, the 60 % rejection rate surfaces as a clear error sooner or later.
    with pytest.raises(AcmeError, match="badNonce"):
        for _ in range(10):
            async with client_for(pebble_nonce_reject, tmp_path / "account.pem",
                                  max_nonce_retries=0) as client:
                await client.issue(["bounded.test"],
                                   WebrootSolver(LocalTransport(), str(http01_responder.default_webroot)))


async def test_account_key_readable_by_others_is_refused(pebble, http01_responder, tmp_path):
    key_path = tmp_path / "account.pem"
    solver = WebrootSolver(LocalTransport(), str(http01_responder.default_webroot))
    async with client_for(pebble, key_path) as client:
        await client.issue(["perms.test"], solver)
    key_path.chmod(0o644)  # someone "fixed" permissions for a backup script
    async with client_for(pebble, key_path) as client:
        with pytest.raises(AcmeError, match=r"account key .*account.pem can be read or changed by other "
                                            r"users \(mode 0644\); run `chmod 600"):
            await client.issue(["perms.test"], solver)


async def test_wildcard_is_refused_with_the_reason(pebble, tmp_path):
    async with client_for(pebble, tmp_path / "account.pem") as client:
        with pytest.raises(AcmeError, match=r"\*\.boutique\.test: wildcard names need a DNS-01 challenge"):
            await client.issue(["boutique.test", "*.boutique.test"], WebrootSolver(LocalTransport(), "/srv"))
    assert not (tmp_path / "account.pem").exists()


async def test_responder_serves_tokens_per_host_and_nothing_else(tmp_path):
    shop, blog = tmp_path / "shop", tmp_path / "blog"
    for root, content in ((shop, b"shop-key-auth"), (blog, b"blog-key-auth")):
        (root / ".well-known" / "acme-challenge").mkdir(parents=True)
        (root / ".well-known" / "acme-challenge" / "tok-1").write_bytes(content)
    (tmp_path / "secret").write_bytes(b"do not serve")
    async with Http01Responder({"Shop.test": shop, "blog.test": str(blog)}) as responder:
        async with httpx.AsyncClient(base_url=responder.url) as http:
            path = "/.well-known/acme-challenge/tok-1"
            shop_resp = await http.get(path, headers={"Host": "SHOP.test:80"})
            blog_resp = await http.get(path, headers={"Host": "blog.test."})
            unknown = await http.get(path, headers={"Host": "other.test"})
            escape = await http.get("/.well-known/acme-challenge/..%2F..%2Fsecret",
                                    headers={"Host": "shop.test"})
            post = await http.post(path, headers={"Host": "shop.test"})
    assert (shop_resp.status_code, shop_resp.content) == (200, b"shop-key-auth")
    assert (blog_resp.status_code, blog_resp.content) == (200, b"blog-key-auth")
    assert unknown.status_code == 404  # no default webroot
    assert escape.status_code == 404
    assert post.status_code == 405


async def test_solver_refuses_a_token_that_would_escape_the_webroot(tmp_path):
    solver = WebrootSolver(LocalTransport(), lambda domain: str(tmp_path / domain))
    with pytest.raises(ValueError, match="not base64url"):
        await solver.present("shop.test", "../../etc/cron.d/x", "key-auth")
    where = await solver.present("shop.test", "tok_-9", "key-auth")
    target = tmp_path / "shop.test" / ".well-known" / "acme-challenge" / "tok_-9"
    assert where == f"{target} (local)"
    assert target.read_bytes() == b"key-auth"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # the web server's user must read it
    await solver.cleanup("shop.test", "tok_-9")
    assert not target.exists()
