"""Shared test fixtures: stores built from small stories, and the CI no-skip rule."""

from __future__ import annotations

import copy
import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from oncall_tui.config import Config
from oncall_tui.store.db import Store
from oncall_tui.store.engines import open_store as open_any_store
from oncall_tui.store.importer import import_document
from oncall_tui.usecases.models import shipped
from oncall_tui.usecases.session import Session

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)

# The real servers the tests start (Pebble, sshd, Request Tracker, PostgreSQL): their fixtures, for every module.
pytest_plugins = ["tests.servers.pebble", "tests.servers.sshd", "tests.servers.rt", "tests.servers.rt_world",
                  "tests.servers.postgres"]

BACKENDS = ("sqlite", "postgresql")


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only: the test is about SQLite itself, or a screen (run once)")


def pytest_generate_tests(metafunc):
    # Store and service tests run on both engines: every test that takes `store_path` (or `backend`),
    # unless marked sqlite_only (screens, and what only SQLite has: its file, WAL, PRAGMAs).
    if "backend" in metafunc.fixturenames:
        only = metafunc.definition.get_closest_marker("sqlite_only")
        metafunc.parametrize("backend", ["sqlite"] if only else list(BACKENDS))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    # Under CI a skipped test is a failure: a test that needs a server must start it.
    skipped = terminalreporter.stats.get("skipped", [])
    if os.environ.get("CI") == "true" and skipped:
        terminalreporter.write_line(f"CI=true: {len(skipped)} skipped test(s) count as failures", red=True)
        for report in skipped:
            terminalreporter.write_line(f"  skipped: {report.nodeid}", red=True)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter and os.environ.get("CI") == "true" and reporter.stats.get("skipped"):
        session.exitstatus = 1


SMALL_DOC = {
    "engineers": [
        {"name": "alice", "region": "EMEA", "city": "Paris", "timezone": "Europe/Paris"},
        {"name": "bob", "region": "AMER", "city": "San Francisco", "timezone": "America/Los_Angeles"},
        {"name": "kenji", "region": "APAC", "city": "Tokyo", "timezone": "Asia/Tokyo"},
    ],
    "customers": [
        {"id": "c-boul", "name": "Boulangerie Martin", "language": "fr", "timezone": "Europe/Paris",
         "tier": "standard", "owner": "alice",
         "assets": [{"kind": "server", "name": "web-01", "ipv4": "203.0.113.10", "ipv6": "2001:db8::10",
                     "datacenter": "SBG", "webroot": "/var/www/boutique"},
                    {"kind": "domain", "name": "boutique-martin.fr", "server": "web-01"}]},
        {"id": "c-acme", "name": "Acme Widgets Ltd", "language": "en", "timezone": "America/New_York",
         "tier": "critical", "owner": "bob",
         "assets": [{"kind": "server", "name": "app-01", "ipv4": "198.51.100.7", "datacenter": "BHS"}]},
        {"id": "c-calm", "name": "Calm Studio", "language": "en", "timezone": "Europe/London",
         "tier": "standard", "owner": "alice"},
    ],
    "cases": [
        # The case most UI tests drive, first in the queue at NOW: bounced to the docs and waiting 7 h.
        {"id": "T-100", "customer": "c-boul", "subject": "Charger un SSL sur boutique-martin.fr",
         "status": "open", "opened_at": "2026-11-24T01:00:00Z", "assignee": "alice",
         "events": [
             {"at": "2026-11-24T01:00:00Z", "kind": "message", "direction": "in", "author": "jean",
              "body": "Bonjour, comment charger un SSL sur boutique-martin.fr ?", "channel": "email"},
             {"at": "2026-11-24T01:20:00Z", "kind": "message", "direction": "out", "author": "kenji",
              "body": "Please see our Let's Encrypt guide.", "channel": "email"},
             {"at": "2026-11-24T02:00:00Z", "kind": "message", "direction": "in", "author": "jean",
              "body": "Toujours pas de cadenas, c'est la troisième fois que je demande !!!", "channel": "email"},
         ]},
        {"id": "T-200", "customer": "c-acme", "subject": "Site down after deploy",
         "status": "open", "opened_at": "2026-11-24T06:00:00Z", "assignee": "bob",
         "events": [
             {"at": "2026-11-24T06:00:00Z", "kind": "message", "direction": "in", "author": "ann",
              "body": "Our shop returns 502 since the deploy.", "channel": "email"},
             # bob fixed it: an unanswered outage of a critical customer would be the hottest case, and since the
             # December 2026 refit (the wait worth half as much) so would one he only promised to fix. Answered
             # with a fix, it waits on Ann's confirmation.
             {"at": "2026-11-24T08:20:00Z", "kind": "message", "direction": "out", "author": "bob",
              "body": "Hi Ann, we rolled back to the previous release at 08:15 and the shop answers again on our "
                      "side. Can you confirm it works for you?",
              "channel": "email"},
         ]},
        {"id": "T-300", "customer": "c-calm", "subject": "Invoice question",
         "status": "pending", "opened_at": "2026-11-23T09:00:00Z", "assignee": "alice",
         "events": [
             {"at": "2026-11-23T09:00:00Z", "kind": "message", "direction": "in", "author": "zoe",
              "body": "Could you resend the October invoice?", "channel": "email"},
             {"at": "2026-11-23T10:00:00Z", "kind": "message", "direction": "out", "author": "alice",
              "body": "Which billing address should it go to?", "channel": "email"},
         ]},
        {"id": "T-050", "customer": "c-boul", "subject": "Old backup question",
         "status": "resolved", "opened_at": "2026-11-01T09:00:00Z", "assignee": "alice",
         "events": [
             {"at": "2026-11-01T09:00:00Z", "kind": "call", "direction": "in", "author": "jean",
              "body": "Asked where backups are kept.", "channel": "phone"},
         ]},
    ],
}


