"""The SQLite store: one file shared by every engineer's process on the bastion.

WAL mode lets readers keep reading while one process writes; `busy_timeout`
plus our own retry with backoff means a user never sees "database is locked"
for ordinary contention. Writes go through `Store.write()`, which opens an
IMMEDIATE transaction so a write never fails half-way on a lock upgrade.

SQLite's own errors never reach a user raw: a full disk, a read-only file, a
damaged file or a lock held too long become `core.errors` store faults whose
message names the file and says what to do. The store and its folder are
private to their owner (0600 and 0700), whatever the umask.
"""

from __future__ import annotations

import os
import random
import sqlite3
import stat
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..core.errors import (
    NotFound,
    StoreBusy,
    StoreCorrupt,
    StoreError,
    StoreFull,
    StoreNotWritable,
)
from ..core.heat_model import HeatModel
from .schema import MIGRATIONS, SCHEMA_VERSION

LOCK_WAIT = 30.0  # seconds a write waits for other writers by default

# SQLite primary result codes (sqlite3.h) behind the faults a user can do something about.
_BUSY, _LOCKED, _NOMEM, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB, _PERM = 5, 6, 7, 8, 10, 11, 13, 14, 26, 3


def fault(exc: sqlite3.Error, path: str) -> Exception:
    """The user-facing error for an SQLite failure on the store at *path* (or *exc* itself)."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc)
    if primary == _FULL or "disk is full" in text:
        return StoreFull(f"{path}: the disk holding the store is full; nothing was written — "
                         "free some space (df -h), then try again")
    if primary in (_READONLY, _PERM) or "readonly" in text or "read-only" in text:
        return StoreNotWritable(f"{path}: the store is read-only for you ({text}); nothing was written — "
                                "check the file's owner and mode, or start with --readonly to only read")
    if primary in (_CORRUPT, _NOTADB) or "malformed" in text or "not a database" in text:
        return StoreCorrupt(f"{path}: the store file is damaged ({text}); nothing was changed — "
                            "restore it from a backup (`oncall export` on a copy can rescue what still reads)")
    if primary in (_BUSY, _LOCKED) or "locked" in text:
        return StoreBusy(f"{path} stayed locked by other oncall processes; nothing was written — try again")
    if primary in (_IOERR, _CANTOPEN, _NOMEM):
        return StoreError(f"{path}: the store could not be read or written ({text}); nothing was written — "
                          "check the disk and the file, then try again")
    return exc


class Connection:
    """The store's sqlite3 connection, SQLite's failures said as store faults (see `fault`)."""

    __slots__ = ("raw", "path")

    def __init__(self, raw: sqlite3.Connection, path: str) -> None:
        self.raw = raw
        self.path = path

    def execute(self, sql: str, params=()) -> sqlite3.Cursor:
        try:
            return self.raw.execute(sql, params)
        except sqlite3.Error as exc:
            raise fault(exc, self.path) from exc

    def executemany(self, sql: str, rows) -> sqlite3.Cursor:
        try:
            return self.raw.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise fault(exc, self.path) from exc

    def set_progress_handler(self, handler, n: int) -> None:
        self.raw.set_progress_handler(handler, n)

    def close(self) -> None:
        self.raw.close()


class Store:
    """A connection to the shared store, migrated to the current schema.

    `heat` is the model the store folds and scores cases with whenever a write
    changes them (a handle opened only to read may go without). `readonly`
    handles never write (opened with SQLite's read-only mode).
    """

    def __init__(self, conn: Connection, path: str, heat: HeatModel | None = None, *,
                 readonly: bool = False, lock_wait: float = LOCK_WAIT) -> None:
        self.conn = conn
        self.path = path
        self.heat = heat
        self.readonly = readonly
        self.lock_wait = lock_wait
        # Read as it was when opened: a read-only file nobody else had open (see `open`).
        self.snapshot = False
        self.warnings: list[str] = []  # what the user should know about this store (its permissions)

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, migrate: bool = True, heat: HeatModel | None = None,
             create: bool = True, readonly: bool = False, lock_wait: float = LOCK_WAIT) -> "Store":
        """Open the store at *path* (':memory:' for a private one).

        *create*: make the file (and its folder, private to the user) if missing;
        otherwise a missing store is `NotFound`. *readonly*: open it for reading
        only (a read-only file is opened so even without asking). *lock_wait*:
        seconds a write waits for other writers before it is refused (StoreBusy).
        """
        path = str(path)
        memory = path == ":memory:"
        if not memory:
            file = Path(path)
            if not file.exists():
                if not create:
                    raise NotFound(f"no store at {path}: import cases first (oncall import FILE), "
                                   "or give the right --db PATH")
                if readonly:
                    raise NotFound(f"no store at {path} to read")
                _private_folder(file.parent)
                # Created private before SQLite opens it: SQLite gives the -wal and -shm files the same mode.
                os.close(os.open(file, os.O_CREAT | os.O_WRONLY, 0o600))
            warnings = [w for w in (_tighten(file),) if w]
            if not readonly and not os.access(file, os.W_OK):
                readonly = True  # a read-only file: read it rather than fail at start
        try:
            raw = _connect(path, readonly)
        except sqlite3.Error as exc:
            raise fault(exc, path) from exc
        conn = Connection(raw, path)
        store = cls(conn, path, heat, readonly=readonly, lock_wait=lock_wait)
        if not memory:
            store.warnings = warnings
        try:
            conn.execute(f"PRAGMA busy_timeout = {max(1, int(lock_wait * 1000))}")
            conn.execute("PRAGMA foreign_keys = ON")
            if not memory and not readonly:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if mode.lower() != "wal":
                    raise StoreError(f"{path}: could not switch to WAL mode (got {mode!r}); "
                                     "is it on a network filesystem?")
                conn.execute("PRAGMA synchronous = NORMAL")
                for suffix in ("-wal", "-shm"):
                    _tighten(Path(path + suffix))  # SQLite gives them the store's mode: reported with it
            if readonly:
                try:
                    store.check_version()
                except StoreNotWritable:
                    if memory:
                        raise
                    # A WAL store nobody has open, in a folder this user cannot write: SQLite cannot
                    # create the shared-memory file a reader needs. Read the file as it is instead.
                    raw.close()
                    raw = _connect(path, readonly, immutable=True)
                    store.conn = conn = Connection(raw, path)
                    store.snapshot = True
                    store.check_version()
            elif migrate:
                store.migrate()
            else:
                store.check_version()
        except BaseException:
            raw.close()
            raise
        return store

    def close(self) -> None:
        self.conn.close()

    def heat_model(self) -> HeatModel:
        """The model writes rescore cases with; a handle opened without one cannot write cases."""
        if self.heat is None:
            raise StoreError(f"{self.path}: opened to read only (no heat model), cannot rescore cases")
        return self.heat

    # -- schema ---------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def check_version(self) -> int:
        """The schema version, refused when newer than this oncall (or older, for a read-only handle)."""
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: schema version {version} is newer than this oncall "
                             f"({SCHEMA_VERSION}); upgrade oncall-tui")
        if version < SCHEMA_VERSION and self.readonly and version:
            raise StoreNotWritable(f"{self.path}: schema version {version} needs upgrading to {SCHEMA_VERSION}, "
                                   "and the store is read-only; open it once with write access")
        return version

    def migrate(self) -> int:
        """Apply pending forward migrations; returns the resulting version."""
        version = self.check_version()
        while version < SCHEMA_VERSION:
            with self.write():
                # Re-read inside the lock: another process may have migrated meanwhile.
                version = self.schema_version
                if version >= SCHEMA_VERSION:
                    break
                step = MIGRATIONS[version]
                if callable(step):
                    from sqlite_utils import (
                        Database,  # only to migrate: not on every start
                    )

                    step(Database(self.conn.raw))
                else:
                    for statement in _split_sql(step):
                        self.conn.execute(statement)
                version += 1
                self.conn.execute(f"PRAGMA user_version = {version}")
        return version

    # -- transactions ---------------------------------------------------
    @contextmanager
    def write(self) -> Iterator[Connection]:
        """An IMMEDIATE transaction, waiting up to `lock_wait` seconds while others hold the lock.

        Call it off the screen's event loop: waiting for the lock takes seconds
        when several engineers write at once.
        """
        if self.readonly:
            raise StoreNotWritable(f"{self.path} is open read-only; nothing was written")
        self._begin_immediate()
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException:
            # A failed COMMIT (disk full) may already have ended the transaction: the original
            # error is the one to tell, never "cannot rollback".
            if self.conn.raw.in_transaction:
                try:
                    self.conn.raw.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            raise

    def _begin_immediate(self) -> None:
        """Take the write lock, waiting up to `lock_wait` seconds, with every waiter as likely to get it.

        SQLite's own busy handler backs off to one try per 100 ms: under a stream of writes the
        newcomers, which retry within milliseconds, win again and again while an old waiter
        starves into "database is locked". Here every waiter retries every few milliseconds,
        whatever its age, so none starves.
        """
        deadline = time.monotonic() + self.lock_wait
        self.conn.execute("PRAGMA busy_timeout = 0")
        try:
            while True:
                try:
                    self.conn.execute("BEGIN IMMEDIATE")
                    return
                except StoreBusy:
                    if time.monotonic() >= deadline:
                        raise
                    time.sleep(0.001 + random.random() * 0.004)
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {max(1, int(self.lock_wait * 1000))}")

    @contextmanager
    def rolled_back(self) -> Iterator[Connection]:
        """A write transaction that is always rolled back: "what if", with nothing written."""
        self._begin_immediate()
        try:
            yield self.conn
        finally:
            if self.conn.raw.in_transaction:
                self.conn.raw.execute("ROLLBACK")

    def data_version(self) -> int:
        """Changes when *another* connection commits: a cheap "is there news?"."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise fault(exc, self.path) from exc

    def query_one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        try:
            return self.conn.execute(sql, params).fetchone()
        except sqlite3.Error as exc:
            raise fault(exc, self.path) from exc

    def is_empty(self) -> bool:
        return self.query_one("SELECT 1 FROM cases LIMIT 1") is None


def _connect(path: str, readonly: bool, *, immutable: bool = False) -> sqlite3.Connection:
    if readonly and path != ":memory:":
        uri = "file:" + Path(path).resolve().as_posix().replace("?", "%3f").replace("#", "%23") + "?mode=ro"
        if immutable:
            uri += "&immutable=1"
        raw = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False,
                              timeout=LOCK_WAIT)
    else:
        raw = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=LOCK_WAIT)
    raw.row_factory = sqlite3.Row
    return raw


