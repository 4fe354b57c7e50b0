"""`oncall demo`: the shipped stories, live; with --acme-local the SSL story really gets its certificate."""

from datetime import datetime, timezone

import pytest

from oncall_tui.config import Config
from oncall_tui.demo.environment import demo_environment
from oncall_tui.store import queries
from oncall_tui.ui.app import OncallApp
from oncall_tui.usecases.session import Session

from .conftest import open_store
from .ui_helpers import Notes, queue_lines, screen_text, wait_for

# Screens run on SQLite only; the store and service tests cover both engines.
pytestmark = pytest.mark.sqlite_only

# The keys an engineer presses after start-up to issue the bounced customer's certificate (README).
SSL_STORY_KEYS = ["C", "enter", "ctrl+s"]



def test_demo_store_looks_live_and_never_touches_the_real_store(tmp_path, monkeypatch):
    real = tmp_path / "real.db"
    monkeypatch.setenv("ONCALL_DB", str(real))
    now = datetime.now(timezone.utc)
    with demo_environment(Config(), now=now) as db:
        s = open_store(db)
        newest = queries.newest_event_at(s)
        age = (now - datetime.fromisoformat(newest.replace("Z", "+00:00"))).total_seconds()
        assert 60 <= age <= 10 * 60  # the newest event is a few minutes old
        assert s.query_one("SELECT COUNT(*) FROM cases")[0] >= 200
        s.close()
    assert not db.exists() and not real.exists()


async def test_ssl_story_is_done_in_a_few_keys_with_a_local_acme():
    cfg = Config(timezone="Europe/Paris", region="EMEA", city="Paris")
    with demo_environment(cfg, now=datetime.now(timezone.utc), acme_local=True) as db:
        app = OncallApp(Session.open(db, cfg, user="alice"), demo=True)
        async with app.run_test(size=(130, 45)) as pilot:
            await pilot.pause()
            assert "Boulangerie Martin" in queue_lines(app)[0]  # the hottest case is the bounced customer
            assert "T-1001" in str(app.screen.query_one("#queue-why").render())
            await pilot.press(SSL_STORY_KEYS[0])
            await wait_for(pilot, lambda: app.screen.name == "action" and app.screen.stage == "confirm")
            assert "boutique-martin.fr" in screen_text(app)
            await pilot.press(SSL_STORY_KEYS[1])
            await wait_for(pilot, lambda: app.screen.name == "editor")
            assert "boutique-martin.fr" in app.screen.text and app.screen.text.startswith("Bonjour")
            await pilot.press(SSL_STORY_KEYS[2])
            await wait_for(pilot, lambda: app.screen.name != "editor")
        assert len(SSL_STORY_KEYS) <= 6
        s = open_store(db)
        kinds = [(e["kind"], e["direction"]) for e in queries.case_events(s, "T-1001")][-2:]
        assert kinds == [("action", "internal"), ("message", "out")]
        s.close()


async def test_stale_aaaa_story_is_caught_by_the_preflight():
    cfg = Config(timezone="Europe/Paris", region="EMEA", city="Paris")
    with demo_environment(cfg, now=datetime.now(timezone.utc), acme_local=True) as db:
        app = OncallApp(Session.open(db, cfg, user="mehdi"), demo=True)
        async with app.run_test(size=(130, 45)) as pilot:
            app.start_action("T-1004", "issue_certificate")
            await wait_for(pilot, lambda: app.screen.name == "action" and bool(app.screen.checks))
            text = screen_text(app)
            assert "AAAA 2001:db8:4242::80 does not belong to gautier-web-01" in text
            assert "nothing was run" in text


async def test_plain_demo_never_reaches_out_to_its_fictional_servers():
    cfg = Config(timezone="Europe/Paris")
    with demo_environment(cfg, now=datetime.now(timezone.utc)) as db:
        app = OncallApp(Session.open(db, cfg, user="alice"), demo=True)
        notes = Notes()
        async with app.run_test(size=(130, 45), message_hook=notes) as pilot:
            await pilot.press(SSL_STORY_KEYS[0])
            await pilot.pause()
            assert app.screen.name == "queue"  # no action screen, so no DNS lookup, no TLS probe
            assert notes.any("--acme-local")
