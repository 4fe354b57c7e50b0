"""The demo data set (fixtures/demo.json): valid, consistent, and telling the stories the demo relies on."""

from __future__ import annotations

import difflib
import importlib.util
import ipaddress
import json
import re
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from oncall_tui.core.model import CHANNELS, DIRECTIONS, STATUSES, TIERS
from oncall_tui.core.text import fold, phrase_pattern
from oncall_tui.core.timeutil import parse_ts
from oncall_tui.store.importer import import_document, load_json_file
from oncall_tui.store.interchange import validate

from .conftest import open_store

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "fixtures" / "demo.json"
GENERATOR = ROOT / "fixtures" / "make_demo.py"

NEWEST = "2026-11-24T09:00:00Z"
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
CONVERSATION = {"message", "call", "chat"}
KIND_CHANNEL = {"message": "email", "call": "phone", "chat": "chat", "note": "note"}

# The brief's interchange format: keys each record may carry.
CUSTOMER_KEYS = {"id", "name", "language", "timezone", "tier", "owner", "assets"}
ASSET_KEYS = {"kind", "name", "ipv4", "ipv6", "datacenter", "webroot", "server"}
CASE_KEYS = {"id", "customer", "subject", "status", "opened_at", "assignee", "summary", "events"}
EVENT_KEYS = {"at", "kind", "direction", "author", "body", "channel"}

# Stable story ids (also listed in fixtures/make_demo.py STORIES).
CHARGER_SSL, THREE_ZONES, WHERE_SERVERS, STALE_AAAA = "T-1001", "T-1002", "T-1003", "T-1004"
DECODER = {"T-1005": ["ftp"], "T-1006": ["memoire pleine"], "T-1007": ["creer une base de donnees"],
           "T-1008": ["traffic peak", "more RAM"], "T-1009": ["cloner la prod en preprod"]}
OUTAGE_CASES = [f"T-{n}" for n in range(1101, 1116)]
OLD_IPV6 = "2001:db8:4242::80"


