"""`--readonly` is read-only: every command that writes is refused (exit 2), and the store is untouched."""

from __future__ import annotations

import argparse
import json
import sqlite3

import pytest

from oncall_tui.cli import build_parser, main
from oncall_tui.store.engines import is_server
from oncall_tui.usecases import incidents

from .conftest import open_session, open_store

# Commands that only read (or write files the user names, never the store).
READERS = {"demo", "keys", "queue", "explain", "history", "export", "search", "intents",
           "incident list", "incident show", "outbox", "customers list", "attachment list",
           "attachment get"}  # saves the file into the folder the user names; the store is not written


def writers(tmp_path) -> dict[str, list[str]]:
    doc = tmp_path / "more.json"
    doc.write_text(json.dumps({"customers": [{"id": "c-new", "name": "New", "language": "fr",
                                              "timezone": "Europe/Paris", "tier": "standard"}]}))
    return {
        "note": ["note", "T-100", "called back"],
        "reply": ["reply", "T-100", "Bonjour, c'est fait."],
        "summary": ["summary", "T-100", "Wants a certificate."],
        "status": ["status", "T-100", "pending"],
        "import": ["import", str(doc)],
        "handoff": ["handoff", "--send"],
        "incident open": ["incident", "open", "--title", "Outage", "--scope", "datacenter=SBG"],
        "incident update": ["incident", "update", "INC-1", "--fr", "En cours", "--en", "Ongoing"],
        "incident resolve": ["incident", "resolve", "INC-1", "--fr", "Fini", "--en", "Done"],
        "incident link": ["incident", "link", "INC-1", "T-200"],
        "incident unlink": ["incident", "unlink", "INC-1", "T-100"],
        "refold": ["refold"],
        "resolve-done": ["resolve-done", "T-100"],
        "run": ["run", "disk_usage", "--case", "T-100", "--yes"],
        "sync": ["sync", "--once"],
        # Copies the store (STORE: the test's own) into another, or sets up a schema: writes, so refused.
        "migrate": ["migrate", "--from", "STORE", "--to", str(tmp_path / "copy.db")],
        "customers merge": ["customers", "merge", "c-acme", "c-other"],
        "customers split": ["customers", "split", "c-acme", "someone@example.com"],
    }


def commands() -> set[str]:
    """Every command the CLI has, sub-commands spelt "incident open"."""
    found = set()
    for action in build_parser()._subparsers._group_actions:  # argparse offers no public walk
        if isinstance(action, argparse._SubParsersAction):
            for name, parser in action.choices.items():
                subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
                found |= {f"{name} {sub}" for a in subs for sub in a.choices} if subs else {name}
    return found


def test_every_command_is_known_to_read_or_to_write(tmp_path):
    assert commands() == READERS | set(writers(tmp_path))


def dump(path) -> list:
    """Everything the store holds: SQLite's own dump of the file, or every row of every PostgreSQL table."""
    if is_server(path):
        store = open_store(path)
        try:
            return [(table, sorted((tuple(row) for row in store.query(f"SELECT * FROM {table}")), key=repr))
                    for table in sorted(store.table_names())]
        finally:
            store.close()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.mark.parametrize("command", sorted(writers(__import__("pathlib").Path("/tmp"))))
def test_readonly_refuses_every_write(store, store_path, tmp_path, capsys, command):
    session = open_session(store_path)
    incidents.declare(session, title="Outage", scope={"datacenter": ["SBG"]})
    incident_id = incidents.listing(session)[0].id
    session.close()
    store.close()
    before = dump(store_path)
    argv = [{"INC-1": incident_id, "STORE": str(store_path)}.get(a, a) for a in writers(tmp_path)[command]]
    code = main(["--db", str(store_path), "--readonly", *argv])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "read-only" in err or "read only" in err
    assert dump(store_path) == before
    assert not (tmp_path / "copy.db").exists()
