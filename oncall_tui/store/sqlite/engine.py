"""The SQLite engine: one file shared by every engineer's process on the bastion.

WAL mode lets readers keep reading while one process writes; `busy_timeout`
plus our own retry with backoff means a user never sees "database is locked"
for ordinary contention. Writes go through `write()`, which opens an
IMMEDIATE transaction so a write never fails half-way on a lock upgrade.
Another process's commit is noticed with `PRAGMA data_version` (polled).

SQLite's own errors never reach a user raw: a full disk, a read-only file, a
damaged file or a lock held too long become `core.errors` store faults whose
message names the file and says what to do. The store and its folder are
private to their owner (0600 and 0700), whatever the umask.
"""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from ...core.errors import (
    NotFound,
    StoreBusy,
    StoreClosed,
    StoreConstraint,
    StoreCorrupt,
    StoreError,
    StoreFull,
    StoreNotWritable,
)
from ...core.heat_model import HeatModel
from ..db import LOCK_WAIT, Store
from ..files import make_private_folder, tighten
from . import schema

# SQLite primary result codes (sqlite3.h) behind the faults a user can do something about.
_BUSY, _LOCKED, _NOMEM, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB, _PERM, _CONSTRAINT = (
    5, 6, 7, 8, 10, 11, 13, 14, 26, 3, 19)


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
    if primary == _CONSTRAINT or isinstance(exc, sqlite3.IntegrityError):
        return StoreConstraint(f"{path}: {text}")
    return exc


