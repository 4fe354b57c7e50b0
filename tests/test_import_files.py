"""What `oncall import` reads: regular files only, up to a size, as a stream that gives what json.loads would."""

from __future__ import annotations

import json
import os
import threading
from contextlib import contextmanager

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from oncall_tui.commands import exchange as command
from oncall_tui.core.errors import InvalidDocument
from oncall_tui.store import import_reader, importer
from oncall_tui.store.import_problems import BadNumber
from oncall_tui.store.import_reader import FileSource

from .test_import_hostile import counts, run_import


def one_line_refusal(store_path, file, capsys, expected, *options):
    code, _, err = run_import(store_path, file, capsys, *options)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 2 and expected in lines[0], err  # the reason, then "nothing was imported"
    return lines[0]


def test_a_fifo_is_refused_at_once_without_waiting_for_a_writer(store_path, tmp_path, capsys):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    done = threading.Event()
    result = {}

    def attempt():
        result["line"] = one_line_refusal(store_path, fifo, capsys, "not a regular file (a FIFO)")
        done.set()

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    assert done.wait(10), "oncall import waited on a FIFO"
    assert result["line"].startswith(str(fifo))


def test_dev_zero_is_refused(store_path, capsys):
    one_line_refusal(store_path, "/dev/zero", capsys, "/dev/zero: not a regular file (a device)")


def test_a_directory_is_refused(store_path, tmp_path, capsys):
    one_line_refusal(store_path, tmp_path, capsys, "not a regular file (a directory)")


def test_a_missing_file_is_named(store_path, tmp_path, capsys):
    one_line_refusal(store_path, tmp_path / "nope.json", capsys, "nope.json: cannot read: No such file")


def test_a_file_over_the_size_limit_is_refused_and_the_option_named(store_path, small_doc, write_json, capsys):
    path = write_json(small_doc)
    line = one_line_refusal(store_path, path, capsys, "is more than the", "--max-size", "0.001")
    assert "--max-size MB" in line
    assert counts(store_path) == (0, 0, 0)


def test_the_size_limit_can_be_raised(store_path, small_doc, write_json, capsys):
    code, out, err = run_import(store_path, write_json(small_doc), capsys, "--max-size", "0.1")
    assert code == 0, err


def test_a_size_that_is_not_a_number_is_a_usage_error(store_path, small_doc, write_json, capsys):
    with pytest.raises(SystemExit) as stop:
        run_import(store_path, write_json(small_doc), capsys, "--max-size", "lots")
    assert stop.value.code == 2
    assert "is not a size in megabytes" in capsys.readouterr().err


def test_the_command_line_default_size_is_the_stores():
    assert command.DEFAULT_MAX_MB == import_reader.DEFAULT_MAX_MB


def test_a_file_that_changes_during_the_import_imports_nothing(store_path, small_doc, write_json, capsys,
                                                             monkeypatch):
    path = write_json(small_doc)
    real_writer = importer.Writer

    def writer_after_an_edit(*args, **kwargs):  # between the check and the write, someone edits the file
        with open(path, "r+b") as fh:
            data = fh.read().replace(b"Charger un SSL", b"Charger un TLS")
            fh.seek(0)
            fh.write(data)
        return real_writer(*args, **kwargs)

    monkeypatch.setattr(importer, "Writer", writer_after_an_edit)
    code, _, err = run_import(store_path, path, capsys)
    assert code == 2 and "the file changed while it was being imported" in err
    assert counts(store_path) == (0, 0, 0)


# -- the stream reads what json.loads reads ---------------------------------------------

json_docs = st.dictionaries(
    st.sampled_from(["customers", "cases", "events", "format", "odd key", "é"]),
    st.one_of(st.lists(st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(-2 ** 63, 2 ** 63 - 1),
                  st.floats(allow_nan=False, allow_infinity=False), st.text()),
        lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
        max_leaves=10), max_size=4), st.text(), st.none(), st.integers(-2 ** 63, 2 ** 63 - 1)),
    max_size=4)


def read_back(path) -> dict:
    doc: dict = {}
    with FileSource(path, max_bytes=1 << 30) as source:
        for item in source.items():
            if item.index is None:
                doc[item.key] = item.value
            else:
                doc.setdefault(item.key, []).append(item.value)
    return doc


@settings(max_examples=200, deadline=None)
@given(doc=json_docs, indent=st.sampled_from([None, 0, 2]), chunk=st.integers(1, 64))
def test_the_stream_reads_what_json_loads_reads_whatever_the_chunks(tmp_path_factory, doc, indent, chunk):
    path = tmp_path_factory.mktemp("stream") / "doc.json"
    path.write_text(json.dumps(doc, indent=indent, ensure_ascii=bool(chunk % 2)), encoding="utf-8")
    expected = {k: v for k, v in json.loads(path.read_text(encoding="utf-8")).items() if v != []}
    with chunks_of(chunk):
        assert read_back(path) == expected


@settings(max_examples=100, deadline=None)
@given(doc=json_docs, chunk=st.integers(1, 64), cut=st.integers(0, 10_000))
def test_a_syntax_error_is_placed_where_json_loads_places_it(tmp_path_factory, doc, chunk, cut):
    text = json.dumps(doc, indent=1)
    cut %= len(text)
    text = text[:cut] + "@" + text[cut:]
    path = tmp_path_factory.mktemp("broken") / "doc.json"
    path.write_text(text, encoding="utf-8")
    try:
        json.loads(text)
        assume(False)  # the @ fell inside a string: still JSON
    except json.JSONDecodeError as exc:
        want = exc
    with chunks_of(chunk), pytest.raises(InvalidDocument) as got:
        read_back(path)
    message = got.value.problems[-1]
    if "not JSON" in message:
        assert f"line {want.lineno} column {want.colno}" in message


@contextmanager
def chunks_of(size: int):
    """The reader reads *size* bytes at a time: records and tokens fall across chunk boundaries."""
    original = import_reader.CHUNK
    import_reader.CHUNK = size
    try:
        yield
    finally:
        import_reader.CHUNK = original


def test_refused_numbers_are_kept_to_be_named(tmp_path):
    path = tmp_path / "n.json"
    path.write_text('{"events": [{"a": 1e999, "b": NaN, "c": ' + "7" * 30 + ', "d": 12}]}', encoding="utf-8")
    (record,) = read_back(path)["events"]
    assert [type(record[k]) for k in "abc"] == [BadNumber] * 3 and record["d"] == 12
