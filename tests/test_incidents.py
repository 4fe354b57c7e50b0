"""Incidents: when a datacenter goes dark, every affected customer is linked, told early and often.

The story: power is lost in SBG at 21:40Z. Customers hosted there (directly, or
through a domain on a server there) are affected; customers in BHS are not. Of
an affected customer's open cases, those about the outage are linked (they
name something in SBG, or report a site down); a billing question is not, and
its customer gets a case of their own for the incident.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from oncall_tui.cli import main
from oncall_tui.core import incident_text as words
from oncall_tui.core.errors import Refused as WriteRefused
from oncall_tui.core.export_doc import to_document
from oncall_tui.store import incident_queries, incidents
from oncall_tui.store.export import build_export
from oncall_tui.store.importer import import_document

from .conftest import open_store
from .models import WEIGHTS

UTC = timezone.utc
BEFORE = datetime(2026, 11, 23, 21, 50, tzinfo=UTC)
DECLARED = datetime(2026, 11, 23, 22, 10, tzinfo=UTC)
FLOOR = WEIGHTS.incident_floor
TITLE, TITLE_FR = "power outage in SBG", "coupure électrique à SBG"
SBG = {"datacenter": ["SBG"]}


def _msg(at, direction, author, body):
    return {"at": at, "kind": "message", "direction": direction, "author": author, "body": body, "channel": "email"}


OUTAGE_DOC = {
    "engineers": [{"name": "alice", "region": "EMEA", "city": "Paris", "timezone": "Europe/Paris"},
                  {"name": "kenji", "region": "APAC", "city": "Tokyo", "timezone": "Asia/Tokyo"}],
    "customers": [
        {"id": "c-boul", "name": "Boulangerie Martin", "language": "fr", "tier": "standard",
         "assets": [{"kind": "server", "name": "web-01", "datacenter": "SBG"},
                    {"kind": "domain", "name": "boutique-martin.fr", "server": "web-01"}]},
        {"id": "c-jard", "name": "Jardins de Sophie", "language": "fr", "tier": "business",
         "assets": [{"kind": "server", "name": "jardins-01", "datacenter": "SBG"}]},
        {"id": "c-kest", "name": "Kestrel Analytics", "language": "en", "tier": "critical",
         "assets": [{"kind": "server", "name": "kestrel-api-01", "datacenter": "SBG"},
                    {"kind": "server", "name": "kestrel-db-01", "datacenter": "GRA"}]},
        {"id": "c-agency", "name": "Pixel Agency", "language": "en", "tier": "standard",
         "assets": [{"kind": "server", "name": "shared-01", "datacenter": "SBG"}]},
        # No server of their own: their site lives on the agency's server in SBG.
        {"id": "c-client", "name": "Érablière Tremblay", "language": "fr-CA", "tier": "standard",
         "assets": [{"kind": "domain", "name": "erabliere.ca", "server": "shared-01"}]},
        {"id": "c-acme", "name": "Acme Widgets", "language": "en", "tier": "critical",
         "assets": [{"kind": "server", "name": "app-01", "datacenter": "BHS"}]},
        {"id": "c-calm", "name": "Calm Studio", "language": "en", "tier": "standard"},
    ],
    "cases": [
        {"id": "T-100", "customer": "c-boul", "subject": "Site inaccessible", "status": "open",
         "opened_at": "2026-11-23T21:45:00Z", "external_ref": "rt:4100",
         "events": [_msg("2026-11-23T21:45:00Z", "in", "jean", "Bonjour, notre boutique ne répond plus.")]},
        {"id": "T-050", "customer": "c-boul", "subject": "Old backup question", "status": "resolved",
         "opened_at": "2026-11-01T09:00:00Z",
         "events": [_msg("2026-11-01T09:00:00Z", "in", "jean", "Où sont les sauvegardes ?")]},
        {"id": "T-200", "customer": "c-kest", "subject": "API timeouts", "status": "open",
         "opened_at": "2026-11-23T21:48:00Z",
         "events": [_msg("2026-11-23T21:48:00Z", "in", "aoife", "Our API times out. Outage in SBG?")]},
        {"id": "T-400", "customer": "c-client", "subject": "Question facture", "status": "pending",
         "opened_at": "2026-11-20T10:00:00Z",
         "events": [_msg("2026-11-20T10:00:00Z", "in", "luc", "Pouvez-vous renvoyer la facture ?"),
                    _msg("2026-11-20T11:00:00Z", "out", "alice", "Laquelle ?")]},
        {"id": "T-300", "customer": "c-acme", "subject": "Slow admin", "status": "open",
         "opened_at": "2026-11-23T20:00:00Z",
         "events": [_msg("2026-11-23T20:00:00Z", "in", "ann", "The admin is slow today.")]},
        {"id": "T-500", "customer": "c-calm", "subject": "Invoice", "status": "open",
         "opened_at": "2026-11-23T19:00:00Z",
         "events": [_msg("2026-11-23T19:00:00Z", "in", "zoe", "Please resend the invoice.")]},
    ],
}
AFFECTED = {"c-boul", "c-jard", "c-kest", "c-agency", "c-client"}


@pytest.fixture
def outage(store_path):
    s = open_store(store_path)
    import_document(s, json.loads(json.dumps(OUTAGE_DOC)), now=BEFORE)
    yield s
    s.close()


def declare(store, now=DECLARED, **kw):
    args = {"title": TITLE, "title_fr": TITLE_FR, "scope": SBG, "author": "alice", "region": "EMEA", "now": now}
    return incidents.declare(store, **{**args, **kw})


def send(store, inc_id, now=DECLARED + timedelta(minutes=5), **kw):
    args = {"fr": "Panne électrique à SBG, nous vous tenons informés.",
            "en": "Power outage in SBG, we will keep you posted.", "author": "alice", "region": "EMEA", "now": now}
    return incidents.broadcast(store, inc_id, **{**args, **kw})


def case(store, case_id):
    return store.query_one("SELECT * FROM cases WHERE id = ?", (case_id,))


def messages_out(store, case_id):
    return store.query("SELECT * FROM events WHERE case_id = ? AND kind = 'message' AND direction = 'out' "
                       "ORDER BY seq", (case_id,))


def counts(store):
    return tuple(store.query_one(f"SELECT COUNT(*) FROM {t}")[0] for t in ("incidents", "cases", "events", "outbox"))


# -- declare ------------------------------------------------------------------

def test_declaring_an_outage_links_the_customers_hosted_there_and_only_them(outage):
    inc = declare(outage)
    assert inc.id == "INC-20261123-01" and inc.status == "investigating"
    linked = outage.query("SELECT id, customer_id FROM cases WHERE incident_id = ?", (inc.id,))
    assert {r["customer_id"] for r in linked} == AFFECTED
    assert {"T-100", "T-200"} <= {r["id"] for r in linked}
    # resolved case; customers in BHS / with no asset; an affected customer's billing question
    for untouched in ("T-050", "T-300", "T-500", "T-400"):
        assert case(outage, untouched)["incident_id"] is None
    assert (inc.customers, inc.cases) == (5, 5)


def test_customers_without_an_open_case_about_it_get_a_new_case_in_their_language(outage):
    inc = declare(outage)
    # c-client's only open case is a billing question: they get a case for the incident too.
    assert set(inc.opened_cases) == {f"{inc.id}-c-jard", f"{inc.id}-c-agency", f"{inc.id}-c-client"}
    fr, en = case(outage, f"{inc.id}-c-jard"), case(outage, f"{inc.id}-c-agency")
    assert fr["subject"] == "Incident : coupure électrique à SBG" and fr["status"] == "new"
    assert en["subject"] == "Incident: power outage in SBG" and en["status"] == "new"
    events = outage.query("SELECT kind, body FROM events WHERE case_id = ?", (fr["id"],))
    assert [e["kind"] for e in events] == ["incident"] and inc.id in events[0]["body"]


def test_declare_records_the_incident_in_its_timeline_and_in_every_linked_case(outage):
    inc = declare(outage)
    timeline = incident_queries.get(outage, inc.id).timeline
    assert [e["kind"] for e in timeline] == ["incident"]
    assert "5 customer(s) affected" in timeline[0]["body"]
    row = outage.query_one("SELECT case_id, customer_id, incident_id FROM events WHERE id = ?", (timeline[0]["id"],))
    assert tuple(row) == (None, None, inc.id)  # filed under the incident only, so exports round-trip
    for r in outage.query("SELECT id FROM cases WHERE incident_id = ?", (inc.id,)):
        kinds = [e["kind"] for e in outage.query("SELECT kind FROM events WHERE case_id = ?", (r["id"],))]
        assert kinds.count("incident") == 1


def test_incident_ids_count_per_day(outage):
    first = declare(outage)
    second = declare(outage, title="network loss on web-01", scope={"servers": ["web-01"]})
    third = declare(outage, title="mail delays", scope={"customers": ["c-calm"]}, now=DECLARED + timedelta(days=1))
    assert (first.id, second.id, third.id) == ("INC-20261123-01", "INC-20261123-02", "INC-20261124-01")


def test_a_case_on_another_open_incident_stays_there_and_the_customer_gets_a_case_for_this_one(outage):
    first = declare(outage, title="network loss on web-01", scope={"servers": ["web-01"]})
    second = declare(outage)
    assert case(outage, "T-100")["incident_id"] == first.id
    assert f"{second.id}-c-boul" in second.opened_cases


def test_unknown_datacenter_is_refused_and_nothing_is_written(outage):
    before = counts(outage)
    with pytest.raises(WriteRefused) as err:
        declare(outage, scope={"datacenter": ["SBG", "XYZ"]})
    assert "datacenter 'XYZ'" in str(err.value) and "BHS, GRA, SBG" in str(err.value)
    assert counts(outage) == before


@pytest.mark.parametrize("scope, expected", [
    ({"servers": ["web-99"]}, "server 'web-99'"),
    ({"customers": ["c-nobody"]}, "customer 'c-nobody'"),
    ({"region": ["EU"]}, "scope.region: unknown key"),
    ({}, "scope: expected at least one"),
])
def test_bad_scopes_are_refused_naming_what_is_wrong(outage, scope, expected):
    before = counts(outage)
    with pytest.raises(WriteRefused, match=expected.replace(".", r"\.")):
        declare(outage, scope=scope)
    assert counts(outage) == before


def test_declaring_the_same_incident_twice_is_refused(outage):
    inc = declare(outage)
    with pytest.raises(WriteRefused, match=f"{inc.id}.*already open"):
        declare(outage, now=DECLARED + timedelta(minutes=1))


# -- broadcast ----------------------------------------------------------------

def test_a_broadcast_writes_one_message_per_linked_case_in_the_customers_language(outage):
    inc = declare(outage)
    res = send(outage, inc.id)
    linked = outage.query("SELECT c.id, cu.language FROM cases c JOIN customers cu ON cu.id = c.customer_id "
                          "WHERE c.incident_id = ?", (inc.id,))
    assert set(res.written) == {r["id"] for r in linked}
    for r in linked:
        out = messages_out(outage, r["id"])
        new = [m for m in out if json.loads(m["meta"]).get("broadcast") == res.broadcast_id]
        assert len(new) == 1 and new[0]["channel"] == "email"
        expected = "Panne électrique" if r["language"].startswith("fr") else "Power outage in SBG"
        assert new[0]["body"].startswith(expected), r["id"]
    detail = incident_queries.get(outage, inc.id)
    assert [e["kind"] for e in detail.timeline] == ["incident", "message"]
    assert detail.incident.last_update_at == "2026-11-23T22:15:00Z"
    assert all(a.told for a in detail.affected)


def test_a_retried_broadcast_writes_nothing_new(outage):
    inc = declare(outage)
    first = send(outage, inc.id, outbox_source="rt-main")
    before = counts(outage)
    again = send(outage, inc.id, outbox_source="rt-main", now=DECLARED + timedelta(minutes=9))
    assert counts(outage) == before
    assert again.already_sent and again.written == () and set(again.skipped) == set(first.written)
    assert incident_queries.get(outage, inc.id).incident.last_update_at == "2026-11-23T22:15:00Z"


def test_a_retry_with_the_callers_broadcast_id_sends_nothing_twice_even_if_the_text_was_edited(outage):
    inc = declare(outage)
    send(outage, inc.id, broadcast_id="u1")
    before = counts(outage)
    send(outage, inc.id, broadcast_id="u1", en="Power outage in SBG (typo fixed).")
    assert counts(outage) == before


def test_an_empty_version_is_drafted_from_the_template(outage):
    inc = declare(outage)
    res = send(outage, inc.id, fr="", status="identified")
    assert res.drafted == ("fr",)
    body = messages_out(outage, "T-100")[-1]["body"]
    assert "coupure électrique à SBG" in body and "La cause est identifiée" in body
    assert messages_out(outage, "T-200")[-1]["body"] == "Power outage in SBG, we will keep you posted."
    assert incident_queries.get(outage, inc.id).incident.status == "identified"


def test_an_update_with_no_text_at_all_is_drafted_from_the_template_in_both_languages(outage):
    # The update form says "leave empty: drafted from the template": empty means drafted, never refused.
    inc = declare(outage)
    res = send(outage, inc.id, fr=" ", en="")
    assert res.drafted == ("fr", "en") and res.written
    assert "power outage in SBG. We are investigating" in messages_out(outage, "T-200")[-1]["body"]


def test_updates_reach_the_helpdesk_outbox_for_cases_that_came_from_it(outage):
    inc = declare(outage)
    res = send(outage, inc.id)
    rows = outage.query("SELECT case_id, source, action, payload FROM outbox")
    assert [(r["case_id"], r["source"], r["action"]) for r in rows] == [("T-100", "rt", "correspond")]
    assert json.loads(rows[0]["payload"])["text"].startswith("Panne électrique")
    assert res.queued == 1


def test_with_an_outbox_source_every_linked_case_is_queued_once(outage):
    inc = declare(outage)
    send(outage, inc.id, outbox_source="rt-main")
    send(outage, inc.id, outbox_source="rt-main")  # retry
    rows = outage.query("SELECT case_id, action FROM outbox WHERE source = 'rt-main'")
    assert len(rows) == 5
    assert {r["action"] for r in rows if r["case_id"].startswith(inc.id)} == {"create"}


def test_a_case_linked_later_is_not_told_until_the_update_reaches_it(outage):
    inc = declare(outage)
    first = send(outage, inc.id, broadcast_id="u1")
    incidents.link(outage, inc.id, "T-500", author="kenji", region="APAC", now=DECLARED + timedelta(minutes=20))
    calm = next(a for a in incident_queries.get(outage, inc.id).affected if a.id == "c-calm")
    assert not calm.told
    again = send(outage, inc.id, broadcast_id="u1", now=DECLARED + timedelta(minutes=21))
    assert again.written == ("T-500",) and set(again.skipped) == set(first.written)
    assert all(a.told for a in incident_queries.get(outage, inc.id).affected)


def test_linking_a_case_twice_or_to_an_unknown_incident_is_refused(outage):
    inc = declare(outage)
    with pytest.raises(WriteRefused, match="already linked"):
        incidents.link(outage, inc.id, "T-100", author="alice", region="EMEA", now=DECLARED)
    with pytest.raises(WriteRefused, match="no incident 'INC-1'"):
        incidents.link(outage, "INC-1", "T-500", author="alice", region="EMEA", now=DECLARED)


# -- heat -----------------------------------------------------------------------

def test_linked_cases_get_the_heat_floor_and_resolving_removes_it(outage):
    unaffected = case(outage, "T-300")["heat"]  # Acme's slow admin, not in SBG
    inc = declare(outage, now=BEFORE)  # declared at the import's clock: only the incident changes a heat
    for case_id in ("T-100", "T-200", f"{inc.id}-c-jard", f"{inc.id}-c-client"):
        assert case(outage, case_id)["heat"] >= FLOOR, case_id
    assert case(outage, "T-300")["heat"] == unaffected
    assert case(outage, "T-400")["heat"] < FLOOR  # the billing question, pending on the customer: cool
    incidents.resolve(outage, inc.id, author="alice", region="EMEA", now=DECLARED + timedelta(hours=4))
    assert case(outage, f"{inc.id}-c-client")["heat"] < FLOOR
    assert case(outage, f"{inc.id}-c-jard")["heat"] < FLOOR


# -- resolve --------------------------------------------------------------------

def test_resolving_sends_a_closing_update_records_the_notes_and_closes(outage):
    inc = declare(outage)
    resolved_at = DECLARED + timedelta(hours=4)
    res = incidents.resolve(outage, inc.id, closing_en="Power is back in SBG.", notes="Cause: UPS failure.",
                            author="alice", region="EMEA", now=resolved_at)
    assert res.drafted == ("fr",) and len(res.written) == 5
    assert "L'incident est résolu" in messages_out(outage, "T-100")[-1]["body"]
    assert messages_out(outage, "T-200")[-1]["body"] == "Power is back in SBG."
    detail = incident_queries.get(outage, inc.id)
    assert (detail.incident.status, detail.incident.resolved_at) == ("resolved", "2026-11-24T02:10:00Z")
    assert [e["kind"] for e in detail.timeline] == ["incident", "status", "message", "note"]
    assert detail.timeline[-1]["body"] == "Cause: UPS failure."
    assert incident_queries.list_incidents(outage) == []
    assert [i.id for i in incident_queries.list_incidents(outage, include_resolved=True)] == [inc.id]


def test_resolving_twice_sends_nothing_the_second_time(outage):
    inc = declare(outage)
    incidents.resolve(outage, inc.id, author="alice", region="EMEA", now=DECLARED + timedelta(hours=1))
    before = counts(outage)
    with pytest.raises(WriteRefused, match="already resolved"):
        incidents.resolve(outage, inc.id, author="alice", region="EMEA", now=DECLARED + timedelta(hours=2))
    assert counts(outage) == before


def test_reopening_gives_the_floor_back(outage):
    inc = declare(outage)
    incidents.resolve(outage, inc.id, author="alice", region="EMEA", now=DECLARED + timedelta(hours=1))
    incidents.set_status(outage, inc.id, "investigating", author="alice", now=DECLARED + timedelta(hours=2))
    assert case(outage, f"{inc.id}-c-client")["heat"] >= FLOOR
    assert incident_queries.get(outage, inc.id).incident.resolved_at is None


def test_set_status_refuses_resolved_and_unknown_statuses(outage):
    inc = declare(outage)
    with pytest.raises(WriteRefused, match="closing update"):
        incidents.set_status(outage, inc.id, "resolved", author="alice", now=DECLARED)
    with pytest.raises(WriteRefused, match="'fixed' is not one of"):
        incidents.set_status(outage, inc.id, "fixed", author="alice", now=DECLARED)


# -- banner -------------------------------------------------------------------------

def test_the_banner_turns_overdue_when_customers_wait_longer_than_the_interval(outage):
    inc = declare(outage)
    early = incident_queries.open_banner(outage, DECLARED + timedelta(minutes=10), 30)[0]
    assert (early.incident_id, early.last_update, early.overdue) == (inc.id, "no update sent yet", False)
    assert incident_queries.open_banner(outage, DECLARED + timedelta(minutes=31), 30)[0].overdue
    send(outage, inc.id, now=DECLARED + timedelta(minutes=40))
    fresh = incident_queries.open_banner(outage, DECLARED + timedelta(minutes=50), 30)[0]
    assert (fresh.last_update, fresh.overdue) == ("last update 10 min ago", False)
    stale = incident_queries.open_banner(outage, DECLARED + timedelta(minutes=87), 30)[0]
    assert (stale.last_update, stale.overdue, stale.elapsed) == ("last update 47 min ago", True, "1 h 27 min")
    assert "5 customers" in stale.text() and "update overdue" in stale.text()


def test_resolved_incidents_leave_the_banner(outage):
    inc = declare(outage)
    incidents.resolve(outage, inc.id, author="alice", region="EMEA", now=DECLARED + timedelta(hours=1))
    assert incident_queries.open_banner(outage, DECLARED + timedelta(hours=2), 30) == []


# -- pure wording ---------------------------------------------------------------------

def test_french_speakers_include_regional_variants():
    assert words.is_french("fr") and words.is_french("fr-CA") and words.is_french("FR_be")
    assert not words.is_french("en") and not words.is_french("frisian")


def test_drafts_name_the_status_in_each_language():
    en = words.draft_update("en", title=TITLE, status="monitoring", next_update_minutes=30)
    fr = words.draft_update("fr", title=TITLE, title_fr=TITLE_FR, status="monitoring", next_update_minutes=30)
    assert en == ("Ongoing incident: power outage in SBG. A fix is in place and services are coming back; "
                  "we are monitoring closely. Next update within 30 minutes.")
    assert fr.startswith("Incident en cours : coupure électrique à SBG. Un correctif est en place")
    assert fr.endswith("d'ici 30 minutes.")
    with pytest.raises(ValueError, match="status"):
        words.draft_update("en", title=TITLE, status="done")


# -- export round trip -------------------------------------------------------------------

def test_an_exported_incident_imports_back_with_its_timeline(outage, tmp_path):
    inc = declare(outage)
    send(outage, inc.id)
    incidents.resolve(outage, inc.id, notes="Cause: UPS failure.", author="alice", region="EMEA",
                      now=DECLARED + timedelta(hours=1))
    doc = to_document(build_export(outage))
    copy = open_store(tmp_path / "copy.db")
    try:
        import_document(copy, doc, now=DECLARED + timedelta(hours=2))
        original, restored = incident_queries.get(outage, inc.id), incident_queries.get(copy, inc.id)
        assert [e["id"] for e in restored.timeline] == [e["id"] for e in original.timeline]
        assert restored.affected == original.affected and restored.latest_broadcast == original.latest_broadcast
    finally:
        copy.close()


# -- command line -------------------------------------------------------------------------

def run(capsys, db, *argv):
    code = main(["--db", str(db), *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_open_update_resolve_list_show(outage, capsys, monkeypatch):
    monkeypatch.setenv("ONCALL_USER", "kenji")
    db = outage.target
    code, out, err = run(capsys, db, "incident", "open", "--title", TITLE, "--title-fr", TITLE_FR,
                         "--scope", "datacenter=SBG", "--now", "2026-11-23T22:10:00Z", "--json")
    assert code == 0, err
    opened = json.loads(out)
    inc_id = opened["id"]
    assert (inc_id, opened["customers"], opened["opened_by"]) == ("INC-20261123-01", 5, "kenji")

    code, out, _ = run(capsys, db, "incident", "update", inc_id, "--fr", "Panne en cours.", "--en", "Outage ongoing.",
                       "--status", "identified", "--now", "2026-11-23T22:20:00Z", "--json")
    sent = json.loads(out)
    assert code == 0 and len(sent["written"]) == 5 and not sent["already_sent"]
    code, out, _ = run(capsys, db, "incident", "update", inc_id, "--fr", "Panne en cours.", "--en", "Outage ongoing.",
                       "--status", "identified", "--now", "2026-11-23T22:21:00Z")
    assert code == 0 and "nothing sent again" in out

    code, out, _ = run(capsys, db, "incident", "list", "--json")
    assert [(i["id"], i["status"]) for i in json.loads(out)] == [(inc_id, "identified")]
    code, out, _ = run(capsys, db, "incident", "list", "--now", "2026-11-23T23:07:00Z")
    assert "last update 47 min ago — update overdue" in out

    code, out, _ = run(capsys, db, "incident", "resolve", inc_id, "--en", "Power restored.", "--notes", "UPS failure",
                       "--now", "2026-11-24T02:10:00Z")
    assert code == 0 and "written to 5 case(s)" in out and "fr drafted from the template" in out

    code, out, _ = run(capsys, db, "incident", "show", inc_id, "--json")
    shown = json.loads(out)
    assert shown["status"] == "resolved" and {a["id"] for a in shown["affected"]} == AFFECTED
    assert all(a["told"] for a in shown["affected"])
    assert [e["kind"] for e in shown["timeline"]] == ["incident", "status", "message", "status", "message", "note"]
    code, out, _ = run(capsys, db, "incident", "show", inc_id)
    assert "5 customer(s), 5 told the latest update" in out and "UPS failure" in out


def test_cli_errors_name_the_incident_or_scope(outage, capsys):
    db = outage.target
    before = counts(outage)
    code, _, err = run(capsys, db, "incident", "open", "--title", "Outage", "--scope", "datacenter=XYZ")
    assert code == 2 and "datacenter 'XYZ'" in err and "nothing was written" in err
    code, _, err = run(capsys, db, "incident", "open", "--title", "Outage", "--scope", "rack=12")
    assert code == 2 and "scope: 'rack=12'" in err
    code, _, err = run(capsys, db, "incident", "update", "INC-20991231-01", "--en", "hello")
    assert code == 2 and "no incident 'INC-20991231-01'" in err
    code, _, err = run(capsys, db, "incident", "show", "INC-20991231-01")
    assert code == 2 and "no incident 'INC-20991231-01'" in err
    assert counts(outage) == before


def test_a_customer_with_several_tickets_is_mailed_each_update_once(outage):
    second = {"customers": [], "cases": [
        {"id": "T-101", "customer": "c-boul", "subject": "Emails bouncing", "status": "open",
         "opened_at": "2026-11-23T21:50:00Z", "external_ref": "rt:4101",
         "events": [_msg("2026-11-23T21:50:00Z", "in", "jean",
                         "Nos mails de boutique-martin.fr reviennent en erreur.")]}]}
    import_document(outage, second, now=BEFORE)
    inc = declare(outage)  # both cases name something hosted in SBG
    assert case(outage, "T-101")["incident_id"] == inc.id
    send(outage, inc.id)
    rows = {r["case_id"]: r for r in outage.query("SELECT case_id, action, payload FROM outbox")}
    assert (rows["T-100"]["action"], rows["T-101"]["action"]) == ("correspond", "comment")
    assert json.loads(rows["T-100"]["payload"])["text"].startswith("Panne électrique")
    assert json.loads(rows["T-101"]["payload"])["text"].startswith("Incident update mailed to the customer with T-100")
    # Both histories show the update, and the customer counts as told on both.
    assert messages_out(outage, "T-100") and messages_out(outage, "T-101")
    detail = incident_queries.get(outage, inc.id)
    boul = next(a for a in detail.affected if a.id == "c-boul")
    assert boul.cases == ("T-100", "T-101") and boul.told


# -- which cases an incident links ----------------------------------------------------------------

def link_event(store, case_id):
    return store.query_one("SELECT body, meta FROM events WHERE case_id = ? AND kind = 'incident' "
                           "ORDER BY seq DESC LIMIT 1", (case_id,))


def test_a_case_naming_the_datacenter_is_linked_and_says_why(outage):
    inc = declare(outage)
    event = link_event(outage, "T-200")  # "Our API times out. Outage in SBG?"
    assert case(outage, "T-200")["incident_id"] == inc.id
    assert json.loads(event["meta"])["why"] == "names SBG" and "(names SBG)" in event["body"]


def test_a_site_down_report_of_an_affected_customer_is_linked(outage):
    inc = declare(outage)
    assert case(outage, "T-100")["incident_id"] == inc.id  # "notre boutique ne répond plus"
    assert json.loads(link_event(outage, "T-100")["meta"])["why"] == "reports a site or service down"


def test_a_slowness_report_of_an_affected_customer_is_linked(outage):
    doc = {"customers": [], "cases": [
        {"id": "T-650", "customer": "c-client", "subject": "Prise de RDV", "status": "open",
         "opened_at": "2026-11-23T21:55:00Z",
         "events": [_msg("2026-11-23T21:55:00Z", "in", "luc",
                         "La prise de rendez-vous en ligne rame énormément depuis ce soir.")]}]}
    import_document(outage, doc, now=BEFORE)
    inc = declare(outage)
    assert case(outage, "T-650")["incident_id"] == inc.id
    assert json.loads(link_event(outage, "T-650")["meta"])["why"] == "reports a site or service slow"
    assert case(outage, "T-400")["incident_id"] is None  # the same customer's billing question


def test_a_case_naming_a_domain_on_a_server_in_scope_is_linked(outage):
    doc = {"customers": [], "cases": [
        {"id": "T-600", "customer": "c-client", "subject": "Question", "status": "open",
         "opened_at": "2026-11-23T21:55:00Z",
         "events": [_msg("2026-11-23T21:55:00Z", "in", "luc", "Le formulaire de erabliere.ca ne part plus.")]}]}
    import_document(outage, doc, now=BEFORE)
    inc = declare(outage, scope={"servers": ["shared-01"]}, title="disk failure on shared-01")
    assert case(outage, "T-600")["incident_id"] == inc.id
    assert json.loads(link_event(outage, "T-600")["meta"])["why"] == "names erabliere.ca"
    assert case(outage, "T-400")["incident_id"] is None  # the same customer's billing question


def test_quoted_text_does_not_link_a_case(outage):
    doc = {"customers": [], "cases": [
        {"id": "T-700", "customer": "c-kest", "subject": "Invoice address", "status": "open",
         "opened_at": "2026-11-23T21:55:00Z",
         "events": [_msg("2026-11-23T21:55:00Z", "in", "aoife",
                         "Please use our new invoice address.\n\nOn Mon, 23 Nov 2026, Support wrote:\n"
                         "> kestrel-api-01 is down for maintenance tonight")]}]}
    import_document(outage, doc, now=BEFORE)
    declare(outage)
    assert case(outage, "T-700")["incident_id"] is None


def test_an_engineer_can_unlink_a_case_and_it_is_recorded(outage):
    inc = declare(outage)
    before = case(outage, "T-200")["heat"]
    eid = incidents.unlink(outage, inc.id, "T-200", author="kenji", region="APAC", now=DECLARED + timedelta(minutes=3))
    assert case(outage, "T-200")["incident_id"] is None
    assert case(outage, "T-200")["heat"] < before  # the incident lift is gone
    row = outage.query_one("SELECT kind, body, meta FROM events WHERE id = ?", (eid,))
    assert row["kind"] == "incident" and row["body"].startswith(f"Unlinked from incident {inc.id}")
    assert json.loads(row["meta"])["unlinked"] is True
    timeline = incident_queries.get(outage, inc.id).timeline
    assert timeline[-1]["body"] == "Case T-200 (c-kest) unlinked"
    res = send(outage, inc.id)
    assert "T-200" not in res.written  # no more updates


def test_unlinking_a_case_not_on_the_incident_is_refused_and_writes_nothing(outage):
    inc = declare(outage)
    before = counts(outage)
    with pytest.raises(WriteRefused, match="T-300 is linked to no incident"):
        incidents.unlink(outage, inc.id, "T-300", author="kenji", region="APAC", now=DECLARED)
    with pytest.raises(WriteRefused, match="no case 'T-999'"):
        incidents.unlink(outage, inc.id, "T-999", author="kenji", region="APAC", now=DECLARED)
    assert counts(outage) == before


def test_a_broadcast_is_in_the_history_but_is_not_an_answer(outage):
    inc = declare(outage)
    waiting = case(outage, "T-100")["waiting_since"]
    assert waiting == "2026-11-23T21:45:00Z"
    send(outage, inc.id)
    assert messages_out(outage, "T-100")[-1]["body"].startswith("Panne électrique")
    assert case(outage, "T-100")["waiting_since"] == waiting
    assert case(outage, "T-100")["exchanges"] == 1
