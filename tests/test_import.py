"""`oncall import`: all or nothing, every problem named, re-import is a no-op."""

import json

import pytest

from oncall_tui.cli import main

from .conftest import open_store


def run_import(store_path, file, capsys):
    code = main(["--db", str(store_path), "import", str(file)])
    out = capsys.readouterr()
    return code, out.out, out.err


def counts(store_path):
    s = open_store(store_path)
    try:
        return tuple(s.query_one(f"SELECT COUNT(*) FROM {t}")[0] for t in ("customers", "cases", "events"))
    finally:
        s.close()


def test_import_then_reimport_adds_nothing(store_path, small_doc, write_json, capsys):
    path = write_json(small_doc)
    code, out, _ = run_import(store_path, path, capsys)
    assert code == 0 and "8 new events" in out
    first = counts(store_path)
    code, out, _ = run_import(store_path, path, capsys)
    assert code == 0 and "0 new events (8 already present)" in out
    assert counts(store_path) == first == (3, 4, 8)


@pytest.mark.parametrize("mutate, expected", [
    (lambda d: d["cases"][1]["events"][0].__setitem__("direction", "sideways"),
     "cases[1].events[0].direction: 'sideways' is not one of in|out|internal"),
    (lambda d: d["cases"][0].__setitem__("opened_at", "2026-13-45T99:00:00Z"),
     "cases[0].opened_at: '2026-13-45T99:00:00Z' is not an ISO 8601 timestamp"),
    (lambda d: d["cases"][0]["events"][0].__setitem__("at", "2026-11-24T03:00:00"),
     "cases[0].events[0].at: '2026-11-24T03:00:00' has no time zone"),
    (lambda d: d["cases"][2].__setitem__("customer", "c-ghost"),
     "cases[2].customer: unknown customer 'c-ghost'"),
    (lambda d: d["cases"][2].__setitem__("status", "waiting"),
     "cases[2].status: 'waiting' is not one of new|open|pending|resolved|closed"),
    (lambda d: d["customers"][0].__setitem__("tier", "gold"),
     "customers[0].tier: 'gold' is not one of standard|business|critical"),
    (lambda d: d["cases"][0]["events"][1].pop("body"),
     "cases[0].events[1].body: missing (required)"),
    (lambda d: d["cases"][3].pop("subject"), "cases[3].subject: missing (required)"),
    (lambda d: d["customers"].append(dict(d["customers"][0])),
     "customers[3].id: duplicate customer id 'c-boul'"),
    (lambda d: d["cases"].append(dict(d["cases"][0], events=[])),
     "cases[4].id: duplicate case id 'T-100'"),
    (lambda d: d["customers"][1]["assets"][0].__setitem__("ipv4", "300.1.2.3"),
     "customers[1].assets[0].ipv4: '300.1.2.3' is not an IPv4 address"),
    (lambda d: d["customers"][2].__setitem__("timezone", "Mars/Olympus"),
     "customers[2].timezone: 'Mars/Olympus' is not a known IANA time zone"),
])
def test_bad_record_is_named_and_nothing_is_imported(store_path, small_doc, write_json, capsys, mutate, expected):
    mutate(small_doc)
    code, _, err = run_import(store_path, write_json(small_doc), capsys)
    assert code == 2
    assert expected in err
    assert "nothing was imported" in err
    assert counts(store_path) == (0, 0, 0)


def test_every_problem_is_listed_not_just_the_first(store_path, small_doc, write_json, capsys):
    small_doc["cases"][0]["status"] = "nope"
    small_doc["cases"][1]["events"][0]["kind"] = "fax"
    code, _, err = run_import(store_path, write_json(small_doc), capsys)
    assert code == 2
    assert "cases[0].status" in err and "cases[1].events[0].kind: 'fax'" in err


def test_not_json_is_refused_with_the_place(store_path, tmp_path, capsys):
    path = tmp_path / "broken.json"
    path.write_text('{"customers": [', encoding="utf-8")
    code, _, err = run_import(store_path, path, capsys)
    assert code == 2 and "not JSON" in err and "line 1" in err
    assert counts(store_path) == (0, 0, 0)


def test_a_failed_import_leaves_an_existing_store_untouched(store_path, small_doc, write_json, capsys):
    run_import(store_path, write_json(small_doc, "good.json"), capsys)
    before = counts(store_path)
    bad = json.loads(json.dumps(small_doc))
    bad["cases"].append({"id": "T-999", "customer": "c-boul", "subject": "new", "status": "open",
                         "opened_at": "2026-11-24T08:00:00Z",
                         "events": [{"at": "2026-11-24T08:00:00Z", "kind": "message", "direction": "in",
                                     "author": "jean", "body": "ok"},
                                    {"at": "bad", "kind": "message", "direction": "in", "author": "jean",
                                     "body": "x"}]})
    code, _, err = run_import(store_path, write_json(bad, "bad.json"), capsys)
    assert code == 2 and "cases[4].events[1].at" in err
    assert counts(store_path) == before