class Connection:
    """The store's sqlite3 connection, SQLite's failures said as store faults (see `fault`).

    Several threads use one connection (the screen's reads, a worker looking for other engineers'
    writes, a search). Closing it while another thread is inside SQLite frees what that thread is
    using: the process dies (a segmentation fault, seen when the app quit during a look for news).
    So every use is counted (`in_use`), and `close` interrupts a statement in flight and leaves the
    closing to the last user; a use after close is a `StoreClosed` error, never a crash.
    """

    __slots__ = ("raw", "path", "_bulk", "_guard", "_users", "_shut", "transaction_lock")

    def __init__(self, raw: sqlite3.Connection, path: str) -> None:
        self.raw = raw
        self.path = path
        self._bulk = None
        self._guard = threading.Lock()
        self._users = 0
        self._shut = False
        # A transaction belongs to the connection, not to a thread: one thread's BEGIN would make another's
        # fail ("cannot start a transaction within a transaction") or run inside it. One at a time.
        self.transaction_lock = threading.RLock()

    def _enter(self) -> None:
        with self._guard:
            if self._shut:
                raise StoreClosed.at(self.path)
            self._users += 1

    def _leave(self) -> None:
        with self._guard:
            self._users -= 1
            last = self._shut and self._users == 0
        if last:
            self.raw.close()

    def _fault(self, exc: sqlite3.Error) -> Exception:
        if self._shut:  # interrupted by close, or a cursor read after it
            return StoreClosed.at(self.path)
        return fault(exc, self.path)

    @contextmanager
    def in_use(self) -> Iterator["Connection"]:
        """Hold the connection open for a whole unit of work (a transaction, a query and its rows)."""
        self._enter()
        try:
            yield self
        except sqlite3.Error as exc:
            raise self._fault(exc) from exc
        except SystemError as exc:
            # An `interrupt` from `close` racing a statement on another thread can end it in the sqlite3
            # module's own SystemError ("returned NULL without setting an exception"): a close, nothing else.
            if not self._shut:
                raise
            raise StoreClosed.at(self.path) from exc
        finally:
            self._leave()

    def execute(self, sql: str, params=()) -> sqlite3.Cursor:
        with self.in_use():
            return self.raw.execute(sql, params)

    def executemany(self, sql: str, rows) -> sqlite3.Cursor:
        with self.in_use():
            return self.raw.executemany(sql, rows)

    def fetch_all(self, sql: str, params=()) -> list[sqlite3.Row]:
        """Every row of *sql*, the connection held open until the last one is read."""
        with self.in_use():
            rows = self.raw.execute(sql, params).fetchall()
            self.check_not_cut()
            return rows

    def fetch_one(self, sql: str, params=()) -> sqlite3.Row | None:
        """The first row of *sql* (None: no row)."""
        with self.in_use():
            row = self.raw.execute(sql, params).fetchone()
            self.check_not_cut()
            return row

    def check_not_cut(self) -> None:
        # A statement interrupted by `close` may end as if it had no more rows (a PRAGMA gives none):
        # rows read while closing are not trusted to be all of them.
        if self._shut:
            raise StoreClosed.at(self.path)

    # -- bulk writes (the importer, `oncall migrate`) ----------------------------------------
    def _db(self):
        # sqlite-utils on the store's own connection: its writes join our transaction (as savepoints).
        # Measured: its multi-row INSERTs beat executemany for imports (store/importer.py).
        if self._bulk is None:
            from sqlite_utils import (
                Database,  # only to import or migrate: not on every start
            )

            self._bulk = Database(self.raw, recursive_triggers=False, execute_plugins=False)
        return self._bulk

    def insert_all(self, table: str, rows: list[dict], *, ignore: bool = False) -> None:
        """Insert *rows* (dicts of column -> value); with *ignore*, rows whose key exists are left out."""
        try:
            self._db()[table].insert_all(rows, ignore=ignore)
        except sqlite3.Error as exc:
            raise fault(exc, self.path) from exc

    def upsert_all(self, table: str, rows: list[dict], pk: tuple[str, ...]) -> None:
        """Insert *rows*, or update the columns they give where the key *pk* exists."""
        try:
            self._db()[table].upsert_all(rows, pk=pk[0] if len(pk) == 1 else pk)
        except sqlite3.Error as exc:
            raise fault(exc, self.path) from exc

    def set_columns(self, table: str, columns: tuple[str, ...], key: str, rows: list[tuple]) -> None:
        """Set *columns* to each row's values where *key* is the row's last item: [(value, ..., key)]."""
        assignments = ", ".join(f"{column} = ?" for column in columns)
        self.executemany(f"UPDATE {table} SET {assignments} WHERE {key} = ?", rows)

    def insert_rows(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        """Insert rows given as tuples in *columns* order, as they are (keys and sequence numbers too)."""
        self.executemany(f"INSERT INTO {table}({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                         rows)

    def defer_foreign_keys(self) -> None:
        """Check references at COMMIT rather than per statement (sections of an import come in any order)."""
        self.execute("PRAGMA defer_foreign_keys = ON")

    def set_progress_handler(self, handler, n: int) -> None:
        self.raw.set_progress_handler(handler, n)

    def close(self) -> None:
        """Close now, or, while another thread is inside SQLite, stop its statement and let it close."""
        with self._guard:
            if self._shut:
                return
            self._shut = True
            busy = self._users > 0
        if busy:
            self.raw.interrupt()  # the statement in flight ends with "interrupted": its user closes
        else:
            self.raw.close()


class SqliteStore(Store):
    """The store in one SQLite file (WAL), or ':memory:' for a private one."""

    backend = "sqlite"

    def __init__(self, conn: Connection, path: str, heat: HeatModel | None = None, *,
                 readonly: bool = False, lock_wait: float = LOCK_WAIT) -> None:
        super().__init__(path, path, heat, readonly=readonly, lock_wait=lock_wait)
        self.conn = conn
        # Read as it was when opened (`immutable`): a read-only WAL file nobody else had open (see `open`).
        self.as_opened = False

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, migrate: bool = True, heat: HeatModel | None = None,
             create: bool = True, readonly: bool = False, lock_wait: float = LOCK_WAIT) -> "SqliteStore":
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
                make_private_folder(file.parent)
                # Created private before SQLite opens it: SQLite gives the -wal and -shm files the same mode.
                os.close(os.open(file, os.O_CREAT | os.O_WRONLY, 0o600))
            warnings = [w for w in (tighten(file),) if w]
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
                    tighten(Path(path + suffix))  # SQLite gives them the store's mode: reported with it
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
                    store.as_opened = True
                    store.readonly_reason = (
                        f"the store {path} is read-only for you and nobody else has it open: shown as it was "
                        "at start — restart to see later changes, or ask for write access to its folder")
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

    # -- schema ---------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    @property
    def latest_version(self) -> int:
        return len(schema.MIGRATIONS)

    def migrate(self) -> int:
        """Apply pending forward migrations; returns the resulting version."""
        version = self.check_version()
        while version < self.latest_version:
            with self.write():
                # Re-read inside the lock: another process may have migrated meanwhile.
                version = self.schema_version
                if version >= self.latest_version:
                    break
                step = schema.MIGRATIONS[version]
                if callable(step):
                    step(self.conn._db())
                else:
                    for statement in _split_sql(step):
                        self.conn.execute(statement)
                version += 1
                self.conn.execute(f"PRAGMA user_version = {version}")
        return version

    def table_names(self) -> set[str]:
        return {r[0] for r in self.query("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def columns(self, table: str) -> list[str]:
        return [r[1] for r in self.query(f"PRAGMA table_info({table})")]

    # -- transactions ---------------------------------------------------
    @contextmanager
    def write(self) -> Iterator[Connection]:
        """An IMMEDIATE transaction, waiting up to `lock_wait` seconds while others hold the lock.

        Call it off the screen's event loop: waiting for the lock takes seconds
        when several engineers write at once.
        """
        if self.readonly:
            raise StoreNotWritable(f"{self.path} is open read-only; nothing was written")
        with self._transaction_held():
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

    @contextmanager
    def _transaction_held(self) -> Iterator[None]:
        """The connection kept open and its transaction ours (another thread's waits up to `lock_wait`)."""
        with self.conn.in_use():
            if not self.conn.transaction_lock.acquire(timeout=self.lock_wait):
                raise StoreBusy(f"{self.path}: another task of this oncall held the store's connection in a "
                                f"transaction for {self.lock_wait:.0f} s; nothing was written — try again")
            try:
                yield
            finally:
                self.conn.transaction_lock.release()

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
        with self._transaction_held():
            self._begin_immediate()
            try:
                yield self.conn
            finally:
                if self.conn.raw.in_transaction:
                    self.conn.raw.execute("ROLLBACK")

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        with self._transaction_held():
            self.conn.execute("BEGIN")  # a deferred transaction: one read snapshot for every query inside
            try:
                yield self.conn
            finally:
                if self.conn.raw.in_transaction:
                    self.conn.raw.execute("COMMIT")

    def data_version(self) -> int:
        """Changes when *another* connection commits: a cheap "is there news?"."""
        return self.conn.fetch_one("PRAGMA data_version")[0]

    def iterate(self, sql: str, params: tuple = (), *, size: int = 5000) -> Iterator[sqlite3.Row]:
        with self.conn.in_use():  # held until the last row is read (or the iterator is dropped)
            yield from self.conn.execute(sql, params)  # an SQLite cursor already steps through the rows
            self.conn.check_not_cut()

    def iterate_open_cases(self, columns: str) -> Iterator[sqlite3.Row]:
        # SQLite keeps no statistics here (no ANALYZE), so it always reaches open cases through the queue
        # index: right when they are a few among many closed ones, but when most cases are open, going
        # through the index costs a random table read per row, and reading the table straight through is
        # about twice as fast (0.2 s against 0.36 s for 100k cases). The open count is kept by triggers;
        # the highest rowid stands for the number of cases (they are not deleted).
        open_count = self.conn.fetch_one("SELECT SUM(n) FROM queue_counts")[0] or 0
        cases = self.conn.fetch_one("SELECT MAX(rowid) FROM cases")[0] or 0
        source = "cases NOT INDEXED" if 2 * open_count > cases else "cases"
        return self.iterate(f"SELECT {columns} FROM {source} WHERE is_open = 1")

    def query(self, sql: str, params: tuple | list | dict = ()) -> list[sqlite3.Row]:
        return self.conn.fetch_all(sql, params)

    def query_one(self, sql: str, params: tuple | list | dict = ()) -> sqlite3.Row | None:
        return self.conn.fetch_one(sql, params)

    def search_matches(self, terms: list, *, limit: int, customer_id: str | None, newest: bool,
                       budget: float | None, should_stop: Callable[[], bool] | None):
        from .search import matches

        with self.conn.in_use():
            return matches(self.conn, terms, limit=limit, customer_id=customer_id, newest=newest, budget=budget,
                           should_stop=should_stop)

    def scan_bodies(self, parts: list[str], *, limit: int, customer_id: str | None, budget: float | None,
                    should_stop: Callable[[], bool] | None):
        from .search import scan

        with self.conn.in_use():
            return scan(self.conn, parts, limit=limit, customer_id=customer_id, budget=budget,
                        should_stop=should_stop)


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