def _private_folder(folder: Path) -> None:
    """Create *folder* (and missing parents) readable by its owner only; an existing one is left as it is."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for new in reversed(missing):
        new.mkdir(mode=0o700)
        new.chmod(0o700)  # mkdir's mode is filtered by the umask


def private_folder(folder: Path) -> None:
    """Create *folder* private to its owner, or take group/other permissions off it (the app's own folders)."""
    _private_folder(folder)
    _tighten(folder)


def _tighten(path: Path) -> str:
    """Make *path* private (customer data): no access for other users; returns a warning when it cannot.

    Group access stays only for a team's own group (a store shared by several engineers on one
    bastion: the file's group is not the owner's personal group); otherwise it goes too. Only
    for the store's own files and the app's own folders, never a parent folder like /tmp.
    """
    try:
        st = path.stat()
    except OSError:
        return ""
    remove = stat.S_IRWXO
    if st.st_gid == os.getgid():  # the owner's personal group: nobody else's business
        remove |= stat.S_IRWXG
    if not st.st_mode & remove:
        return ""
    if st.st_uid == os.getuid():
        try:
            path.chmod(stat.S_IMODE(st.st_mode) & ~remove)
            return ""
        except OSError:
            pass  # a read-only filesystem: say so below
    if st.st_mode & stat.S_IRWXO:
        return (f"{path} can be read by every user of this machine (mode {stat.S_IMODE(st.st_mode):04o}) "
                f"and is not yours to change: ask its owner to run `chmod o-rwx {path}`")
    return ""


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
