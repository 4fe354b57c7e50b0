"""The PostgreSQL engine: one database shared by every bastion of a team (psycopg 3, psycopg-pool).

Each process keeps one connection pool per database, shared by its store
handles (the screen's reads, the writer thread, the sync thread), and — once
something watches for news — one listening connection (`listen.Listener`):
other bastions' commits arrive by LISTEN/NOTIFY, not by polling.

Writes keep SQLite's guarantees: `write()` is one transaction holding a
database-wide advisory lock, so writers take turns as on SQLite (checks such
as "someone replied meanwhile" stay exact, and sequence numbers are committed
in order, so a reader that has seen event N has seen every event before it).
A write that loses its connection while committing is settled, not guessed:
the transaction id it held tells whether it committed (`txid_status`), so a
retried write is never written twice.

Faults say what to do: an unreachable server is `StoreUnreachable` (nothing
was written; the pool and the listener reconnect by themselves), a read-only
server (a replica, or `default_transaction_read_only`) makes the handle
read-only with the reason.
Connection strings are shown without their user and password (`display`).
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator

import psycopg
from psycopg_pool import ConnectionPool, PoolClosed, PoolTimeout

from ...core.errors import NotFound, StoreClosed, StoreError, StoreUnreachable
from ...core.heat_model import HeatModel
from ..db import LOCK_WAIT, Store
from . import schema
from .connect import (
    CONNECT_TIMEOUT,
    connect,
    connect_options,
    connection_lost,
    display,
    fault,
    unreachable,
)
from .listen import Listener
from .search import matches, scan
from .sql import bind, configure_adapters, translate

#: The advisory lock every write holds (one writer at a time, as SQLite): "oncall" in ASCII.
WRITE_LOCK = 0x6F6E63616C6C
MIGRATE_LOCK = WRITE_LOCK + 1
SETTLE_WAIT = 300.0  # seconds a write whose commit went unanswered waits for the server to say what became of it
POOL_SIZE = 8


class Result:
    """The rows of a read done on a connection already given back to the pool."""

    __slots__ = ("rows", "rowcount", "_at")

    def __init__(self, rows: list, rowcount: int) -> None:
        self.rows = rows
        self.rowcount = rowcount
        self._at = 0

    def fetchone(self):
        if self._at >= len(self.rows):
            return None
        self._at += 1
        return self.rows[self._at - 1]

    def fetchall(self) -> list:
        rest, self._at = self.rows[self._at:], len(self.rows)
        return rest

    def __iter__(self):
        return iter(self.fetchall())


class Connection:
    """A pooled connection inside one transaction, speaking the shared SQL (see `sql.translate`)."""

    __slots__ = ("raw", "path")

    def __init__(self, raw: psycopg.Connection, path: str) -> None:
        self.raw = raw
        self.path = path

    def execute(self, sql: str, params=()):
        try:
            return self.raw.execute(*bind(sql, params))
        except psycopg.Error as exc:
            raise fault(exc, self.path) from exc

    def executemany(self, sql: str, rows) -> None:
        try:
            with self.raw.cursor() as cur:
                cur.executemany(translate(sql, "?"), rows)
        except psycopg.Error as exc:
            raise fault(exc, self.path) from exc

    # -- bulk writes (the importer, `oncall migrate`) ----------------------------------------
    def insert_all(self, table: str, rows: list[dict], *, ignore: bool = False) -> None:
        """Insert *rows* (dicts of column -> value); with *ignore*, rows whose key exists are left out."""
        if not rows:
            return
        columns = list(dict.fromkeys(c for r in rows for c in r))
        sql = (f"INSERT INTO {table}({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
               + (" ON CONFLICT DO NOTHING" if ignore else ""))
        self.executemany(sql, [tuple(r.get(c) for c in columns) for r in rows])

    def upsert_all(self, table: str, rows: list[dict], pk: tuple[str, ...]) -> None:
        """Insert *rows*, or update the columns they give where the key *pk* exists."""
        if not rows:
            return
        columns = list(dict.fromkeys(c for r in rows for c in r))
        rest = [c for c in columns if c not in pk]
        update = (f"DO UPDATE SET {', '.join(f'{c} = EXCLUDED.{c}' for c in rest)}" if rest else "DO NOTHING")
        sql = (f"INSERT INTO {table}({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
               f"ON CONFLICT ({', '.join(pk)}) {update}")
        self.executemany(sql, [tuple(r.get(c) for c in columns) for r in rows])

    def set_columns(self, table: str, columns: tuple[str, ...], key: str, rows: list[tuple]) -> None:
        """Set *columns* to each row's values where *key* is the row's last item, in one statement:
        [(value, ..., key)]. The values are integers."""
        if not rows:
            return
        *values, keys = zip(*rows)
        names = [f"v{n}" for n in range(len(columns))]
        assignments = ", ".join(f"{column} = v.{name}" for column, name in zip(columns, names))
        arrays = ", ".join("%s::bigint[]" for _ in columns)
        try:
            self.raw.execute(f"UPDATE {table} t SET {assignments} FROM unnest(%s::text[], {arrays}) "
                             f"AS v(key, {', '.join(names)}) WHERE t.{key} = v.key",
                             (list(keys), *map(list, values)))
        except psycopg.Error as exc:
            raise fault(exc, self.path) from exc

    def insert_rows(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        """Insert rows given as tuples in *columns* order, as they are (keys and sequence numbers too): COPY."""
        try:
            with self.raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        except psycopg.Error as exc:
            raise fault(exc, self.path) from exc

    def defer_foreign_keys(self) -> None:
        """Check references at COMMIT rather than per statement (sections of an import come in any order)."""
        self.execute("SET CONSTRAINTS ALL DEFERRED")


class Reader:
    """`PgStore.conn` outside a transaction: each statement on a pooled connection, its rows read at once."""

    __slots__ = ("store",)

    def __init__(self, store: "PgStore") -> None:
        self.store = store

    def execute(self, sql: str, params=()) -> Result:
        def run(conn: Connection) -> Result:
            cur = conn.execute(sql, params)
            return Result(cur.fetchall() if cur.description is not None else [], cur.rowcount)
        return self.store.borrow(run)

    def executemany(self, sql: str, rows) -> None:
        rows = list(rows)
        with self.store.write() as conn:
            conn.executemany(sql, rows)


class Shared:
    """What the store handles of one process share for one database: the pool, the listener, counters."""

    def __init__(self, target: str, path: str) -> None:
        self.target = target
        self.path = path
        self.users = 0
        self.commits = 0  # writes committed by this process: its own readers see news at once
        self.lock = threading.Lock()
        self.listener = None
        self.pool = ConnectionPool(target, min_size=1, max_size=POOL_SIZE, open=False, name="oncall",
                                   kwargs=connect_options(), configure=configure_adapters,
                                   reconnect_timeout=60.0)
        self.pool.open(wait=False)

    @property
    def down(self) -> bool:
        """The listener saw the server go and has not reached it again (reads fail at once meanwhile)."""
        return self.listener is not None and self.listener.down

    def listen(self) -> Listener:
        with self.lock:
            if self.listener is None:
                self.listener = Listener(self)
                self.listener.start()
        self.listener.wait_ready(CONNECT_TIMEOUT)
        return self.listener

    def close(self) -> None:
        if self.listener is not None:
            self.listener.stop()
        self.pool.close(timeout=2.0)


_SHARED: dict[str, Shared] = {}
_SHARED_LOCK = threading.Lock()


class PgStore(Store):
    """The store in a PostgreSQL database, shared by every bastion of the team."""

    backend = "postgresql"

    def __init__(self, shared: Shared, heat: HeatModel | None = None, *, readonly: bool = False,
                 lock_wait: float = LOCK_WAIT, readonly_reason: str = "") -> None:
        super().__init__(shared.path, shared.target, heat, readonly=readonly, lock_wait=lock_wait,
                         readonly_reason=readonly_reason)
        self.shared = shared
        self.reader = Reader(self)
        # The open transaction is the thread's that opened it: other threads of the app (the screen, a search,
        # the look for news) read on their own pooled connections meanwhile, never inside it.
        self._local = threading.local()
        self.released = False

    @classmethod
    def open(cls, target: str, *, migrate: bool = True, heat: HeatModel | None = None, create: bool = True,
             readonly: bool = False, lock_wait: float = LOCK_WAIT) -> "PgStore":
        """Open the store in the database at *target* (a postgresql:// URL).

        The schema is never created or upgraded by an engineer's role: with
        *migrate*, a role allowed to (the tables' owner) brings it forward,
        any other is told to ask for `oncall migrate --schema`. A server that
        only accepts reads opens read-only, saying why.
        """
        path = display(target)
        probe = connect(target, path)
        try:
            version, can_migrate = _schema_state(probe)
            latest = len(schema.MIGRATIONS)
            if version == 0 and not create:
                raise NotFound(f"no oncall store in {path}: an administrator creates it with "
                               "`oncall migrate --schema --to URL` (README, Team set-up)")
            if version < latest and migrate and not readonly:
                if not can_migrate and version == 0:
                    raise StoreError(f"no oncall store in {path} yet, and your role may not create one: an "
                                     "administrator creates it with `oncall migrate --schema --to URL` "
                                     "(README, Team set-up)")
                if not can_migrate:
                    raise StoreError(f"{path}: the oncall schema is at version {version}, this oncall needs "
                                     f"{latest}; an administrator runs `oncall migrate --schema --to URL` "
                                     "with the role that owns the tables (README, Team set-up)")
            recovery, read_only = probe.execute(
                "SELECT pg_is_in_recovery(), current_setting('default_transaction_read_only') = 'on'").fetchone()
        except psycopg.Error as exc:
            raise fault(exc, path) from exc
        finally:
            probe.close()
        reason = ""
        if recovery or read_only:
            readonly = True
            reason = (f"the server of {path} is a read-only replica" if recovery else
                      f"the server of {path} only accepts reads (default_transaction_read_only is on)")
        with _SHARED_LOCK:
            shared = _SHARED.get(target)
            if shared is None:
                shared = _SHARED[target] = Shared(target, path)
            shared.users += 1
        store = cls(shared, heat, readonly=readonly, lock_wait=lock_wait, readonly_reason=reason)
        try:
            if version < latest and migrate and not readonly:
                store.migrate()
            else:
                store.check_version()
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        if self.released:
            return
        self.released = True
        with _SHARED_LOCK:
            self.shared.users -= 1
            if self.shared.users > 0:
                return
            _SHARED.pop(self.target, None)
        self.shared.close()

    @property
    def _tx(self) -> Connection | None:
        return getattr(self._local, "tx", None)

    @_tx.setter
    def _tx(self, conn: Connection | None) -> None:
        self._local.tx = conn

    @property
    def conn(self):
        """The connection of the open transaction, else one that reads each statement on a pooled connection."""
        return self._tx if self._tx is not None else self.reader

    # -- connections -----------------------------------------------------------------------
    def _getconn(self) -> psycopg.Connection:
        # Another thread may still read while the store is closed (the app quitting): a clear error for it.
        if self.released:
            raise StoreClosed.at(self.path)
        if self.shared.down:
            raise unreachable(self.path, "the server went away; reconnecting")
        try:
            return self.shared.pool.getconn(timeout=CONNECT_TIMEOUT)
        except PoolTimeout:
            raise unreachable(self.path, f"no connection within {CONNECT_TIMEOUT} s") from None
        except PoolClosed:
            raise StoreClosed.at(self.path) from None

    def borrow(self, run: Callable[[Connection], object]):
        """*run(connection)* on a pooled connection: a read, tried again once on a connection found dead."""
        if self._tx is not None:
            return run(self._tx)
        for attempt in (1, 2):
            raw = self._getconn()
            try:
                return run(Connection(raw, self.path))
            except StoreUnreachable:
                if attempt == 2 or not raw.closed:
                    raise
                # A connection the server dropped while it sat in the pool (a restart): take a fresh one.
            finally:
                self.shared.pool.putconn(raw)
        raise AssertionError("unreachable")

    # -- schema ---------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        return self.borrow(lambda conn: _schema_state(conn.raw)[0])

    @property
    def latest_version(self) -> int:
        return len(schema.MIGRATIONS)

    def migrate(self) -> int:
        """Apply pending migrations, one transaction each, under a lock (two admins at once take turns)."""
        version = 0
        raw = self._getconn()
        try:
            while True:
                with raw.transaction():
                    raw.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK,))
                    version = _schema_state(raw)[0]
                    if version > self.latest_version:
                        self.check_version()
                    if version >= self.latest_version:
                        return version
                    raw.execute(schema.MIGRATIONS[version])
                    raw.execute("UPDATE oncall_schema SET version = %s", (version + 1,))
        except psycopg.Error as exc:
            raise fault(exc, self.path) from exc
        finally:
            self.shared.pool.putconn(raw)

    def grant(self, role: str) -> None:
        """Give *role* what engineers need and no more (schema owner only): see `schema.GRANTS`."""
        from psycopg import sql

        raw = self._getconn()
        try:
            with raw.transaction():
                current = raw.execute("SELECT current_schema()").fetchone()[0]
                for statement in schema.GRANTS.strip().splitlines():
                    raw.execute(sql.SQL(statement.replace("{schema}", "{s}").replace("{role}", "{r}")).format(
                        s=sql.Identifier(current), r=sql.Identifier(role)))
        except psycopg.Error as exc:
            raise fault(exc, self.path) from exc
        finally:
            self.shared.pool.putconn(raw)

    def table_names(self) -> set[str]:
        return {r[0] for r in self.query("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}

    def columns(self, table: str) -> list[str]:
        return [r[0] for r in self.query("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                                         "current_schema() AND table_name = ? ORDER BY ordinal_position", (table,))]

    def after_copy(self, conn: Connection) -> None:
        for table, column in conn.execute(
                "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = "
                "current_schema() AND is_identity = 'YES'").fetchall():
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                         f"COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)")

    # -- transactions ---------------------------------------------------------------------
    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction holding the store's write lock (waiting up to `lock_wait` seconds for it)."""
        self.refuse_readonly()
        with self._transaction(lock=True) as conn:
            yield conn

    @contextmanager
    def rolled_back(self) -> Iterator[Connection]:
        with self._transaction(lock=True, keep=False) as conn:
            yield conn

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        with self._transaction(begin="BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") as conn:
            yield conn

    @contextmanager
    def _transaction(self, *, lock: bool = False, keep: bool = True, begin: str = "BEGIN") -> Iterator[Connection]:
        if self._tx is not None:
            raise StoreError(f"{self.path}: a transaction is already open in this thread on this handle")
        raw, xid = self._begin(begin, lock)
        try:
            self._tx = Connection(raw, self.path)
            try:
                yield self._tx
            except BaseException:
                _abort(raw)
                raise
            finally:
                self._tx = None
            if not keep:
                _abort(raw)
                return
            try:
                raw.execute("COMMIT")
            except psycopg.Error as exc:
                if not (connection_lost(exc) and xid is not None):
                    _abort(raw)
                    raise fault(exc, self.path) from exc
                self._settle(xid, exc)  # returns only if the transaction did commit
            if xid is not None:
                self.shared.commits += 1
        finally:
            self.shared.pool.putconn(raw)

    def _begin(self, begin: str, lock: bool) -> tuple[psycopg.Connection, int | None]:
        """A pooled connection in a new transaction (holding the write lock with *lock*), and its transaction id."""
        for attempt in (1, 2):
            raw = self._getconn()
            try:
                raw.execute(begin)
                if not lock:
                    return raw, None
                raw.execute("SELECT set_config('lock_timeout', %s, true)", (f"{max(1, int(self.lock_wait * 1000))}ms",))
                # txid_current() also refuses at once on a server that only accepts reads.
                xid = raw.execute("SELECT txid_current() FROM (SELECT pg_advisory_xact_lock(%s)) AS locked",
                                  (WRITE_LOCK,)).fetchone()[0]
                return raw, xid
            except psycopg.Error as exc:
                _abort(raw)
                self.shared.pool.putconn(raw)
                if attempt == 1 and connection_lost(exc):
                    continue  # a connection the server dropped while it sat in the pool: take a fresh one
                raise fault(exc, self.path) from exc
        raise AssertionError("unreachable")

    def _settle(self, xid: int, lost: BaseException) -> None:
        """The connection was lost during COMMIT: ask the server (once back) whether transaction *xid* committed.

        Returns if it did; raises StoreUnreachable (nothing was written: safe to try again) if it did not,
        StoreError (may or may not be saved) if the server does not answer within SETTLE_WAIT seconds.
        """
        deadline = time.monotonic() + SETTLE_WAIT
        while time.monotonic() < deadline:
            try:
                with psycopg.connect(self.target, **connect_options()) as conn:
                    status = conn.execute("SELECT txid_status(%s)", (xid,)).fetchone()[0]
            except psycopg.Error:
                time.sleep(0.5)
                continue
            if status == "committed":
                return
            if status != "in progress":
                raise unreachable(self.path, f"the connection was lost before the write was confirmed: {lost}")
            time.sleep(0.1)
        raise StoreError(f"{self.path}: the connection was lost while a write was being committed, and the server "
                         f"did not answer within {SETTLE_WAIT:.0f} s: it may or may not be saved — look at the "
                         "history before writing it again")

    # -- news -------------------------------------------------------------------------------
    def data_version(self) -> int:
        """Grows with every notification from other writers and every commit of this process."""
        if self.released:
            raise StoreClosed.at(self.path)
        listener = self.shared.listen()
        if listener.down:
            raise unreachable(self.path, "the server went away; reconnecting")
        return listener.version + self.shared.commits

    def watch(self, callback: Callable[[], None]) -> bool:
        self.shared.listen().callbacks.append(callback)
        return True

    def unwatch(self, callback: Callable[[], None]) -> None:
        if self.shared.listener is not None and callback in self.shared.listener.callbacks:
            self.shared.listener.callbacks.remove(callback)

    # -- reads -----------------------------------------------------------------------------
    def iterate(self, sql: str, params: tuple = (), *, size: int = 5000) -> Iterator:
        """Rows streamed through a server-side cursor, *size* at a time (in the open transaction, if any)."""
        if self._tx is not None:
            yield from self._stream(self._tx, sql, params, size)
            return
        with self.snapshot() as conn:
            yield from self._stream(conn, sql, params, size)

    def _stream(self, conn: Connection, sql: str, params: tuple, size: int) -> Iterator:
        try:
            with conn.raw.cursor(name="oncall_iterate") as cur:
                cur.itersize = size
                cur.execute(*bind(sql, params))
                yield from cur
        except psycopg.Error as exc:
            raise fault(exc, self.path) from exc

    def search_matches(self, terms: list, *, limit: int, customer_id: str | None, newest: bool,
                       budget: float | None, should_stop: Callable[[], bool] | None):
        return matches(self, terms, limit=limit, customer_id=customer_id, newest=newest, budget=budget,
                       should_stop=should_stop)

    def scan_bodies(self, parts: list[str], *, limit: int, customer_id: str | None, budget: float | None,
                    should_stop: Callable[[], bool] | None):
        return scan(self, parts, limit=limit, customer_id=customer_id, budget=budget, should_stop=should_stop)


def _abort(raw: psycopg.Connection) -> None:
    """End the connection's transaction without keeping anything (a dead connection has none to end)."""
    if raw.closed or raw.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
        return
    try:
        raw.execute("ROLLBACK")
    except psycopg.Error:
        pass


def _schema_state(raw: psycopg.Connection) -> tuple[int, bool]:
    """(schema version, whether this role may create and change the schema's objects)."""
    row = raw.execute(
        "SELECT to_regclass('oncall_schema') IS NOT NULL, "
        "has_schema_privilege(current_schema(), 'CREATE') AND "
        "(to_regclass('oncall_schema') IS NULL OR pg_has_role((SELECT relowner FROM pg_class "
        " WHERE oid = to_regclass('oncall_schema')), 'USAGE'))").fetchone()
    exists, can = row
    if not exists:
        return 0, bool(can)
    return raw.execute("SELECT version FROM oncall_schema").fetchone()[0], bool(can)
