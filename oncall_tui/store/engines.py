"""Opening the store: the target names the engine.

A `postgresql://` (or `postgres://`) URL opens PostgreSQL (`store.postgres`);
anything else is the path of an SQLite file (`store.sqlite`), the default for
one machine and the demo. psycopg loads only when a URL is given, so SQLite
users start as fast as before.
"""

from __future__ import annotations

import os

from ..core.heat_model import HeatModel
from .db import LOCK_WAIT, Store

SERVER_SCHEMES = ("postgresql://", "postgres://")


def is_server(target: str | os.PathLike[str]) -> bool:
    """Whether *target* names a database server rather than a file."""
    return str(target).startswith(SERVER_SCHEMES)


def open_store(target: str | os.PathLike[str], *, migrate: bool = True, heat: HeatModel | None = None,
               create: bool = True, readonly: bool = False, lock_wait: float = LOCK_WAIT) -> Store:
    """Open the store at *target* (a path, ':memory:', or a postgresql:// URL); see each engine's `open`."""
    if is_server(target):
        from .postgres.engine import PgStore

        return PgStore.open(str(target), migrate=migrate, heat=heat, create=create, readonly=readonly,
                            lock_wait=lock_wait)
    from .sqlite.engine import SqliteStore

    return SqliteStore.open(target, migrate=migrate, heat=heat, create=create, readonly=readonly,
                            lock_wait=lock_wait)
