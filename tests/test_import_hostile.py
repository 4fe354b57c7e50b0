"""Crafted files: `oncall import` answers exit 2 with "path: reason", never a traceback, never half an import."""

from __future__ import annotations

import json

import pytest

from oncall_tui.cli import main

from .conftest import open_store


def run_import(store_path, file, capsys, *options):
    code = main(["--db", str(store_path), "import", str(file), *options])
    out = capsys.readouterr()
    return code, out.out, out.err


def counts(store_path):
    s = open_store(store_path)
    try:
        return tuple(s.query_one(f"SELECT COUNT(*) FROM {t}")[0] for t in ("customers", "cases", "events"))
    finally:
        s.close()


def refused(store_path, file, capsys, expected: str) -> str:
    code, _, err = run_import(store_path, file, capsys)
    assert code == 2, err
    assert "Traceback" not in err and "crash" not in err
    assert expected in err, err
    assert "nothing was imported" in err
    assert counts(store_path) == (0, 0, 0)
    return err


def write_text(tmp_path, text: str, name: str = "crafted.json"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def event(**fields):
    return {"at": "2026-11-24T03:00:00Z", "kind": "message", "direction": "in", "author": "jean", "body": "hi",
            **fields}


def case_doc(small_doc, **event_fields):
    small_doc["cases"][0]["events"] = [event(**event_fields)]
    return small_doc


def test_very_deep_nesting_is_named_not_a_crash(store_path, tmp_path, capsys):
    path = write_text(tmp_path, '{"cases": [' + "[" * 100_000 + "]" * 100_000 + "]}")
    refused(store_path, path, capsys, "cases[0]: nested too deeply")


def test_deep_nesting_in_meta_is_refused_at_its_path(store_path, small_doc, write_json, capsys):
    meta: dict = {}
    inner = meta
    for _ in range(40):
        inner["x"] = {}
        inner = inner["x"]
    path = write_json(case_doc(small_doc, meta=meta))
    refused(store_path, path, capsys, "cases[0].events[0].meta.x.x.x")


def test_a_number_with_thousands_of_digits_is_refused_where_it_is(store_path, small_doc, tmp_path, capsys):
    text = json.dumps(case_doc(small_doc, meta={"n": 0})).replace('"n": 0', '"n": ' + "9" * 5000)
    err = refused(store_path, write_text(tmp_path, text), capsys, "cases[0].events[0].meta.n: a number of 5000")
    assert "9" * 100 not in err  # the number is described, not printed


def test_a_number_with_thousands_of_digits_as_an_id_is_a_type_error(store_path, tmp_path, capsys):
    path = write_text(tmp_path, '{"customers": [{"id": ' + "1" * 5000 + ', "name": "x"}]}')
    refused(store_path, path, capsys, "customers[0].id: expected a string, got a number out of range")


@pytest.mark.parametrize("number, reason", [("NaN", "NaN is not a JSON number"),
                                            ("-Infinity", "-Infinity is not a JSON number"),
                                            ("1e999", "1e999 is out of range")])
def test_numbers_json_cannot_write_back_are_refused(store_path, small_doc, tmp_path, capsys, number, reason):
    text = json.dumps(case_doc(small_doc, meta={"n": 0})).replace('"n": 0', f'"n": {number}')
    refused(store_path, write_text(tmp_path, text), capsys, f"cases[0].events[0].meta.n: {reason}")


def test_a_lone_surrogate_in_a_string_is_refused_at_its_path(store_path, small_doc, tmp_path, capsys):
    text = json.dumps(case_doc(small_doc, body="before \ud800 after"))  # ensure_ascii writes it as \ud800
    assert "\\ud800" in text
    refused(store_path, write_text(tmp_path, text), capsys,
            "cases[0].events[0].body: holds a lone surrogate at character 7")


def test_an_escaped_surrogate_pair_is_one_character_and_welcome(store_path, small_doc, tmp_path, capsys):
    text = json.dumps(case_doc(small_doc, body="emoji \U0001F600"))  # written as \ud83d\ude00
    code, _, err = run_import(store_path, write_text(tmp_path, text), capsys)
    assert code == 0, err
    s = open_store(store_path)
    assert s.query_one("SELECT body FROM events WHERE case_id = 'T-100'")[0] == "emoji \U0001F600"


@pytest.mark.parametrize("stamp, reason", [
    ("0001-01-01T00:00:00+01:00", "'0001-01-01T00:00:00+01:00' is out of range once moved to UTC"),
    ("0001-01-02T00:00:00-01:00", "'0001-01-02T00:00:00-01:00' is before 1970"),
    ("9999-12-31T23:00:00-05:00", "'9999-12-31T23:00:00-05:00' is out of range once moved to UTC"),
    ("9999-12-31T23:00:00+05:00", "'9999-12-31T23:00:00+05:00' is more than a day after now"),
])
def test_timestamps_at_the_ends_of_the_calendar_are_refused(store_path, small_doc, write_json, capsys, stamp,
                                                            reason):
    refused(store_path, write_json(case_doc(small_doc, at=stamp)), capsys, f"cases[0].events[0].at: {reason}")


def test_non_string_ids_in_a_list_are_each_named(store_path, small_doc, write_json, capsys):
    small_doc["handoffs"] = [{"id": "H-1", "author": "kenji", "at": "2026-11-24T05:00:00Z",
                              "case_ids": ["T-100", 200, None, ["T-300"]]}]
    err = refused(store_path, write_json(small_doc), capsys, "handoffs[0].case_ids[1]: expected a string, got a number")
    assert "handoffs[0].case_ids[2]: expected a string, got null" in err
    assert "handoffs[0].case_ids[3]: expected a string, got a list" in err


def test_wrong_types_everywhere_are_all_listed(store_path, small_doc, write_json, capsys):
    case = small_doc["cases"][0]
    case["subject"] = 42
    case["events"][0]["body"] = ["not", "text"]
    case["events"][1] = "an event?"
    small_doc["customers"][0]["assets"] = {"kind": "server"}
    small_doc["customers"][1]["emails"] = "ann@acme.example"
    small_doc["engineers"] = {"alice": "EMEA"}
    err = refused(store_path, write_json(small_doc), capsys, "cases[0].subject: expected a string, got a number")
    for line in ("cases[0].events[0].body: expected a string, got a list",
                 "cases[0].events[1]: expected an object, got a string",
                 "customers[0].assets: expected a list, got an object",
                 "customers[1].emails: expected a list, got a string",
                 "document.engineers: expected a list, got an object"):
        assert line in err


def test_a_key_with_control_characters_is_shown_escaped(store_path, small_doc, write_json, capsys):
    small_doc["cases"][0]["\x1b[2Jevil"] = 1
    err = refused(store_path, write_json(small_doc), capsys, 'cases[0]["\\u001b[2Jevil"]: unknown field')
    assert "\x1b" not in err


def test_a_huge_bad_value_is_cut_in_the_message(store_path, small_doc, write_json, capsys):
    small_doc["cases"][0]["status"] = "x" * 1_000_000
    err = refused(store_path, write_json(small_doc), capsys, "cases[0].status: 'xxxx")
    assert len(err) < 2000


def test_a_field_given_twice_at_the_top_is_refused(store_path, tmp_path, capsys):
    path = write_text(tmp_path, '{"customers": [], "customers": [{"id": "c", "name": "C"}]}')
    refused(store_path, path, capsys, "document.customers: given twice")


def test_a_byte_order_mark_is_accepted(store_path, small_doc, tmp_path, capsys):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(small_doc).encode())
    code, _, err = run_import(store_path, path, capsys)
    assert code == 0, err


def test_bytes_that_are_not_utf8_are_named_by_offset(store_path, tmp_path, capsys):
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"customers": [{"id": "caf\xe9", "name": "x"}]}')
    refused(store_path, path, capsys, "not UTF-8 text (byte 26)")


@pytest.mark.parametrize("text, expected", [
    ("", "not JSON: the file is empty"),
    ("[1, 2]", "document: expected a JSON object with 'customers' and 'cases', got a list"),
    ('{"customers": []} trailing', "not JSON: extra data after the document at line 1 column 19"),
    ('{"customers": [\n  {"id": "a" "name": "b"}]}', "not JSON: expecting ',' delimiter at line 2 column 14"),
    ('{"cases": [{"id": "T-1", "body": "unterminated', "not JSON: unterminated string"),
])
def test_text_that_is_not_the_document_says_where(store_path, tmp_path, capsys, text, expected):
    refused(store_path, write_text(tmp_path, text), capsys, expected)
