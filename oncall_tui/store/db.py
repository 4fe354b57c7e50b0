"""The SQLite store: one file shared by every engineer's process on the bastion.

WAL mode lets readers keep reading while one process writes; `busy_timeout`
plus our own retry with backoff means a user never sees "database is locked"
for ordinary contention. Writes go through `Store.write()`, which opens an
IMMEDIATE transaction so a write never fails half-way on a lock upgrade.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .schema import MIGRATIONS, SCHEMA_VERSION


class StoreError(Exception):
    """A store operation failed; the message says what and what to do."""


class WriteRefused(StoreError):
    """The write was refused before touching the store (bad input); the message says why."""


class StoreBusy(StoreError):
    """The store stayed locked by other writers longer than we are willing to wait."""


class Store:
    """A connection to the shared store, migrated to the current schema."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, migrate: bool = True) -> "Store":
        """Open (creating if needed) the store at *path*; ':memory:' for a private one."""
        path = str(path)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=5.0)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute("PRAGMA foreign_keys = ON")
        if path != ":memory:":
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise StoreError(f"{path}: could not switch to WAL mode (got {mode!r}); is it on a network filesystem?")
            conn.execute("PRAGMA synchronous = NORMAL")
        store = cls(conn, path)
        if migrate:
            store.migrate()
        return store

    def close(self) -> None:
        self.conn.close()

    # -- schema ---------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self) -> int:
        """Apply pending forward migrations; returns the resulting version."""
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: schema version {version} is newer than this oncall ({SCHEMA_VERSION}); upgrade oncall-tui"
            )
        while version < SCHEMA_VERSION:
            with self.write():
                # Re-read inside the lock: another process may have migrated meanwhile.
                version = self.schema_version
                if version >= SCHEMA_VERSION:
                    break
                for statement in _split_sql(MIGRATIONS[version]):
                    self.conn.execute(statement)
                version += 1
                self.conn.execute(f"PRAGMA user_version = {version}")
        return version

    # -- transactions ---------------------------------------------------
    @contextmanager
    def write(self, *, attempts: int = 8) -> Iterator[sqlite3.Connection]:
        """An IMMEDIATE transaction, retried with backoff while others hold the lock."""
        delay = 0.02
        for attempt in range(attempts):
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if attempt == attempts - 1:
                    raise StoreBusy(
                        f"{self.path} stayed locked by other oncall processes; nothing was written — try again"
                    ) from exc
                time.sleep(delay * (1 + random.random()))
                delay = min(delay * 2, 1.0)
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def data_version(self) -> int:
        """Changes when *another* connection commits: a cheap "is there news?"."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    def is_empty(self) -> bool:
        return self.query_one("SELECT 1 FROM cases LIMIT 1") is None


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    statements, buf = [], []
    for line in script.splitlines():
        buf.append(line)
        candidate = "\n".join(buf).strip()
        if candidate.endswith(";") and sqlite3.complete_statement(candidate):
            statements.append(candidate)
            buf = []
    rest = "\n".join(buf).strip()
    if rest:
        statements.append(rest)
    return statements
