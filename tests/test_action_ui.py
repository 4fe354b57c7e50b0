"""The headline story: a customer bounced to the docs about "charger un SSL" gets a certificate
in a few keystrokes — checked first, issued by a real ACME server (Pebble), recorded, answered."""

import json

import pytest

from oncall_tui.actions.http01 import Http01Responder
from oncall_tui.config import Config
from oncall_tui.store import queries
from oncall_tui.store.importer import import_document

from .conftest import NOW, open_store
from .ui_helpers import Notes, make_app, screen_text, wait_for

# Screens run on SQLite only; the store and service tests cover both engines.
pytestmark = pytest.mark.sqlite_only

DOMAIN = "boutique-martin.test"


def ssl_doc(domain=DOMAIN):
    return {
        "engineers": [{"name": "alice", "region": "EMEA", "city": "Paris", "timezone": "Europe/Paris"}],
        "customers": [{"id": "c-boul", "name": "Boulangerie Martin", "language": "fr", "timezone": "Europe/Paris",
                       "tier": "standard", "owner": "alice",
                       "assets": [{"kind": "server", "name": "web-01", "ipv4": "127.0.0.1", "datacenter": "SBG",
                                   "webroot": "/var/www/boutique"},
                                  {"kind": "domain", "name": domain, "server": "web-01",
                                   "webroot": "/var/www/boutique"}]}],
        "cases": [{"id": "T-100", "customer": "c-boul", "subject": "Charger un SSL", "status": "open",
                   "opened_at": "2026-11-24T03:00:00Z", "assignee": "alice",
                   "events": [
                       {"at": "2026-11-24T03:00:00Z", "kind": "message", "direction": "in", "author": "jean",
                        "body": f"Bonjour, comment charger un SSL sur {domain} ?"},
                       {"at": "2026-11-24T03:30:00Z", "kind": "message", "direction": "out", "author": "kenji",
                        "body": "Please see our Let's Encrypt documentation."},
                       {"at": "2026-11-24T05:00:00Z", "kind": "message", "direction": "in", "author": "jean",
                        "body": f"Toujours pas de cadenas sur {domain}, je n'y comprends rien à votre doc !"}]}],
    }


@pytest.fixture
def acme_config(tmp_path, pebble, challtestsrv):  # noqa: F811
    return Config(timezone="Europe/Paris", region="EMEA", city="Paris",
                  acme_directory=pebble.directory_url, acme_ca_bundle=str(pebble.ca_bundle),
                  acme_account_key=str(tmp_path / "acme" / "account.key"),
                  dns_nameserver="127.0.0.1", dns_port=challtestsrv.dns_port, dns_timeout=3.0,
                  acme_check_tls=False, acme_reload=[], acme_cert_dir="/etc/ssl/oncall/{domain}",
                  transport="local", local_root=str(tmp_path / "servers"))


@pytest.fixture
def ssl_store(store_path):
    s = open_store(store_path)
    import_document(s, ssl_doc(), now=NOW)
    s.close()
    return store_path



async def test_certificate_issued_recorded_and_answered_in_four_keys(ssl_store, acme_config, tmp_path,
                                                                     http01_port, challtestsrv):  # noqa: F811
    challtestsrv.clear_aaaa(DOMAIN)
    webroot = tmp_path / "servers" / "web-01" / "var" / "www" / "boutique"
    webroot.mkdir(parents=True)
    async with Http01Responder({DOMAIN: str(webroot)}, port=http01_port):
        app = make_app(ssl_store, config=acme_config)
        async with app.run_test(size=(130, 45)) as pilot:
            await pilot.press("enter")  # 1: open the hot case
            # The decoder reads the customer's words in a worker: the suggestion comes a moment later.
            await wait_for(pilot, lambda: app.screen.query_one("#history-suggestion").display)
            suggestion = str(app.screen.query_one("#history-suggestion").render())
            assert "certificate" in suggestion and DOMAIN in suggestion and "press C" in suggestion
            await pilot.press("C")  # 2: the suggested action, parameters filled in from the case
            await wait_for(pilot, lambda: app.screen.name == "action" and app.screen.stage == "confirm")
            checks = str(app.screen.query_one("#action-checks").render())
            assert "A record" in checks and "✗" not in checks
            assert "web-01" in str(app.screen.query_one("#action-plan").render())
            await pilot.press("enter")  # 3: run
            await wait_for(pilot, lambda: app.screen.name == "editor")
            draft = app.screen.text
            assert draft.startswith("Bonjour") and DOMAIN in draft
            # No reload command is configured here: the draft does not promise the padlock shows yet.
            assert "cadenas s'affiche" not in draft and "prochain rechargement du serveur web" in draft
            await pilot.press("ctrl+s")  # 4: the reply goes out in French
            await wait_for(pilot, lambda: app.screen.name == "history")
            await wait_for(pilot, lambda: f"certificate for {DOMAIN} issued and installed"
                           in app.screen.timeline.plain)
    chain = tmp_path / "servers" / "web-01" / "etc" / "ssl" / "oncall" / DOMAIN / "fullchain.pem"
    key = chain.with_name("privkey.pem")
    assert chain.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    assert key.stat().st_mode & 0o777 == 0o600
    assert not list((webroot / ".well-known" / "acme-challenge").glob("*"))  # token removed
    s = open_store(ssl_store)
    events = queries.case_events(s, "T-100")
    action = [e for e in events if e["kind"] == "action"][-1]
    meta = json.loads(action["meta"])
    assert (action["author"], meta["action"], meta["outcome"], meta["params"]["domain"]) == \
        ("alice", "issue_certificate", "ok", DOMAIN)
    assert meta["duration"] > 0 and "validated" in meta["log"]
    assert "PRIVATE KEY" not in action["meta"]  # secrets never reach the history
    reply = [e for e in events if e["kind"] == "message" and e["direction"] == "out"][-1]
    assert reply["author"] == "alice" and reply["body"] == draft


