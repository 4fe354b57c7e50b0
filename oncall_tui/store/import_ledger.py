"""What an import has seen so far, kept in a scratch SQLite file instead of Python sets.

Cross-record rules need the whole document: a customer id given twice, a case
naming a customer defined further down, an event id reused with other
content. A file of hundreds of megabytes holds hundreds of thousands of ids;
keeping them in a private temporary database (SQLite's "" file: on disk,
deleted on close, a few megabytes of cache) keeps the import's memory flat.
The ledger never touches the store.
"""

from __future__ import annotations

import sqlite3
from typing import Iterator


class Ledger:
    """Ids seen in the document, references to resolve, event digests, cases a write touched."""

    def __init__(self) -> None:
        self.db = sqlite3.connect("", isolation_level=None)
        for statement in (
            "PRAGMA journal_mode = OFF", "PRAGMA synchronous = OFF", "PRAGMA cache_size = -8192",
            "CREATE TABLE keys (kind TEXT, key TEXT, path TEXT, PRIMARY KEY (kind, key)) WITHOUT ROWID",
            "CREATE TABLE refs (kind TEXT, key TEXT, path TEXT)",
            "CREATE TABLE events (id TEXT PRIMARY KEY, digest BLOB, path TEXT) WITHOUT ROWID",
            "CREATE TABLE touched (id TEXT PRIMARY KEY) WITHOUT ROWID",
            "BEGIN",  # one transaction, never committed: the file is thrown away
        ):
            self.db.execute(statement)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def first(self, kind: str, key: str, path: str) -> str | None:
        """Record *key* of *kind* at *path*; the path where it was seen first if this is a repeat."""
        if self.db.execute("INSERT OR IGNORE INTO keys VALUES (?, ?, ?)", (kind, key, path)).rowcount:
            return None
        return self.db.execute("SELECT path FROM keys WHERE kind = ? AND key = ?", (kind, key)).fetchone()[0]

    def refer(self, kind: str, key: str, path: str) -> None:
        """*path* names *key* of *kind*: resolved against the document at the end (`unresolved`)."""
        self.db.execute("INSERT INTO refs VALUES (?, ?, ?)", (kind, key, path))

    def unresolved(self) -> Iterator[tuple[str, str, str]]:
        """(kind, key, path) of each reference to a key the document does not hold, in document order."""
        yield from self.db.execute(
            "SELECT kind, key, path FROM refs r WHERE NOT EXISTS "
            "(SELECT 1 FROM keys k WHERE k.kind = r.kind AND k.key = r.key) ORDER BY rowid")

    def event(self, event_id: str, digest: bytes, path: str) -> tuple[str, str | None]:
        """Record an event: ("new", None), ("same", first path) or ("other", first path) for a reused id."""
        if self.db.execute("INSERT OR IGNORE INTO events VALUES (?, ?, ?)", (event_id, digest, path)).rowcount:
            return "new", None
        seen, where = self.db.execute("SELECT digest, path FROM events WHERE id = ?", (event_id,)).fetchone()
        return ("same" if seen == digest else "other"), where

    def touch(self, case_ids) -> None:
        self.db.executemany("INSERT OR IGNORE INTO touched VALUES (?)", ((c,) for c in case_ids))

    def touched(self) -> Iterator[str]:
        """The cases a write touched, in id order (the order the store refreshes them)."""
        for (case_id,) in self.db.execute("SELECT id FROM touched ORDER BY id"):
            yield case_id
