"""The history is append-only: an import never changes an event, and says so when a file tries to."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from oncall_tui.core.errors import InvalidDocument
from oncall_tui.store.importer import import_document
from oncall_tui.usecases.exchange import import_data, import_file

from .conftest import NOW, SMALL_DOC, open_session, open_store
from .test_import_hostile import counts, run_import


def with_ids(doc: dict) -> dict:
    for case in doc["cases"]:
        for j, ev in enumerate(case["events"]):
            ev["id"] = f"{case['id']}-{j}"
    return doc


def changes(store_path) -> int:
    s = open_store(store_path)
    try:
        return s.query_one("SELECT COUNT(*) FROM changes")[0]
    finally:
        s.close()


def test_an_event_id_stored_with_other_content_is_a_conflict(store_path, small_doc, write_json, capsys):
    run_import(store_path, write_json(with_ids(small_doc), "first.json"), capsys)
    before = counts(store_path)
    edited = with_ids(copy.deepcopy(SMALL_DOC))
    edited["cases"][0]["events"][1]["body"] = "Here is the certificate."
    edited["cases"].append({"id": "T-400", "customer": "c-calm", "subject": "new", "status": "new",
                            "opened_at": "2026-11-24T08:00:00Z"})
    code, _, err = run_import(store_path, write_json(edited, "edited.json"), capsys)
    assert code == 2
    assert ("cases[0].events[1].id: event 'T-100-1' is already in the store with another body; the history is "
            "append-only") in err
    assert "--on-conflict keep" in err
    assert counts(store_path) == before  # not even the new case


def test_the_same_event_id_twice_in_a_file_with_other_content_is_a_conflict(store_path, small_doc, write_json,
                                                                           capsys):
    doc = with_ids(small_doc)
    doc["cases"][1]["events"][0]["id"] = "T-100-0"
    code, _, err = run_import(store_path, write_json(doc), capsys)
    assert code == 2
    assert "cases[1].events[0].id: event 'T-100-0' is also at cases[0].events[0], with other content" in err
    assert counts(store_path) == (0, 0, 0)


def test_the_same_event_twice_with_the_same_content_is_imported_once(store_path, small_doc, write_json, capsys):
    doc = with_ids(small_doc)
    doc["cases"][0]["events"].append(dict(doc["cases"][0]["events"][0]))
    code, out, err = run_import(store_path, write_json(doc), capsys)
    assert code == 0, err
    assert "8 new events (1 already present)" in out


def test_keep_imports_the_rest_and_leaves_the_stored_event_as_it_was(store_path, small_doc, write_json, capsys):
    run_import(store_path, write_json(with_ids(small_doc), "first.json"), capsys)
    edited = with_ids(copy.deepcopy(SMALL_DOC))
    edited["cases"][0]["events"][1]["body"] = "Here is the certificate."
    edited["cases"][0]["events"].append({"id": "T-100-new", "at": "2026-11-24T05:00:00Z", "kind": "note",
                                         "direction": "internal", "author": "alice", "body": "Issued it."})
    code, out, err = run_import(store_path, write_json(edited, "edited.json"), capsys, "--on-conflict", "keep")
    assert code == 0, err
    assert "1 new events (7 already present); 1 conflicting events left out, the stored ones kept" in out
    s = open_store(store_path)
    assert s.query_one("SELECT body FROM events WHERE id = 'T-100-1'")[0] == "Please see our Let's Encrypt guide."


def test_replace_is_refused_because_events_are_append_only(store_path, small_doc, write_json, capsys):
    with pytest.raises(SystemExit) as stop:
        run_import(store_path, write_json(small_doc), capsys, "--on-conflict", "replace")
    assert stop.value.code == 2
    assert "events are append-only" in capsys.readouterr().err


def test_a_reimport_changes_nothing_not_even_the_change_log(store_path, small_doc, write_json, capsys):
    path = write_json(with_ids(small_doc))
    run_import(store_path, path, capsys)
    before = (counts(store_path), changes(store_path))
    code, out, _ = run_import(store_path, path, capsys)
    assert code == 0 and "0 new events (8 already present)" in out
    assert (counts(store_path), changes(store_path)) == before


def test_a_changed_customer_is_updated_in_place(store_path, small_doc, write_json, capsys):
    run_import(store_path, write_json(small_doc, "first.json"), capsys)
    small_doc["customers"][0]["tier"] = "critical"
    code, _, err = run_import(store_path, write_json(small_doc, "second.json"), capsys)
    assert code == 0, err
    s = open_store(store_path)
    assert s.query_one("SELECT tier FROM customers WHERE id = 'c-boul'")[0] == "critical"


def test_the_helpdesk_sync_keeps_stored_events_as_it_always_did(store):
    # import_document (the sync's entry) keeps the stored event and counts the document's as left out.
    doc = copy.deepcopy(SMALL_DOC)
    # The derived id hashes case, time, kind, direction, author and body: the channel is content, not identity.
    doc["cases"][1]["events"][0]["channel"] = "chat"
    report = import_document(store, doc, now=NOW)
    assert (report.events_added, report.events_kept) == (0, 1)
    assert store.query_one("SELECT channel FROM events WHERE case_id = 'T-200'")[0] == "email"


# -- time ---------------------------------------------------------------------------------

def future_doc(delta: timedelta) -> dict:
    doc = copy.deepcopy(SMALL_DOC)
    doc["cases"][0]["events"][0]["at"] = (NOW + delta).strftime("%Y-%m-%dT%H:%M:%SZ")
    return doc


def test_a_time_more_than_a_day_ahead_is_refused(store_path):
    session = open_session(store_path)
    with pytest.raises(InvalidDocument) as refused:
        import_data(session, future_doc(timedelta(days=1, seconds=1)))
    assert refused.value.problems == [
        "cases[0].events[0].at: '2026-11-25T09:00:01Z' is more than a day after now (2026-11-24T09:00:00Z): "
        "check the clock of whatever wrote it"]


def test_a_clock_a_little_ahead_is_tolerated(store_path):
    session = open_session(store_path)
    assert import_data(session, future_doc(timedelta(hours=23))).events_added == 8


def test_a_time_before_1970_is_refused(store_path, small_doc, write_json):
    small_doc["cases"][2]["opened_at"] = "1969-12-31T23:59:59Z"
    session = open_session(store_path)
    with pytest.raises(InvalidDocument) as refused:
        import_file(session, write_json(small_doc))
    assert refused.value.problems == [
        "cases[2].opened_at: '1969-12-31T23:59:59Z' is before 1970: not a plausible time here"]