@pytest.fixture(scope="module")
def doc() -> dict:
    return json.loads(DEMO.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def cases(doc) -> dict[str, dict]:
    return {c["id"]: c for c in doc["cases"]}


@pytest.fixture(scope="module")
def customers(doc) -> dict[str, dict]:
    return {c["id"]: c for c in doc["customers"]}


def servers(customer: dict) -> list[dict]:
    return [a for a in customer["assets"] if a["kind"] == "server"]


def talk(case: dict) -> list[dict]:
    return [e for e in case["events"] if e["kind"] in CONVERSATION]


def text_of(case: dict, direction: str | None = None) -> str:
    return "\n".join(e["body"] for e in case["events"] if direction in (None, e["direction"]))


# --------------------------------------------------------------------------- format


def test_the_importer_accepts_the_whole_file(doc):
    document = validate(doc)
    assert len(document.events) == sum(len(c["events"]) for c in doc["cases"])
    # events carry no id: the importer derives one from their content, so two identical events would merge
    assert len({e["id"] for e in document.events}) == len(document.events)


def test_the_demo_loads_into_a_real_store(tmp_path, doc):
    store = open_store(tmp_path / "oncall.db")
    try:
        report = import_document(store, load_json_file(DEMO), now=parse_ts(NEWEST) + timedelta(minutes=5))
        assert (report.customers, report.cases) == (len(doc["customers"]), len(doc["cases"]))
        assert report.events_added == sum(len(c["events"]) for c in doc["cases"])
        assert store.conn.execute("SELECT count(*) FROM events").fetchone()[0] == report.events_added
    finally:
        store.close()


def test_the_generator_reproduces_the_committed_file_exactly():
    name = "make_demo_under_test"
    spec = importlib.util.spec_from_file_location(name, GENERATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file executes
    try:
        spec.loader.exec_module(module)
        generated = module.render(module.build())
    finally:
        del sys.modules[name]
    assert generated == DEMO.read_text(encoding="utf-8"), "fixtures/demo.json is stale: run fixtures/make_demo.py"


def test_records_use_only_the_interchange_keys(doc):
    assert set(doc) == {"customers", "cases", "engineers"}
    for c in doc["customers"]:
        assert set(c) <= CUSTOMER_KEYS, c["id"]
        for a in c["assets"]:
            assert set(a) <= ASSET_KEYS, (c["id"], a)
    for case in doc["cases"]:
        assert set(case) <= CASE_KEYS, case["id"]
        for e in case["events"]:
            assert set(e) == EVENT_KEYS, (case["id"], e)


def test_ids_are_unique_and_references_resolve(doc, customers):
    case_ids = [c["id"] for c in doc["cases"]]
    assert len(case_ids) == len(set(case_ids))
    assert len(customers) == len(doc["customers"])
    engineers = {e["name"] for e in doc["engineers"]}
    for c in doc["customers"]:
        assert c["owner"] in engineers, c["id"]
    for case in doc["cases"]:
        assert case["customer"] in customers, case["id"]
        if case["status"] == "new":
            assert case["assignee"] == "", case["id"]
        else:
            assert case["assignee"] in engineers, case["id"]


def test_enums_are_valid(doc):
    for c in doc["customers"]:
        assert c["tier"] in TIERS and c["language"] in ("fr", "en"), c["id"]
        for a in c["assets"]:
            assert a["kind"] in ("server", "domain", "database"), (c["id"], a)
    for case in doc["cases"]:
        assert case["status"] in STATUSES, case["id"]
        for e in case["events"]:
            assert e["direction"] in DIRECTIONS and e["channel"] in CHANNELS, (case["id"], e["at"])


def test_timestamps_are_utc_seconds_and_events_chronological(doc):
    for case in doc["cases"]:
        assert TS.match(case["opened_at"]), case["id"]
        stamps = [e["at"] for e in case["events"]]
        assert all(TS.match(s) for s in stamps), case["id"]
        assert stamps == sorted(stamps), f"{case['id']}: events out of order"
        assert stamps[0] >= case["opened_at"], case["id"]
        assert stamps[-1] <= NEWEST, case["id"]


def test_the_newest_event_is_the_anchor_the_demo_shifts(doc):
    assert max(e["at"] for c in doc["cases"] for e in c["events"]) == NEWEST


def test_kind_channel_and_direction_agree(doc):
    engineers = {e["name"] for e in doc["engineers"]}
    for case in doc["cases"]:
        for e in case["events"]:
            where = (case["id"], e["at"])
            assert e["channel"] == KIND_CHANNEL[e["kind"]], where
            assert (e["kind"] == "note") == (e["direction"] == "internal"), where
            # customers write "in"; engineers write "out" and notes
            assert (e["author"] in engineers) == (e["direction"] != "in"), where
            assert e["body"].strip(), where


def test_assets_use_documentation_addresses_and_a_few_datacenters(doc):
    v4 = [ipaddress.ip_network("203.0.113.0/24"), ipaddress.ip_network("198.51.100.0/24")]
    v6 = ipaddress.ip_network("2001:db8::/32")
    seen_v4, datacenters = set(), set()
    for c in doc["customers"]:
        names = {a["name"] for a in servers(c)}
        assert names, f"{c['id']} has no server"
        for a in c["assets"]:
            if a["kind"] == "server":
                assert any(ipaddress.ip_address(a["ipv4"]) in net for net in v4), a
                assert ipaddress.ip_address(a["ipv6"]) in v6, a
                assert a["ipv4"] not in seen_v4, a
                seen_v4.add(a["ipv4"])
                datacenters.add(a["datacenter"])
            else:
                assert a["server"] in names, f"{c['id']}: {a['name']} on unknown server {a['server']}"
            if "webroot" in a:
                assert a["webroot"].startswith("/var/www/"), a
    assert 4 <= len(datacenters) <= 6, datacenters


# --------------------------------------------------------------------------- size and mix


def test_size_and_language_mix(doc):
    langs = Counter(c["language"] for c in doc["customers"])
    assert len(doc["customers"]) >= 30
    assert langs["fr"] >= 12 and langs["en"] >= 12
    assert len(doc["cases"]) >= 200
    assert sum(len(c["events"]) for c in doc["cases"]) >= 1500
    assert {c["tier"] for c in doc["customers"]} == set(TIERS)
    zones = {c["timezone"].split("/")[0] for c in doc["customers"]}
    assert {"Europe", "America"} <= zones and zones & {"Asia", "Australia", "Pacific"}


def test_every_channel_is_used(doc):
    channels = Counter(e["channel"] for c in doc["cases"] for e in c["events"])
    assert all(channels[ch] >= 30 for ch in ("email", "phone", "chat", "note")), channels


def test_engineers_cover_three_regions(doc):
    regions = {e["name"]: e["region"] for e in doc["engineers"]}
    assert {"kenji", "priya", "alice", "mehdi", "sophie", "bob", "carla"} <= set(regions)
    assert set(regions.values()) == {"APAC", "EMEA", "AMER"}


def test_pending_cases_end_on_our_question(doc):
    pending = [c for c in doc["cases"] if c["status"] == "pending"]
    assert len(pending) >= 15
    for case in pending:
        last = talk(case)[-1]
        assert last["direction"] == "out" and "?" in last["body"], case["id"]


def test_enough_resolved_and_fresh_cases(doc):
    statuses = Counter(c["status"] for c in doc["cases"])
    assert statuses["resolved"] + statuses["closed"] >= 40
    newest = parse_ts(NEWEST)
    fresh = [c for c in doc["cases"]
             if c["status"] == "new" and parse_ts(c["opened_at"]) >= newest - timedelta(minutes=30)]
    assert len(fresh) >= 3
    for case in (c for c in doc["cases"] if c["status"] == "new"):
        assert all(e["direction"] == "in" for e in case["events"]), f"{case['id']} is new but was answered"


def test_long_ping_pong_repeat_customers_and_summaries(doc):
    assert sum(len(talk(c)) >= 10 for c in doc["cases"]) >= 5
    per_customer = Counter(c["customer"] for c in doc["cases"])
    assert sum(n >= 3 for n in per_customer.values()) >= 5
    summary = re.compile(r"^Wants: .+\nDone: .+\nNext: .+$")
    summaries = [c for c in doc["cases"] if c.get("summary")]
    assert len(summaries) >= 8
    assert all(summary.match(c["summary"]) for c in summaries), [c["id"] for c in summaries]


def test_a_few_bodies_hold_markup_and_escapes_to_show_literally(doc):
    bodies = [e["body"] for c in doc["cases"] for e in c["events"]]
    assert any("<b>" in b for b in bodies)
    assert any("[bold" in b for b in bodies)
    assert any("\x1b[" in b for b in bodies)
    assert 3 <= sum(("<b>" in b) or ("[bold" in b) or ("\x1b" in b) for b in bodies) <= 6


# --------------------------------------------------------------------------- stories


def test_story_charger_un_ssl(cases, customers):
    case = cases[CHARGER_SSL]
    customer = customers[case["customer"]]
    assert customer["language"] == "fr" and case["status"] == "open"
    assert any(a["kind"] == "domain" and a.get("webroot") for a in customer["assets"])
    said = fold(text_of(case, "in"))
    assert phrase_pattern("charger un SSL").search(said) and "cadenas" in said
    bounced = [e for e in talk(case) if e["direction"] == "out" and "docs.example.net" in e["body"]]
    assert len(bounced) >= 3, "the customer is sent to the documentation again and again"
    last = talk(case)[-1]
    assert last["direction"] == "in"
    assert phrase_pattern("toujours pas").search(fold(said)) and phrase_pattern("4 heures").search(fold(said))
    span = parse_ts(case["events"][-1]["at"]) - parse_ts(case["opened_at"])
    assert span >= timedelta(hours=4)


def test_story_the_same_problem_told_in_three_time_zones(cases, customers, doc):
    case = cases[THREE_ZONES]
    customer = customers[case["customer"]]
    assert customer["language"] == "en" and customer["tier"] == "business" and case["status"] == "open"
    first_reply = {}
    for e in talk(case):
        if e["direction"] == "out":
            first_reply.setdefault(e["author"], e["at"])
    assert first_reply["kenji"] < first_reply["alice"] < first_reply["bob"]
    regions = {e["name"]: e["region"] for e in doc["engineers"]}
    assert [regions[n] for n in ("kenji", "alice", "bob")] == ["APAC", "EMEA", "AMER"]
    mails = [e["body"] for e in talk(case) if e["direction"] == "in" and e["kind"] == "message"]
    first = mails[0]
    near_copies = [m for m in mails[1:] if difflib.SequenceMatcher(None, first, m, autojunk=False).find_longest_match(
        0, len(first), 0, len(m)).size >= 250]
    assert len(near_copies) >= 2, "the customer repeats the explanation nearly word for word"
    assert sum("already explained" in fold(m) for m in mails) >= 2
    span = parse_ts(case["events"][-1]["at"]) - parse_ts(case["opened_at"])
    assert timedelta(hours=24) <= span <= timedelta(hours=36)
    assert talk(case)[-1]["direction"] == "in"


def test_story_datacenter_power_outage(cases, customers):
    outage = [cases[i] for i in OUTAGE_CASES]
    assert len({c["customer"] for c in outage}) >= 12
    start, hour_later = "2026-11-23T21:40:00Z", "2026-11-23T22:40:00Z"
    for case in outage:
        assert start <= case["opened_at"] <= hour_later, case["id"]
        assert any(s["datacenter"] == "SBG" for s in servers(customers[case["customer"]])), case["id"]
    # anyone else writing in that hour is not part of the story
    others = [c for c in cases.values() if start <= c["opened_at"] <= hour_later and c["id"] not in OUTAGE_CASES]
    assert not others, [c["id"] for c in others]
    answered = [c for c in outage if any(e["direction"] == "out" for e in talk(c))]
    assert 0 < len(answered) < len(outage), "some are answered, some are not"
    angry = [c for c in outage if sum(e["direction"] == "in" for e in talk(c)) >= 2]
    assert len(angry) >= 4
    assert {customers[c["customer"]]["language"] for c in outage} == {"fr", "en"}


def test_story_where_are_my_servers(cases, customers):
    case = cases[WHERE_SERVERS]
    customer = customers[case["customer"]]
    assert case["status"] in ("pending", "resolved", "closed")
    assert len({s["datacenter"] for s in servers(customer)}) >= 2
    asked = fold(talk(case)[0]["body"])
    assert "hebergees physiquement" in asked and "rgpd" in asked
    answer = next(e["body"] for e in talk(case) if e["direction"] == "out")
    for server in servers(customer):
        assert server["name"] in answer and server["datacenter"] in answer


def test_story_stale_ipv6_record(cases, customers):
    case = cases[STALE_AAAA]
    customer = customers[case["customer"]]
    domains = [a for a in customer["assets"] if a["kind"] == "domain"]
    assert domains and all(d["server"] in {s["name"] for s in servers(customer)} for d in domains)
    assert any(d["name"] in text_of(case) for d in domains)
    assert "certificat" in fold(text_of(case, "in"))
    assert OLD_IPV6 in text_of(case), "the failing validation shows where the AAAA record points"
    ours = {ipaddress.ip_address(s["ipv6"]) for c in customers.values() for s in servers(c)}
    assert ipaddress.ip_address(OLD_IPV6) not in ours
    assert case["status"] == "open" and talk(case)[-1]["direction"] == "in"


@pytest.mark.parametrize("case_id", sorted(DECODER))
def test_story_requests_in_the_customers_words(cases, customers, case_id):
    case = cases[case_id]
    said = fold(text_of(case, "in"))
    for phrase in DECODER[case_id]:
        assert phrase_pattern(phrase).search(said), (case_id, phrase)
    assert case["status"] in ("new", "open")
    assert servers(customers[case["customer"]])


def test_the_ftp_request_is_for_a_site_we_do_not_host_yet(cases, customers):
    case = cases["T-1005"]
    hosted = {a["name"] for a in customers[case["customer"]]["assets"] if a["kind"] == "domain"}
    assert "jardins-de-marie-paysage.fr" in case["events"][0]["body"]
    assert "jardins-de-marie-paysage.fr" not in hosted