async def test_stale_aaaa_stops_the_action_before_any_order(ssl_store, acme_config, challtestsrv):  # noqa: F811
    challtestsrv.add_aaaa(DOMAIN, ["2001:db8::99"])
    try:
        app = make_app(ssl_store, config=acme_config)
        async with app.run_test(size=(130, 45)) as pilot:
            await pilot.press("enter", "C")
            await wait_for(pilot, lambda: app.screen.name == "action" and app.screen.checks)
            text = screen_text(app)
            assert "AAAA 2001:db8::99 does not belong to web-01" in text
            assert "Preflight failed — nothing was run" in text
            await pilot.press("enter")  # checks again, still refuses
            await wait_for(pilot, lambda: app.screen.stage == "params" and app.screen.checks)
    finally:
        challtestsrv.clear_aaaa(DOMAIN)
    s = open_store(ssl_store)
    assert not [e for e in queries.case_events(s, "T-100") if e["kind"] == "action"]


async def test_readonly_mode_says_so_instead_of_doing_nothing(ssl_store, acme_config):
    acme_config.readonly = True
    app = make_app(ssl_store, config=acme_config)
    notes = Notes()
    async with app.run_test(size=(130, 45), message_hook=notes) as pilot:
        await pilot.press("enter", "C")
        await pilot.pause()
        assert app.screen.name == "history"
        assert notes.any("read-only mode: running actions is disabled")


async def test_bad_parameter_is_refused_and_focused(ssl_store, acme_config):
    app = make_app(ssl_store, config=acme_config)
    async with app.run_test(size=(130, 45)) as pilot:
        await pilot.press("enter", "a")
        await pilot.pause()
        await pilot.press("enter")  # first option: issue_certificate
        await wait_for(pilot, lambda: app.screen.name == "action")
        await wait_for(pilot, lambda: app.screen.stage in ("confirm", "params"))
        box = app.screen.query_one("#param-domain")
        box.value = "x; touch /tmp/pwned"
        await pilot.press("enter")
        await pilot.pause()
        status = str(app.screen.query_one("#action-status").render())
        assert "contains ';' — refused" in status
        assert app.focused is box


async def test_each_action_has_its_key_and_help_lists_it(ssl_store, acme_config):
    app = make_app(ssl_store, config=acme_config)
    async with app.run_test(size=(130, 45)) as pilot:
        await pilot.press("enter", "question_mark")
        await pilot.pause()
        text = screen_text(app)
        assert "actions.issue_certificate" in text and "actions.add_vhost" in text
        await pilot.press("escape", "T")  # the certificate key, straight from the case
        await wait_for(pilot, lambda: app.screen.name == "action")
        assert app.screen.action_def.id == "issue_certificate"


async def test_a_site_runbook_gets_a_key_from_the_user_keymap(ssl_store, acme_config, tmp_path, monkeypatch):
    from oncall_tui.ui.keymap import load_keymap

    runbooks = tmp_path / "site-runbooks"
    runbooks.mkdir()
    (runbooks / "purge_cache.toml").write_text(
        '[runbook]\nid = "purge_cache"\ntitle = "Purge the page cache"\ntarget = "local"\n'
        '[[runbook.steps]]\ntitle = "purge"\nrun = ["true"]\n', encoding="utf-8")
    acme_config.runbook_dirs = [str(runbooks)]
    user = tmp_path / "keymap.toml"
    user.write_text('[actions]\npurge_cache = { keys = "P" }\n', encoding="utf-8")
    app = make_app(ssl_store, config=acme_config, keymap=load_keymap(user))
    async with app.run_test(size=(130, 45)) as pilot:
        await pilot.press("enter", "P")
        await wait_for(pilot, lambda: app.screen.name == "action")
        assert app.screen.action_def.id == "purge_cache"