@pytest.fixture
def small_doc() -> dict:
    return copy.deepcopy(SMALL_DOC)


@pytest.fixture
def store_path(request, tmp_path, backend) -> Path | str:
    """Where the test's store is: an SQLite file, or the URL of a fresh PostgreSQL database of its own."""
    if backend == "sqlite":
        return tmp_path / "oncall.db"
    return request.getfixturevalue("pg_url")


def same_question_three_minutes_apart() -> dict:
    """Two standard customers asking the same thing, T-2 at 08:02 and T-1 at 08:05: at NOW both show the same
    whole heat, and T-2 (waiting longer) is hotter by its exact sum although its id sorts after."""
    asked = "Bonjour, pouvez-vous m'indiquer comment ajouter une adresse mail sur notre domaine ? Merci"
    return {"customers": [{"id": f"c-{n}", "name": f"Client {n}", "language": "fr", "timezone": "Europe/Paris",
                           "tier": "standard"} for n in (1, 2)],
            "cases": [{"id": case_id, "customer": customer, "subject": "Adresse mail", "status": "open",
                       "opened_at": at, "events": [{"at": at, "kind": "message", "direction": "in",
                                                    "author": "client", "channel": "email", "body": asked}]}
                      for case_id, customer, at in (("T-1", "c-1", "2026-11-24T08:05:00Z"),
                                                    ("T-2", "c-2", "2026-11-24T08:02:00Z"))]}


def open_store(path) -> Store:
    """A store handle that can write (with the shipped heat model), as the use cases open it."""
    return open_any_store(path, heat=shipped().heat)


def open_session(path, *, user: str = "alice", now=NOW, config: Config | None = None, **kwargs) -> Session:
    """A session at *path* for *user*, its clock stopped at *now* (a datetime) or following *now* (a callable)."""
    clock = now if callable(now) else (lambda: now)
    return Session.open(path, config or Config(), user=user, clock=clock, **kwargs)


@pytest.fixture
def store(store_path, small_doc):
    s = open_store(store_path)
    import_document(s, small_doc, now=NOW)
    yield s
    s.close()


@pytest.fixture
def promised_store(store_path, small_doc):
    """The small store, but at 08:20 bob only promised Ann to come back: with her shop down, it holds 2 h."""
    small_doc["cases"][1]["events"][1]["body"] = ("Hi Ann, we are rolling back to the previous release now; "
                                                  "I'll confirm here shortly.")
    s = open_store(store_path)
    import_document(s, small_doc, now=NOW)
    yield s
    s.close()


@pytest.fixture
def session(store, store_path):
    s = open_session(store_path)
    yield s
    s.close()


@pytest.fixture
def write_json(tmp_path):
    def write(doc, name="doc.json") -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        return path
    return write
