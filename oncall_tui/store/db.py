"""The store as every other module sees it: one interface, two engines.

`Store` is what queries, writes and the use cases hold; `open_store` (in
`store.engines`) picks the engine from the target: a path is an SQLite file
(`store.sqlite`), a `postgresql://` URL a PostgreSQL database
(`store.postgres`). Shared SQL is written in what both engines accept:
`?` placeholders, SQLite's case-blind LIKE, and its JSON functions (the
PostgreSQL schema defines `json_extract`, `json_valid` and `json_each` with
SQLite's meaning).

A connection (`Store.conn`, or the one `write()` yields) answers `execute`
and `executemany` with rows read by index or by column name, and the bulk
calls the importer and `oncall migrate` need (`insert_all`, `upsert_all`,
`set_columns`). Engine failures never reach a user raw: they become
`core.errors` store faults that say what to do.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator

from ..core.errors import Refused, StoreError, StoreNotWritable
from ..core.heat_model import HeatModel

LOCK_WAIT = 30.0  # seconds a write waits for other writers by default


class Store:
    """A handle on the shared store, migrated to the current schema (one per thread).

    `heat` is the model the store folds and scores cases with whenever a write
    changes them (a handle opened only to read may go without). `readonly`
    handles never write. `path` names the store to a user (never a secret);
    `target` is what opens it again (a URL may hold a password: never shown).
    """

    backend = ""  # "sqlite" | "postgresql": for reports and benchmarks, never for branching above the store
    conn: Any

    def __init__(self, path: str, target: str, heat: HeatModel | None = None, *, readonly: bool = False,
                 lock_wait: float = LOCK_WAIT, readonly_reason: str = "") -> None:
        self.path = path
        self.target = target
        self.heat = heat
        self.readonly = readonly
        self.lock_wait = lock_wait
        self.readonly_reason = readonly_reason or f"the store {path} is read-only for you"
        self.warnings: list[str] = []  # what the user should know about this store (its permissions)

    # -- what each engine provides ---------------------------------------------------
    def close(self) -> None:
        raise NotImplementedError

    @property
    def schema_version(self) -> int:
        raise NotImplementedError

    @property
    def latest_version(self) -> int:
        """The schema version this oncall writes (its engine's number of migrations)."""
        raise NotImplementedError

    def migrate(self) -> int:
        """Apply pending forward migrations; returns the resulting version."""
        raise NotImplementedError

    @contextmanager
    def write(self) -> Iterator[Any]:
        """One write transaction, waiting up to `lock_wait` seconds for other writers; call off the event loop."""
        raise NotImplementedError
        yield

    @contextmanager
    def rolled_back(self) -> Iterator[Any]:
        """A write transaction that is always rolled back: "what if", with nothing written."""
        raise NotImplementedError
        yield

    @contextmanager
    def snapshot(self) -> Iterator[Any]:
        """One consistent read of many queries: another engineer's write cannot land half inside it."""
        raise NotImplementedError
        yield

    def data_version(self) -> int:
        """Changes when another connection commits: a cheap "is there news?"."""
        raise NotImplementedError

    def watch(self, callback: Callable[[], None]) -> bool:
        """Call *callback* (from another thread) whenever another writer commits or the store's reachability
        changes; False when this engine cannot tell (then `data_version` is polled)."""
        return False

    def unwatch(self, callback: Callable[[], None]) -> None:
        """Stop calling *callback*."""

    def iterate(self, sql: str, params: tuple = (), *, size: int = 5000) -> Iterator[Any]:
        """The rows of a large read, streamed rather than all held at once."""
        raise NotImplementedError

    def iterate_open_cases(self, columns: str) -> Iterator[Any]:
        """*columns* of every open case, streamed (`iterate`), in no particular order."""
        return self.iterate(f"SELECT {columns} FROM cases WHERE is_open = 1")

    def query(self, sql: str, params: tuple | list = ()) -> list:
        return self.conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: tuple | list = ()):
        return self.conn.execute(sql, params).fetchone()

    def search_matches(self, terms: list, *, limit: int, customer_id: str | None, newest: bool,
                       budget: float | None, should_stop: Callable[[], bool] | None) -> tuple[Any, str]:
        """Full-text matches of every term: ([(seq, rank)], "ok") best first (rank: lower is better), or with
        *newest* the most recent matches; else (None, "timeout" | "cancelled") or (message, "error")."""
        raise NotImplementedError

    def scan_bodies(self, parts: list[str], *, limit: int, customer_id: str | None, budget: float | None,
                    should_stop: Callable[[], bool] | None) -> tuple[Any, str]:
        """The newest events whose body holds every one of *parts* as written (words of scripts without
        spaces, which no index splits): ([(seq, 0.0)], "ok"), or as `search_matches` says otherwise."""
        raise NotImplementedError

    def table_names(self) -> set[str]:
        raise NotImplementedError

    def columns(self, table: str) -> list[str]:
        """The columns of *table*, in order."""
        raise NotImplementedError

    def grant(self, role: str) -> None:
        """Give database role *role* what engineers need and no more (an engine with roles only)."""
        raise Refused(f"{self.path}: roles and grants are PostgreSQL's; an SQLite file is guarded by its "
                      "owner and mode")

    def after_copy(self, conn) -> None:
        """Inside the transaction that copied rows in as they were (`store.transfer`): let new rows
        continue the copied sequence numbers."""

    # -- shared -----------------------------------------------------------------------
    def heat_model(self) -> HeatModel:
        """The model writes rescore cases with; a handle opened without one cannot write cases."""
        if self.heat is None:
            raise StoreError(f"{self.path}: opened to read only (no heat model), cannot rescore cases")
        return self.heat

    def check_version(self) -> int:
        """The schema version, refused when newer than this oncall (or older, for a read-only handle)."""
        version, latest = self.schema_version, self.latest_version
        if version > latest:
            raise StoreError(f"{self.path}: schema version {version} is newer than this oncall "
                             f"({latest}); upgrade oncall-tui")
        if version < latest and self.readonly and version:
            raise StoreNotWritable(f"{self.path}: schema version {version} needs upgrading to {latest}, "
                                   "and the store is read-only; open it once with write access")
        return version

    def refuse_readonly(self) -> None:
        if self.readonly:
            raise StoreNotWritable(f"{self.readonly_reason}; nothing was written")

    def is_empty(self) -> bool:
        return self.query_one("SELECT 1 FROM cases LIMIT 1") is None

