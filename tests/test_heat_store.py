"""The heat as the faces get it from the store: repeats across cases, what `e` explains, the one-key resolve."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from oncall_tui.config import Config
from oncall_tui.core.errors import Refused
from oncall_tui.store.importer import import_document
from oncall_tui.usecases import incidents as incident_cases
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
def session(store_path):
    path = store_path
    store = open_store(path)
    store.close()
    s = open_session(path, now=NOW)
    yield s
    s.close()


def load(session, doc):
    import_document(session.store, doc, now=NOW)


def terms(session, case_id) -> dict[str, str]:
    return {t.name: t.value for t in queue.explain(session, case_id, NOW)[1].terms}


# --- repeats across cases ------------------------------------------------------------------------------

def test_the_same_request_in_an_earlier_case_links_the_cases(session):
    load(session, document(
        grace_case("T-1", "Mail to orders@ missing", "Emails sent to orders@ are not arriving since yesterday.",
                   58, "closed", "The mailbox was full, I cleared the trash."),
        grace_case("T-5", "Order emails not arriving", "Emails to orders@ are not arriving.", 21, "closed",
                   "The mailbox was over quota; I've raised it."),
        grace_case("T-7", "Invoice copy", "Could you send us a copy of the September invoice?", 10, "closed"),
        NEW))
    why = terms(session, "T-9")
    assert why["repeats"] == "asked before in T-5 and 1 earlier case"


def test_an_unrelated_or_too_old_earlier_case_is_no_repeat(session):
    load(session, document(
        grace_case("T-7", "Invoice copy", "Could you send us a copy of the September invoice?", 10, "closed"),
        grace_case("T-2", "Order emails not arriving", "Emails to orders@ are not arriving.", 70, "closed"),
        NEW))
    assert "repeats" not in terms(session, "T-9")


def test_the_repeat_window_is_a_setting(store_path):
    path = store_path
    open_store(path).close()
    s = open_session(path, now=NOW, config=Config(heat={"repeat_window_days": 90}))
    try:
        load(s, document(grace_case("T-2", "Order emails not arriving", "Emails to orders@ are not arriving.", 70,
                                    "closed"), NEW))
        assert terms(s, "T-9")["repeats"] == "asked before in T-2"
    finally:
        s.close()


def test_an_earlier_case_that_arrives_later_still_links_them(session):
    load(session, document(NEW))
    assert "repeats" not in terms(session, "T-9")
    load(session, document(grace_case("T-5", "Order emails not arriving", "Emails to orders@ are not arriving.",
                                      21, "closed")))
    assert terms(session, "T-9")["repeats"] == "asked before in T-5"


def test_a_repeat_across_cases_heats_the_new_case(session):
    load(session, document(NEW))
    alone = session.store.query_one("SELECT heat FROM cases WHERE id = 'T-9'")[0]
    load(session, document(grace_case("T-5", "Order emails not arriving", "Emails to orders@ are not arriving.",
                                      21, "closed")))
    assert session.store.query_one("SELECT heat FROM cases WHERE id = 'T-9'")[0] > alone


def test_calls_logged_by_the_same_engineer_or_naming_the_same_site_are_not_the_same_request(session):
    call = ("Appel entrant, pris par carla (3 min). Grace explique : {}")
    load(session, document(
        {"id": "T-1", "customer": "c-grace", "subject": "Facture", "status": "closed", "opened_at": stamp(10),
         "events": [msg(stamp(10), "in", "Grace", call.format("elle veut une copie de la facture de "
                                                               "tidewater-seafood.com."), kind="call")]},
        {"id": "T-2", "customer": "c-grace", "subject": "Lenteurs", "status": "open", "opened_at": stamp(0.1),
         "events": [msg(stamp(0.1), "in", "Grace", call.format("les pages de tidewater-seafood.com mettent "
                                                                "dix secondes."), kind="call")]}))
    assert "repeats" not in terms(session, "T-2")


# --- what `e` explains ---------------------------------------------------------------------------------

def test_explain_says_what_was_set_aside(session):
    body = ("Le site répond mal, voici le journal :\n"
            + "\n".join(f"2026-11-24 04:{i:02d}:09 0 [ERROR] INNODB: WRITE FAILED" for i in range(40))
            + "\n\nPouvez-vous regarder ?\n\nGrace")
    load(session, document({"id": "T-9", "customer": "c-grace", "subject": "Lent", "status": "open",
                            "opened_at": stamp(hours=1), "events": [msg(stamp(hours=1), "in", "Grace", body)]}))
    assert terms(session, "T-9")["not counted"] == "40 lines of pasted log or code and 1 signature line not read"


def test_explain_gives_a_customer_s_deadline_on_their_clock_and_the_queue_counts_it(session):
    # Written at 09:40 in Singapore (01:40 UTC): "tomorrow at 8" is Singapore's 08:00, 00:00 UTC on the 25th.
    doc = {"customers": [{"id": "c-mei", "name": "Lotus Kitchen", "tier": "standard",
                          "timezone": "Asia/Singapore"}],
           "cases": [{"id": "T-7", "customer": "c-mei", "subject": "New domain", "status": "open",
                      "opened_at": "2026-11-24T01:40:00Z", "events": [msg(
                          "2026-11-24T01:40:00Z", "in", "Mei", "Hi, could you point lotus-kitchen.sg at our new "
                          "server? Our opening is tomorrow at 8am and the flyers give the address.")]},
                     {"id": "T-8", "customer": "c-mei", "subject": "Invoice address", "status": "open",
                      "opened_at": "2026-11-24T01:40:00Z", "events": [msg(
                          "2026-11-24T01:40:00Z", "in", "Mei", "Hi, could you change the address on our "
                          "invoices to 12 Tanjong Road?")]}]}
    load(session, doc)
    assert terms(session, "T-7")["deadline"] == "their deadline Wed 25 Nov 08:00 (their time) in 15 h"
    heat = dict(session.store.query("SELECT id, heat FROM cases"))
    assert heat["T-7"] > heat["T-8"]


def test_a_broadcast_in_the_store_is_not_an_answer(session):
    load(session, document({"id": "T-9", "customer": "c-grace", "subject": "Down", "status": "open",
                            "opened_at": stamp(hours=2), "events": [
                                msg(stamp(hours=2), "in", "Grace", "Our shop is unreachable."),
                                msg(stamp(hours=1), "out", "mehdi", "[Incident] We are investigating.",
                                    meta={"broadcast": "u1"})]}))
    row = session.store.query_one("SELECT waiting_since, exchanges FROM cases WHERE id = 'T-9'")
    assert tuple(row) == (stamp(hours=2), 1)


# --- probably done: the one-key resolve --------------------------------------------------------------

def done_case(session):
    load(session, document({"id": "T-8", "customer": "c-grace", "subject": "SSL", "status": "open",
                            "opened_at": stamp(days=1), "events": [
                                msg(stamp(days=1), "in", "Grace", "Could you add a certificate to our site?"),
                                msg(stamp(hours=20), "out", "alice", "Done: the certificate is issued."),
                                msg(stamp(hours=1), "in", "Grace", "All good now, thanks! You can close it.")]}))


def test_a_probably_done_case_is_flagged_for_the_faces(session):
    done_case(session)
    flag = queue.probably_done(session, "T-8")
    assert flag.said == ("all good", "you can close it") and flag.at == NOW - timedelta(hours=1)
    assert queue.explain(session, "T-8", NOW)[1].probably_done
    row = next(r for r in queue.ranked(session, now=NOW).rows if r["id"] == "T-8")
    assert row["probably_done"] and row["heat"] <= 5


def test_one_key_resolves_a_probably_done_case(session):
    done_case(session)
    queue.resolve_done(session, "T-8")
    assert session.store.query_one("SELECT status FROM cases WHERE id = 'T-8'")[0] == "resolved"
    assert queue.probably_done(session, "T-8") is None


def test_one_key_resolve_is_refused_when_the_case_is_not_done(session):
    load(session, document(NEW))
    assert queue.probably_done(session, "T-9") is None
    with pytest.raises(Refused, match="T-9 is not marked probably done"):
        queue.resolve_done(session, "T-9")
    assert session.store.query_one("SELECT status FROM cases WHERE id = 'T-9'")[0] == "open"


def test_refolding_every_case_keeps_the_heat_the_store_computed(session):
    done_case(session)
    load(session, document(NEW))
    before = dict(session.store.query("SELECT id, stats FROM cases"))
    assert queue.refold(session) == 2
    assert dict(session.store.query("SELECT id, stats FROM cases")) == before


# --- incidents: the use case to unlink ----------------------------------------------------------------

def test_an_engineer_unlinks_a_case_through_the_use_case(session):
    load(session, {"customers": [{"id": "c-grace", "name": "Tidewater", "assets": [
        {"kind": "server", "name": "web-01", "datacenter": "SBG"}]}],
        "cases": [{"id": "T-9", "customer": "c-grace", "subject": "Site down", "status": "open",
                   "opened_at": stamp(hours=1), "events": [msg(stamp(hours=1), "in", "Grace", "web-01 is down")]}]})
    inc = incident_cases.declare(session, title="power cut", scope={"datacenter": ["SBG"]})
    assert session.store.query_one("SELECT incident_id FROM cases WHERE id = 'T-9'")[0] == inc.id
    incident_cases.unlink(session, inc.id, "T-9")
    assert session.store.query_one("SELECT incident_id FROM cases WHERE id = 'T-9'")[0] is None


def test_a_promise_naming_an_hour_means_the_customer_s_hour(session):
    # The same words, "avant 14h", to a customer in Paris and one in Tokyo, at 00:30 UTC (01:30 in Paris,
    # 09:30 in Tokyo). At 09:00 UTC Tokyo's 14:00 (05:00 UTC) is past and Paris's (13:00 UTC) is not.
    def case(case_id, customer):
        return {"id": case_id, "customer": customer, "subject": "Formulaire en erreur", "status": "open",
                "opened_at": stamp(hours=9), "events": [
                    msg(stamp(hours=9), "in", "Client", "Bonjour, le formulaire de contact renvoie une erreur."),
                    msg(stamp(hours=8.5), "out", "bob", "Bonjour, je regarde et je vous confirme avant 14h.")]}
    load(session, {"customers": [{"id": "c-paris", "name": "Atelier Paris", "timezone": "Europe/Paris"},
                                 {"id": "c-tokyo", "name": "Sakura Tokyo", "timezone": "Asia/Tokyo"}],
                   "cases": [case("T-P", "c-paris"), case("T-T", "c-tokyo")]})
    rows = {r["id"]: r for r in queue.ranked(session, now=NOW).rows}
    assert rows["T-P"]["waiting_seconds"] == 0  # the promise holds until 14:00 in Paris
    assert rows["T-T"]["waiting_seconds"] == 4 * 3600  # since 14:00 in Tokyo, 05:00 UTC
    assert rows["T-T"]["heat"] > rows["T-P"]["heat"]


def test_a_risk_named_only_in_the_subject_is_read_and_what_is_down_is_read_from_the_message(session):
    # The subject is the customer's own line ("I think I fell for a phishing email"): what it says is at risk
    # counts though the message tells the story without the word. A subject saying something is down does not
    # make it down: the message says how bad it is ("newsletter mailbox not receiving", nobody reads it).
    body = ("Hi, about an hour ago I got a mail with your logo about an unpaid invoice and did what it asked before "
            "noticing the sender address was not yours.\n\nGrace")
    calm = "Hi, the newsletter@ mailbox gets nothing today, nobody reads it anyway, no rush.\n\nGrace"
    load(session, document(grace_case("T-1", "I think I fell for a phishing email", body, 0.05),
                           grace_case("T-2", "Portal login question", body, 0.05),
                           grace_case("T-3", "Mailbox DOWN not receiving", calm, 0.05)))
    assert terms(session, "T-1")["risk"] == "said data or security is at risk: 'phishing'"
    assert "risk" not in terms(session, "T-2")
    assert "down" not in terms(session, "T-3")
