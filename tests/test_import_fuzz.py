"""Hostile input, fuzzed: whatever the document, the import succeeds or says every problem at a path.

Random JSON documents, and random mutations of a valid one, go to the importer
both in memory (as the helpdesk sync hands them over) and as a file (as
`oncall import` reads it). The only outcomes allowed: the import succeeds, or
InvalidDocument whose every line is "path: reason" — and then the store is
exactly as it was.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncall_tui.core.errors import InvalidDocument
from oncall_tui.store.import_schema import TimeWindow
from oncall_tui.store.importer import import_document, import_path

from .conftest import NOW, SMALL_DOC, open_store

TABLES = ("customers", "assets", "engineers", "incidents", "cases", "events", "handoffs", "handoff_acks",
          "sync_cursors", "changes", "queue_counts")
# "path: reason": a path made of names, [indexes] and ["quoted keys"], or the file's name for a whole-file problem.
PROBLEM = re.compile(r'^(document|[A-Za-z_]+\[\d+\]|[^:\n]*\.json)'
                     r'(\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\]|\["(?:[^"\\\n]|\\.)*"\])*: \S')
FIELDS = ("id", "name", "customer", "subject", "status", "opened_at", "at", "kind", "direction", "author", "body",
          "channel", "meta", "events", "assets", "incident", "tier", "timezone", "emails", "facts", "summary",
          "scope", "title", "case_ids", "acks", "case_id", "engineer", "ipv4", "ipv6", "format", "exported_at")
SECTIONS = ("customers", "engineers", "incidents", "cases", "handoffs", "events")

# Text as files carry it: any code point, lone surrogates included, now and then.
texts = st.one_of(
    st.sampled_from(["", " ", "c-boul", "T-100", "open", "in", "message", "2026-11-24T03:00:00Z",
                     "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-05:00", "1969-12-31T23:59:59Z",
                     "2026-11-24T03:00:00", "Europe/Paris", "Mars/Olympus", "300.1.2.3", "\ud800", "a\udc00b",
                     "oncall-tui/1"]),
    st.text(max_size=20),
    st.text(st.characters(codec=None, categories=["Cs", "Cc", "Lo"]), max_size=5),
)
numbers = st.one_of(st.integers(), st.integers(min_value=10 ** 30, max_value=10 ** 60),
                    st.floats(allow_nan=True, allow_infinity=True), st.just(10 ** 4000))
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(st.sampled_from(FIELDS), texts), inner, max_size=5)),
    max_leaves=30)
documents = st.one_of(
    json_values,
    st.dictionaries(st.sampled_from(SECTIONS + ("format", "exported_at", "bogus")),
                    st.lists(st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=8), max_size=3),
                    max_size=4),
)


def walk(doc, path=()):
    """Every (path, value) in *doc*."""
    yield path, doc
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from walk(v, path + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from walk(v, path + (i,))


@st.composite
def mutated(draw):
    """The small story with a few random changes: a value replaced, a field dropped or added, a record doubled."""
    doc = copy.deepcopy(SMALL_DOC)
    for _ in range(draw(st.integers(1, 4))):
        places = list(walk(doc))
        path, node = draw(st.sampled_from(places))
        op = draw(st.sampled_from(["replace", "drop", "add", "double"]))
        if op == "replace" and path:
            parent = doc
            for step in path[:-1]:
                parent = parent[step]
            parent[path[-1]] = draw(json_values)
        elif op == "drop" and isinstance(node, dict) and node:
            node.pop(draw(st.sampled_from(sorted(node, key=repr))))
        elif op == "add" and isinstance(node, dict):
            node[draw(st.sampled_from(FIELDS))] = draw(json_values)
        elif op == "double" and isinstance(node, list) and node:
            node.append(copy.deepcopy(draw(st.sampled_from(node))))
    return doc


def snapshot(store) -> str:
    digest = hashlib.sha256()
    for table in TABLES:
        for row in store.conn.execute(f"SELECT * FROM {table} ORDER BY 1"):
            digest.update(repr(tuple(row)).encode("utf-8", "backslashreplace"))
    return digest.hexdigest()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = open_store(tmp_path_factory.mktemp("fuzz") / "oncall.db")
    import_document(s, copy.deepcopy(SMALL_DOC), now=NOW)
    yield s
    s.close()


def assert_succeeds_or_names_every_problem(store, run) -> None:
    before = snapshot(store)
    try:
        run()
    except InvalidDocument as exc:
        assert exc.problems
        for problem in exc.problems:
            assert PROBLEM.match(problem), problem
        assert snapshot(store) == before, "a refused import changed the store"


def as_file(tmp_path, doc) -> str:
    path = tmp_path / "fuzz.json"
    # allow_nan: NaN/Infinity appear as Python writes them; ensure_ascii: lone surrogates become \\ud800.
    path.write_text(json.dumps(doc, allow_nan=True), encoding="utf-8")
    return str(path)


FUZZ = settings(max_examples=int(__import__("os").environ.get("FUZZ_EXAMPLES", 150)), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])
WINDOW = TimeWindow.around(NOW)


@FUZZ
@given(doc=documents)
def test_random_documents_are_imported_or_refused_with_paths(store, doc):
    assert_succeeds_or_names_every_problem(
        store, lambda: import_document(store, doc, now=NOW, window=WINDOW, on_conflict="refuse"))


@FUZZ
@given(doc=mutated())
def test_mutations_of_a_valid_document_are_imported_or_refused_with_paths(store, doc):
    assert_succeeds_or_names_every_problem(
        store, lambda: import_document(store, doc, now=NOW, window=WINDOW, on_conflict="refuse"))


@FUZZ
@given(doc=st.one_of(documents, mutated()))
def test_random_files_are_imported_or_refused_with_paths(store, tmp_path, doc):
    file = as_file(tmp_path, doc)
    assert_succeeds_or_names_every_problem(
        store, lambda: import_path(store, file, now=NOW, window=WINDOW, on_conflict="refuse"))


@FUZZ
@given(doc=mutated(), cut=st.integers(0, 10_000), junk=st.binary(max_size=8))
def test_damaged_files_are_refused_with_their_place(store, tmp_path, doc, cut, junk):
    data = json.dumps(doc).encode()
    cut %= len(data)
    path = tmp_path / "damaged.json"
    path.write_bytes(data[:cut] + junk + data[cut + len(junk):])
    assert_succeeds_or_names_every_problem(
        store, lambda: import_path(store, str(path), now=NOW, window=WINDOW, on_conflict="refuse"))


def test_the_property_holds_for_a_time_after_the_store_was_filled(store):
    # The fixture's story is in the store, after whatever the random files did to it: re-importing it
    # adds no event (a random file may have renamed one of its customers: the first re-import puts the
    # name back), and a re-import of the same file then changes nothing at all.
    first = import_document(store, copy.deepcopy(SMALL_DOC), now=NOW, window=WINDOW, on_conflict="refuse")
    before = snapshot(store)
    again = import_document(store, copy.deepcopy(SMALL_DOC), now=NOW, window=WINDOW, on_conflict="refuse")
    assert first.events_added == 0 and again.events_added == 0 and snapshot(store) == before
    assert datetime(2026, 11, 24, tzinfo=timezone.utc) < NOW
