"""Full-text search: plain words in, ranked events with their customer and case out."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest

from oncall_tui.cli import main
from oncall_tui.core.text import fold
from oncall_tui.store import writes
from oncall_tui.store.search import search

from .conftest import NOW

H = timedelta(hours=1)


def note(store, case_id, body, at, author="alice"):
    return writes.add_case_event(store, case_id, kind="note", body=body, author=author, now=at)


def test_hits_carry_customer_case_and_event(store):
    [hit] = search(store, "deploy")
    assert (hit.case_id, hit.customer_id, hit.customer, hit.subject) == \
        ("T-200", "c-acme", "Acme Widgets Ltd", "Site down after deploy")
    assert (hit.kind, hit.author, hit.at) == ("message", "ann", "2026-11-24T06:00:00Z")
    assert hit.event_id and hit.seq > 0


def test_best_match_first_then_most_recent(store):
    old = note(store, "T-100", "dns dns", NOW - 3 * H)
    new = note(store, "T-200", "dns dns", NOW - H)
    diluted = note(store, "T-300", "dns record checked on the old server, the new one and the backup", NOW)
    hits = search(store, "dns")
    assert [h.event_id for h in hits] == [new, old, diluted]
    assert hits[0].rank == hits[1].rank < hits[2].rank


def test_all_words_must_match(store):
    assert {h.case_id for h in search(store, "shop")} == {"T-200"}
    assert search(store, "shop cadenas") == []


def test_accents_and_case_do_not_matter(store):
    writes.set_summary(store, "T-100", "Veut la sécurité HTTPS ; vérifier le DNS d'abord", author="alice", now=NOW)
    for query in ("securite", "SÉCURITÉ", "Sécurite"):
        [hit] = search(store, query)
        assert hit.kind == "summary" and hit.case_id == "T-100"  # summaries are events: found too
    assert search(store, "TROISIEME fois")[0].case_id == "T-100"


def test_phrases_and_prefixes(store):
    assert [h.case_id for h in search(store, '"toujours pas"')] == ["T-100"]
    assert search(store, '"pas toujours"') == []
    assert [h.case_id for h in search(store, "cade*")] == ["T-100"]
    assert search(store, "cade") == []


def test_snippet_is_plain_text_pieces_around_the_match(store):
    note(store, "T-100", "[bold]Line one[/bold]\nthe customer says the cadenas is still missing on the shop page", NOW)
    hit = next(h for h in search(store, "Cadenas") if h.kind == "note")
    matches = [text for text, is_match in hit.snippet if is_match]
    assert matches == ["cadenas"]
    assert hit.snippet_text == "[bold]Line one[/bold] the customer says the cadenas is still missing on the shop page"


def test_long_text_is_cut_around_the_match(store):
    body = " ".join(f"w{n}" for n in range(60)) + " needle " + " ".join(f"v{n}" for n in range(60))
    note(store, "T-300", body, NOW)
    [hit] = search(store, "needle")
    assert hit.snippet[0] == ("…", False) and hit.snippet[-1] == ("…", False)
    assert ("needle", True) in hit.snippet and len(hit.snippet_text) < 120


def test_phrase_match_is_one_piece(store):
    [hit] = search(store, '"troisième fois"')
    assert [fold(t) for t, m in hit.snippet if m] == ["troisieme fois"]


@pytest.mark.parametrize("query", ['"', "*", "NEAR(", "-", "AND OR", "body:x", "^start", "a OR", "NOT",
                                   "'); DROP TABLE events; --", '"unclosed phrase', "((", "\x00", "", "   "])
def test_hostile_input_never_raises(store, query):
    events = store.query_one("SELECT COUNT(*) FROM events")[0]
    results = search(store, query)
    assert isinstance(results, list)
    if not any(ch.isalnum() for ch in query):
        assert results == [] and "type a word" in results.message
    assert store.query_one("SELECT COUNT(*) FROM events")[0] == events


def test_operators_are_searched_as_words(store):
    note(store, "T-200", "Customer asked NEAR the deadline OR later", NOW)
    assert [h.case_id for h in search(store, "NEAR(")] == ["T-200"]
    assert [h.case_id for h in search(store, "deadline OR")] == ["T-200"]


def test_customer_filter(store):
    note(store, "T-100", "Checked the MX record", NOW - H)
    note(store, "T-200", "Checked the MX record", NOW)
    assert [h.case_id for h in search(store, "mx", customer_id="c-boul")] == ["T-100"]
    assert len(search(store, "mx")) == 2


def test_limit_caps_results(store):
    for n in range(5):
        note(store, "T-200", f"ping number {n}", NOW - n * H)
    hits = search(store, "ping", limit=3)
    assert [h.snippet_text for h in hits] == ["ping number 0", "ping number 1", "ping number 2"]


def _many(store, count, word="common"):
    with store.write() as conn:
        conn.executemany(
            "INSERT INTO events(id, case_id, customer_id, at, kind, direction, author, body, recorded_at) "
            "VALUES (?, 'T-200', 'c-acme', ?, 'note', 'internal', 'bot', ?, ?)",
            [(f"bulk-{n}", f"2026-11-{1 + n // 2000:02d}T00:{n // 60 % 60:02d}:{n % 60:02d}Z",
              f"{word} word {n}", "2026-11-24T00:00:00Z") for n in range(count)])


def test_a_very_common_word_returns_the_newest_matches_within_budget(store):
    _many(store, 20_000)
    results = search(store, "common", limit=10, budget=0.001)
    assert results.truncated and "add words" in results.message
    assert len(results) == 10
    assert all(h.snippet_text.startswith("common word 1999") for h in results)  # the newest ones
    complete = search(store, "common", limit=10, budget=None)
    assert not complete.truncated and len(complete) == 10


def test_a_search_can_be_cancelled_from_another_thread(store):
    _many(store, 20_000)
    stop = threading.Event()
    stop.set()
    results = search(store, "common", should_stop=stop.is_set)
    assert results == [] and results.cancelled and results.truncated
    assert len(search(store, "common", limit=5)) == 5  # the connection is usable afterwards


# -- the command ---------------------------------------------------------------------

def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_search_command_json(store, store_path, capsys):
    code, out, _ = run(capsys, "--db", str(store_path), "search", "troisieme", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["query"] == "troisieme" and data["truncated"] is False
    [hit] = data["hits"]
    assert (hit["case_id"], hit["customer"], hit["kind"]) == ("T-100", "Boulangerie Martin", "message")
    assert {"text": "troisième", "match": True} in hit["snippet"]


def test_search_command_words_and_customer(store, store_path, capsys):
    note(store, "T-200", "Checked the MX record", NOW)
    note(store, "T-100", "Checked the MX record too", NOW)
    code, out, _ = run(capsys, "--db", str(store_path), "search", "mx", "record", "--customer", "c-acme")
    assert code == 0
    assert out.splitlines()[0].startswith("2026-11-24T09:00:00Z T-200      Acme Widgets Ltd (c-acme) · note by alice")
    assert len(out.splitlines()) == 2


def test_search_command_shows_control_characters(store, store_path, capsys):
    note(store, "T-200", "evil \x1b[2J wipe", NOW)
    _, out, _ = run(capsys, "--db", str(store_path), "search", "wipe")
    assert "\x1b" not in out and "␛[2J" in out


def test_search_command_bad_input(store, store_path, capsys):
    code, out, err = run(capsys, "--db", str(store_path), "search", "--", '"')
    assert code == 0 and out == "" and "type a word" in err
    code, _, err = run(capsys, "--db", str(store_path), "search", "x", "--customer", "c-nope")
    assert code == 2 and "no customer 'c-nope'" in err


def test_on_postgresql_words_stem_in_the_customers_language(pg_url, small_doc):
    from oncall_tui.store.importer import import_document

    from .conftest import open_store

    small_doc["customers"].append({"id": "c-tokyo", "name": "Sakura Hosting", "language": "ja", "owner": "kenji"})
    small_doc["cases"].append({"id": "T-400", "customer": "c-tokyo", "subject": "SSL", "status": "open",
                               "opened_at": "2026-11-24T05:00:00Z", "events": []})
    store = open_store(pg_url)
    try:
        import_document(store, small_doc, now=NOW)
        fr = note(store, "T-100", "Les certificats ont expiré hier", NOW)  # a French customer
        en = note(store, "T-200", "Both certificates were renewed", NOW)  # an English one
        ja = note(store, "T-400", "証明書 certificates renouvelés", NOW)  # any other language: words as written
        # Each customer's words are stemmed in the customer's language, the query in both: "certificat"
        # is the French stem of "certificats" (English stems "certificates" to "certif"), "certificate"
        # stems to both; the Japanese customer's "certificates" is matched only as written.
        assert {h.event_id for h in search(store, "certificat")} == {fr}
        assert {h.event_id for h in search(store, "certificate")} == {fr, en}
        assert {h.event_id for h in search(store, "renew")} == {en}
        assert {h.event_id for h in search(store, "expire")} == {fr}
        assert {h.event_id for h in search(store, "renouveles")} == {ja}
        assert {h.event_id for h in search(store, "renouvelé")} == set()  # no stemming for Japanese customers
        # The words as they were written rank first, whatever the language.
        assert search(store, "certificates")[0].event_id in (en, ja)
    finally:
        store.close()


def test_parts_of_domains_addresses_and_paths_are_words(store):
    eid = note(store, "T-200", "Certificate for shop.example.com; ask ann@example.org; webroot /var/www/boutique", NOW)
    for query in ("example", "shop.example.com", "ann", "www", "boutique", "var/www"):
        assert eid in {h.event_id for h in search(store, query)}, query
