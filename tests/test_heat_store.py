"""The heat as the faces get it from the store: repeats across cases, what `e` explains, the one-key resolve."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from oncall_tui.store.importer import import_document
from oncall_tui.usecases import queue

from .conftest import open_session, open_store

UTC = timezone.utc
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def stamp(days: float = 0, hours: float = 0) -> str:
    return (NOW - timedelta(days=days, hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def msg(when: str, direction: str, author: str, body: str, kind: str = "message", **extra) -> dict:
    return {"at": when, "kind": kind, "direction": direction, "author": author, "body": body,
            "channel": "email", **extra}


def grace_case(case_id: str, subject: str, body: str, days: float, status: str = "open", answer: str = "") -> dict:
    events = [msg(stamp(days), "in", "Grace", body)]
    if answer:
        events.append(msg(stamp(days, -1), "out", "bob", answer))
    return {"id": case_id, "customer": "c-grace", "subject": subject, "status": status,
            "opened_at": stamp(days), "events": events}


NEW = grace_case("T-9", "Emails not arriving",
                 "Hi, emails sent to orders@tidewater-seafood.com are not arriving since this morning. "
                 "Could you check?\n\nGrace", 0.1)


def document(*cases) -> dict:
    return {"customers": [{"id": "c-grace", "name": "Tidewater Seafood", "tier": "business"}], "cases": list(cases)}


@pytest.fixture
def session(tmp_path):
    path = tmp_path / "heat.db"
    store = open_store(path)
    store.close()
    s = open_session(path, now=NOW)
    yield s
    s.close()


def load(session, doc):
    import_document(session.store, doc, now=NOW)


def terms(session, case_id) -> dict[str, str]:
    return {t.name: t.value for t in queue.explain(session, case_id, NOW)[1].terms}


# --- what `e` explains ---------------------------------------------------------------------------------

def test_explain_says_what_was_set_aside(session):
    body = ("Le site répond mal, voici le journal :\n"
            + "\n".join(f"2026-11-24 04:{i:02d}:09 0 [ERROR] INNODB: WRITE FAILED" for i in range(40))
            + "\n\nPouvez-vous regarder ?\n\nGrace")
    load(session, document({"id": "T-9", "customer": "c-grace", "subject": "Lent", "status": "open",
                            "opened_at": stamp(hours=1), "events": [msg(stamp(hours=1), "in", "Grace", body)]}))
    assert terms(session, "T-9")["not counted"] == "40 lines of pasted log or code and 1 signature line not read"


def test_a_broadcast_in_the_store_is_not_an_answer(session):
    load(session, document({"id": "T-9", "customer": "c-grace", "subject": "Down", "status": "open",
                            "opened_at": stamp(hours=2), "events": [
                                msg(stamp(hours=2), "in", "Grace", "Our shop is unreachable."),
                                msg(stamp(hours=1), "out", "mehdi", "[Incident] We are investigating.",
                                    meta={"broadcast": "u1"})]}))
    row = session.store.query_one("SELECT waiting_since, exchanges FROM cases WHERE id = 'T-9'")
    assert tuple(row) == (stamp(hours=2), 1)
