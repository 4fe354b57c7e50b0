"""Who is who, from a real Request Tracker 5: customers, people, repairs (tests/servers/rt_world.py).

The world has organisations (their people have RT's Organization set),
unrelated people on free-mail domains, and one person RT knows nothing about.
"""

from __future__ import annotations

import json
import re

import pytest

from oncall_tui.cli import main
from oncall_tui.config import load_config
from oncall_tui.connectors.catalog import load_sources
from oncall_tui.connectors.rt import RtConfig, RtConfigError
from oncall_tui.store import queries
from oncall_tui.usecases.sync import sync_once

from .conftest import open_session
from .servers.rt_world import (
    BILLING,
    CLAIRE,
    GAUTIER,
    JEAN,
    KENJI,
    KLAUS,
    LEA,
    MARIE,
    MIKE,
    PEOPLE,
    SOPHIE,
    SUPPORT,
    Person,
    customer_message,
    source_table,
    write_config,
)


def oncall(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def history(capsys, db, who) -> dict:
    code, out, err = oncall(capsys, "--db", db, "history", who, "--json")
    assert code == 0, err
    return json.loads(out)


async def sync(db, config_path, user="alice"):
    config = load_config(config_path)
    (source,) = load_sources(config, user=user)
    session = open_session(db, config=config, user=user)
    try:
        return await sync_once(session, source)
    finally:
        await source.aclose()
        session.close()


# -- 1. identity ----------------------------------------------------------------------------------------


def test_two_unrelated_people_on_gmail_are_two_customers_who_never_see_each_other(world_store, rt_world, capsys):
    sophie, mike = history(capsys, world_store, SOPHIE), history(capsys, world_store, MIKE)

    assert sophie["customer"]["id"] == f"main:{SOPHIE}" and mike["customer"]["id"] == f"main:{MIKE}"
    assert {c["subject"] for c in sophie["cases"]} == {"Mon site affiche une page blanche", "Sauvegarde"}
    assert {c["subject"] for c in mike["cases"]} == {"Email not working on my domain", "Invoice copy"}
    # Not one word of the other's tickets in either history.
    assert not any("reyes" in e["body"].lower() or e["author"] == MIKE for e in sophie["events"])
    assert not any("sophie" in e["body"].lower() or e["author"] == SOPHIE for e in mike["events"])


def test_people_of_one_organisation_are_one_customer_named_after_it_even_on_gmail(world_store, capsys):
    martin = history(capsys, world_store, MARIE)
    pixel = history(capsys, world_store, LEA)

    assert (martin["customer"]["id"], martin["customer"]["name"]) == ("main:org:boulangerie-martin",
                                                                      "Boulangerie Martin")
    assert {e["author"] for e in martin["events"] if e["direction"] == "in"} == {JEAN, MARIE}
    assert sorted(martin["customer"]["emails"]) == [JEAN, MARIE]
    # RT says Léa works for the agency: her gmail.com address does not make her a customer of her own.
    assert (pixel["customer"]["id"], pixel["customer"]["name"]) == ("main:org:agence-pixel-plume",
                                                                    "Agence Pixel & Plume")


def test_the_first_sync_brings_every_ticket_and_each_customer_once(world_store, rt_world, capsys):
    code, out, err = oncall(capsys, "--db", world_store, "customers", "list", "--json")
    customers = {c["id"]: c for c in json.loads(out)["customers"]}

    assert code == 0, err
    assert sum(c["cases"] for c in customers.values()) == len(rt_world.tickets) == 22
    assert set(customers) == {
        "main:org:boulangerie-martin", "main:org:harbour-pine-ltd", "main:org:muller-maschinenbau-gmbh",
        "main:org:agence-pixel-plume", "main:org:copperleaf-accounting", f"main:{SOPHIE}", f"main:{MIKE}",
        f"main:{'lukas.weber@gmx.de'}", f"main:{CLAIRE}", f"main:{KENJI}", f"main:{GAUTIER}"}
    events = json.loads(oncall(capsys, "--db", world_store, "export", "--format", "json")[1])
    ids = [e["id"] for case in events["cases"] for e in case["events"]]
    assert len(ids) == len(set(ids)) and {f"rt:main:txn:{t}" for k in rt_world.tickets.values()
                                          for t in k.txns} <= set(ids)


async def test_a_configured_mapping_wins_over_rt_organisation(rt_server, rt_world, shared_token, tmp_path, capsys):
    db = tmp_path / "mapped.db"
    open_session(db).close()
    assert oncall(capsys, "--db", db, "import", _customers_file(tmp_path))[0] == 0
    cfg = write_config(tmp_path / "config.toml", source_table(
        rt_server.base_url, shared_token, customer_organizations={"Harbour & Pine Ltd": "c-harbour"},
        customer_emails={"dana@copperleaf-accounting.com": "c-copper"}))

    await sync(db, cfg)
    harbour, copper = history(capsys, db, "c-harbour"), history(capsys, db, "c-copper")

    assert {c["subject"] for c in harbour["cases"]} >= {"Intermittent 502 on checkout", "Quote for extra capacity"}
    assert harbour["customer"]["name"] == "Harbour and Pine (key account)"  # the team's name, not RT's
    assert harbour["customer"]["tier"] == "critical"
    assert {c["subject"] for c in copper["cases"]} == {"Database restore request", "SSH key rotation"}


def _customers_file(tmp_path):
    path = tmp_path / "customers.json"
    path.write_text(json.dumps({"customers": [
        {"id": "c-harbour", "name": "Harbour and Pine (key account)", "tier": "critical", "language": "en"},
        {"id": "c-copper", "name": "Copperleaf", "tier": "business"}]}))
    return path


async def test_domain_grouping_happens_only_when_configured_and_never_for_free_mail(
        rt_server, rt_world, shared_token, tmp_path, capsys):
    db = tmp_path / "grouped.db"
    cfg = write_config(tmp_path / "config.toml", source_table(rt_server.base_url, shared_token,
                                                              group_by_domain=True))
    await sync(db, cfg)

    gautier = history(capsys, db, GAUTIER)
    assert (gautier["customer"]["id"], gautier["customer"]["name"]) == ("main:atelier-gautier.fr",
                                                                        "atelier-gautier.fr")
    # gmail.com, gmx.de, orange.fr, yahoo.co.jp are on the shipped free-mail list: each person stays alone.
    assert history(capsys, db, SOPHIE)["customer"]["id"] == f"main:{SOPHIE}"
    assert history(capsys, db, MIKE)["customer"]["id"] == f"main:{MIKE}"
    assert history(capsys, db, CLAIRE)["customer"]["id"] == f"main:{CLAIRE}"


async def test_the_free_mail_list_can_be_extended(rt_server, rt_world, shared_token, tmp_path, capsys):
    db = tmp_path / "extended.db"
    cfg = write_config(tmp_path / "config.toml", source_table(
        rt_server.base_url, shared_token, group_by_domain=True, more_free_mail_domains=["atelier-gautier.fr"]))
    await sync(db, cfg)

    assert history(capsys, db, GAUTIER)["customer"]["id"] == f"main:{GAUTIER}"


def test_mapping_a_free_mail_domain_to_a_customer_is_refused_with_what_to_do():
    with pytest.raises(RtConfigError) as err:
        RtConfig.from_dict({"base_url": "https://rt.example.net", "token_file": "/t", "queues": ["S"],
                            "customer_domains": {"gmail.com": "c-boul"}}, where="config.toml sources[0]")
    assert "'gmail.com' is a free-mail domain" in str(err.value) and "customer_emails" in str(err.value)


# -- 2. people from RT ------------------------------------------------------------------------------------


def test_customers_have_the_name_language_and_time_zone_rt_knows(world_store, capsys):
    seen = {who: history(capsys, world_store, who)["customer"] for who in (SOPHIE, KLAUS, KENJI, JEAN, GAUTIER)}

    assert (seen[SOPHIE]["name"], seen[SOPHIE]["language"], seen[SOPHIE]["timezone"]) == (
        "Sophie Durand", "fr", "Europe/Paris")
    assert (seen[KLAUS]["name"], seen[KLAUS]["language"], seen[KLAUS]["timezone"]) == (
        "Müller Maschinenbau GmbH", "de", "Europe/Berlin")  # de and de_DE: one language
    assert (seen[KENJI]["language"], seen[KENJI]["timezone"]) == ("en", "Asia/Tokyo")
    assert (seen[JEAN]["language"], seen[JEAN]["timezone"]) == ("fr", "Europe/Paris")  # fr_FR → fr
    # RT knows nothing about this one: named by address, the store's defaults.
    assert (seen[GAUTIER]["name"], seen[GAUTIER]["language"], seen[GAUTIER]["timezone"]) == (
        GAUTIER, "en", "UTC")


async def test_what_rt_says_about_a_person_is_refreshed_on_the_next_sync(rt_server, rt_world, queue, shared_token,
                                                                         tmp_path, store_path, capsys):
    email = f"{queue.lower()[:20]}@laposte.net"
    rt_server.person(email, "Paul Girard", "fr", "Europe/Paris")
    ticket, _ = rt_server.mail(queue, customer_message(Person(email, "Paul Girard"), "Site lent",
                                                       "Mon site est très lent.", ()))
    db, cfg = store_path, write_config(tmp_path / "config.toml",
                                                   source_table(rt_server.base_url, shared_token, queues=(queue,)))
    await sync(db, cfg)
    rt_server.person(email, "Paul Girard-Roy", "en", "America/Montreal")  # he moved to Montréal
    rt_server.mail(queue, customer_message(Person(email, "Paul Girard-Roy"), "Re: Site lent", "Hello, any news?", ()),
                   ticket=ticket)

    before = history(capsys, db, email)["customer"]
    await sync(db, cfg)
    after = history(capsys, db, email)["customer"]

    assert (before["name"], before["language"], before["timezone"]) == ("Paul Girard", "fr", "Europe/Paris")
    assert (after["name"], after["language"], after["timezone"]) == ("Paul Girard-Roy", "en", "America/Montreal")


async def test_a_sync_that_brings_nothing_new_changes_nothing(rt_server, rt_world, world_store, shared_token,
                                                              tmp_path):
    cfg = write_config(tmp_path / "config.toml", source_table(rt_server.base_url, shared_token))
    store = open_session(world_store).store
    before = store.query_one("SELECT MAX(seq) FROM changes")[0]
    store.close()

    report = await sync(world_store, cfg)

    store = open_session(world_store).store
    try:
        assert report.events_added == 0
        assert store.query_one("SELECT MAX(seq) FROM changes")[0] == before  # no screen is woken for nothing
    finally:
        store.close()


# -- 9. history by id, e-mail or name ------------------------------------------------------------------------


def test_history_accepts_an_id_an_address_a_person_or_a_customer_name(world_store, capsys):
    by = {ref: history(capsys, world_store, ref)["customer"]["id"] for ref in (
        "main:org:muller-maschinenbau-gmbh", "a.schmidt@mueller-maschinenbau.de", "Klaus Müller",
        "Müller Maschinenbau GmbH", "maschinenbau")}
    assert set(by.values()) == {"main:org:muller-maschinenbau-gmbh"}


def test_a_name_several_customers_answer_to_lists_them_and_shows_no_history(world_store, capsys):
    code, out, err = oncall(capsys, "--db", world_store, "history", "ma")

    assert code == 2 and out == ""
    assert "main:org:boulangerie-martin Boulangerie Martin" in err
    assert "main:org:muller-maschinenbau-gmbh Müller Maschinenbau GmbH" in err and "give the id" in err


# -- 1. repairs: merge and split, kept by later syncs ---------------------------------------------------------


async def test_merging_keeps_every_event_logs_it_and_lasts_after_the_next_sync(
        rt_server, rt_world, world_store, shared_token, queue, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ONCALL_USER", "alice")
    store = open_session(world_store).store
    events_before = store.query_one("SELECT COUNT(*) FROM events")[0]
    claire_events = store.query_one("SELECT COUNT(*) FROM events WHERE customer_id = ?", (f"main:{CLAIRE}",))[0]
    store.close()

    code, out, err = oncall(capsys, "--db", world_store, "--readonly", "customers", "merge", JEAN, CLAIRE)
    assert code == 2 and "read-only" in err
    code, out, err = oncall(capsys, "--db", world_store, "customers", "merge", "Boulangerie Martin", CLAIRE)
    assert code == 0, err
    assert out.strip() == (f"merged main:{CLAIRE} into main:org:boulangerie-martin: 1 case(s), "
                           f"{claire_events} event(s) moved")

    merged = history(capsys, world_store, f"main:{CLAIRE}")  # the old id leads to the customer it joined
    assert merged["customer"]["id"] == "main:org:boulangerie-martin"
    assert "Mémoire pleine" in {c["subject"] for c in merged["cases"]}
    log = [e for e in merged["events"] if e["kind"] == "fact" and e["meta"].get("identity") == "merge"]
    assert len(log) == 1 and log[0]["author"] == "alice" and f"main:{CLAIRE}" in log[0]["body"]
    assert CLAIRE in merged["customer"]["emails"]

    # Claire writes again: the next sync files it under the merged customer, and does not make her again.
    ticket, _ = rt_server.mail(queue, customer_message(PEOPLE[CLAIRE], "Facture", "Je voudrais ma facture.", ()))
    await sync(world_store, write_config(tmp_path / "config.toml", source_table(
        rt_server.base_url, shared_token, queues=(SUPPORT, BILLING, queue))))
    store = open_session(world_store).store
    try:
        assert store.query_one("SELECT COUNT(*) FROM customers WHERE id = ?", (f"main:{CLAIRE}",))[0] == 0
        assert queries.get_case(store, f"RT-{ticket}")["customer_id"] == "main:org:boulangerie-martin"
        assert store.query_one("SELECT COUNT(*) FROM events")[0] == events_before + 2  # the log, the new mail
    finally:
        store.close()


async def test_splitting_a_person_off_a_domain_customer_lasts_after_the_next_sync(
        rt_server, rt_world, shared_token, tmp_path, store_path, capsys):
    # An old setup grouped everyone by domain, gmail.com included: one "customer" for strangers.
    db = store_path
    legacy = write_config(tmp_path / "legacy.toml", source_table(rt_server.base_url, shared_token,
                                                                 group_by_domain=True, free_mail_domains=[]))
    await sync(db, legacy)
    assert history(capsys, db, "main:gmail.com")["customer"]["emails"] == [MIKE, SOPHIE]

    code, out, err = oncall(capsys, "--db", db, "customers", "split", "main:gmail.com", MIKE)

    assert code == 0, err
    assert re.fullmatch(rf"split {MIKE} off main:gmail\.com into main:{MIKE} \(new customer\): 2 case\(s\), "
                        r"\d+ event\(s\) moved", out.strip())
    mike, rest = history(capsys, db, MIKE), history(capsys, db, "main:gmail.com")
    assert (mike["customer"]["name"], mike["customer"]["language"], mike["customer"]["timezone"]) == (
        "Mike Reyes", "en", "America/Los_Angeles")
    assert {c["subject"] for c in mike["cases"]} == {"Email not working on my domain", "Invoice copy"}
    assert MIKE not in rest["customer"]["emails"] and not any(e["author"] == MIKE for e in rest["events"])
    assert any(e["meta"].get("identity") == "split" for e in rest["events"] if e["kind"] == "fact")

    store = open_session(db).store
    store.conn.execute("DELETE FROM sync_cursors")  # pull everything again, as after a reinstall
    store.close()
    await sync(db, legacy)
    assert {c["subject"] for c in history(capsys, db, MIKE)["cases"]} == {"Email not working on my domain",
                                                                          "Invoice copy"}


def test_a_split_naming_no_case_of_that_person_changes_nothing(world_store, capsys):
    code, out, err = oncall(capsys, "--db", world_store, "customers", "split", "main:org:boulangerie-martin", MIKE)
    assert code == 2 and "has no case opened by mike.reyes@gmail.com; nothing changed" in err


def test_the_synced_world_moves_to_postgresql_and_exports_the_same_bytes(world_db, pg_url, tmp_path, capsys):
    # People, files and identity repairs travel with the history: `oncall migrate` loses none of them.
    import shutil

    copy = tmp_path / "world.db"
    shutil.copy(world_db, copy)
    code, _, err = oncall(capsys, "--db", copy, "customers", "merge", "Boulangerie Martin", CLAIRE)
    assert code == 0, err
    assert oncall(capsys, "migrate", "--from", copy, "--to", pg_url)[0] == 0
    before = oncall(capsys, "--db", copy, "export", "--format", "json")
    after = oncall(capsys, "--db", pg_url, "export", "--format", "json")
    assert before[0] == after[0] == 0 and before[1] == after[1]
    assert '"attachments"' in after[1]
