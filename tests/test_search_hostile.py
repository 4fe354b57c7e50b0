"""Search on what customers really send: one-line megabytes, words without spaces, scripts without spaces.

A snippet is a line on screen: whatever the note, it stays short. Scripts that do not put
spaces between words (Chinese, Japanese, Thai) are found by any part of a sentence, as
an engineer types it, without the `*` of a prefix search.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncall_tui.store import writes
from oncall_tui.store.search import search

from .conftest import NOW

SNIPPET_MAX = 300


def note(store, case_id: str, body: str) -> None:
    writes.add_case_event(store, case_id, kind="note", body=body, author="alice", now=NOW)


@pytest.mark.parametrize("body", [
    "x" * 2_000_000 + " needle " + "y" * 500,          # a pasted blob on one line
    "needle " + "z" * 2_000_000,                         # the match first, then megabytes
    " ".join(["w"] * 300_000) + " needle",               # many short words, the match last
    "Bonjour,\n" + "GET /panier HTTP/1.1 502\n" * 80_000 + "NEEDLE.",  # a pasted log, the word at its end
], ids=["blob-before", "blob-after", "many-words", "log-then-word"])
def test_a_snippet_stays_one_short_line_whatever_the_note_and_shows_the_match(store, body):
    note(store, "T-300", body)
    hits = [h for h in search(store, "needle*") if h.kind == "note"]
    assert hits, "the note is found"
    for hit in hits:
        assert len(hit.snippet_text) <= SNIPPET_MAX
        assert "\n" not in hit.snippet_text
        # Even 600,000 characters in: the excerpt is read where the word is, not from the start.
        assert [text.lower() for text, is_match in hit.snippet if is_match] == ["needle"]


@pytest.mark.sqlite_only  # PostgreSQL indexes no word over 2,047 bytes: it cannot find this one by its prefix
def test_a_match_inside_one_enormous_word_gives_a_short_snippet(store):
    note(store, "T-300", "needle" + "q" * 100_000)
    hits = [h for h in search(store, "needle*") if h.kind == "note"]
    assert hits, "the note is found"
    for hit in hits:
        assert len(hit.snippet_text) <= SNIPPET_MAX
        assert "\n" not in hit.snippet_text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=st.text(max_size=2000), after=st.text(max_size=2000))
def test_any_text_around_a_match_gives_a_short_snippet_with_the_match(store, backend, before, after):
    body = f"{before} needle {after}"
    note(store, "T-300", body if backend == "sqlite" else body.replace("\x00", ""))  # PostgreSQL text holds no NUL
    hits = [h for h in search(store, "needle") if h.kind == "note"]
    assert hits
    for hit in hits:
        assert len(hit.snippet_text) <= SNIPPET_MAX
        assert any(is_match for _, is_match in hit.snippet)


@pytest.mark.parametrize("sentence, query", [
    ("服务器宕机了，网站打不开", "宕机"),
    ("サーバーがダウンしています。至急確認してください", "ダウン"),
    ("证书过期了", "证书"),
    ("เว็บไซต์ของเราล่ม", "ล่ม"),
    ("서버가 다운되었습니다", "다운되었습니다"),  # Korean puts spaces between words: found as a word
])
def test_scripts_without_spaces_are_found_by_part_of_a_sentence_without_a_star(store, sentence, query):
    note(store, "T-200", sentence)
    hits = [h for h in search(store, query) if h.kind == "note"]
    assert [h.case_id for h in hits] == ["T-200"]
    assert any(is_match and query in text for text, is_match in hits[0].snippet)