def test_text_is_stored_exactly_as_given(store_path, small_doc, write_json, capsys, backend):
    hostile = "[bold]gras[/bold] \x1b[2J\x07 — 東京 café\r\nligne 2"
    if backend == "sqlite":
        hostile += "\x00"  # PostgreSQL text cannot hold NUL: see the next test
    small_doc["cases"][1]["events"][0]["body"] = hostile
    run_import(store_path, write_json(small_doc), capsys)
    s = open_store(store_path)
    assert s.query_one("SELECT body FROM events WHERE case_id = 'T-200'")[0] == hostile


def test_a_nul_character_is_refused_clearly_on_postgresql_and_nothing_is_written(pg_url, small_doc, write_json,
                                                                                 capsys):
    small_doc["cases"][1]["events"][0]["body"] = "ligne 2\x00"
    code, _, err = run_import(pg_url, write_json(small_doc), capsys)
    assert code == 2 and "NUL character" in err and "nothing was written" in err
    assert "postgres@" not in err  # the connection string is shown without its user (nor password)
    assert counts(pg_url) == (0, 0, 0)



def test_reimport_without_incident_keeps_the_incident_link(store_path, small_doc, write_json, capsys):
    # A helpdesk sync knows nothing of our incidents: it must not unlink a case from one.
    small_doc["incidents"] = [{"id": "INC-1", "title": "Power cut SBG", "opened_at": "2026-11-24T02:00:00Z"}]
    small_doc["cases"][0]["incident"] = "INC-1"
    run_import(store_path, write_json(small_doc, "with.json"), capsys)
    del small_doc["cases"][0]["incident"]
    del small_doc["incidents"]
    run_import(store_path, write_json(small_doc, "without.json"), capsys)
    s = open_store(store_path)
    assert s.query_one("SELECT incident_id FROM cases WHERE id = 'T-100'")[0] == "INC-1"


def test_sections_may_come_in_any_order(store_path, small_doc, tmp_path, capsys):
    # Cases before the customers they name, events before their case's incident: checked and written all the same.
    small_doc["incidents"] = [{"id": "INC-1", "title": "Power cut SBG", "opened_at": "2026-11-24T02:00:00Z"}]
    small_doc["cases"][0]["events"][0]["incident"] = "INC-1"
    reordered = {k: small_doc[k] for k in ("cases", "incidents", "customers", "engineers")}
    path = tmp_path / "reordered.json"
    path.write_text(json.dumps(reordered), encoding="utf-8")
    code, out, err = run_import(store_path, path, capsys)
    assert code == 0, err
    assert counts(store_path) == (3, 4, 8)


def test_a_case_event_naming_an_unknown_incident_is_refused(store_path, small_doc, write_json, capsys):
    small_doc["cases"][0]["events"][0]["incident"] = "INC-404"
    code, _, err = run_import(store_path, write_json(small_doc), capsys)
    assert code == 2
    assert ("cases[0].events[0].incident: unknown incident 'INC-404' (not in this file nor in the store)") in err


def test_thousands_of_problems_in_a_record_are_counted_past_the_first_thousand(store_path, small_doc, write_json,
                                                                              capsys):
    small_doc["cases"][0]["events"] = [{"at": "x", "kind": "message", "direction": "in", "author": "a", "body": "b"}
                                       for _ in range(1500)]
    code, _, err = run_import(store_path, write_json(small_doc), capsys)
    assert code == 2
    assert "cases[0].events[999].at: 'x' is not an ISO 8601 timestamp" in err
    assert "cases[0].events[1000].at" not in err
    assert "checking stopped at cases[0] after 1000 problems (there are more)" in err


def test_checking_stops_after_a_thousand_bad_records(store_path, tmp_path, capsys):
    # A hostile file of millions of bad records is answered in a moment, not read to its end.
    path = tmp_path / "many.json"
    path.write_text('{"cases": [' + "1," * 1_000_000 + "1]}", encoding="utf-8")
    code, _, err = run_import(store_path, path, capsys)
    assert code == 2
    assert "cases[999]: expected an object, got a number" in err
    assert "checking stopped at cases[1000] after 1000 problems (there are more); fix these" in err
