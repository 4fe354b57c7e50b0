"""Reaching a PostgreSQL server: connection options, how a store is named to people, faults said plainly.

A connection string may hold a password: people only ever see `display(url)`
(scheme, host, port, database). Every connection gives up connecting within
seconds and notices a dead peer within seconds (TCP keepalives), so nothing
waits long on a server that went away.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import psycopg
from psycopg import errors as pgerrors

from ...core.errors import (
    NotFound,
    Refused,
    StoreBusy,
    StoreConstraint,
    StoreError,
    StoreFull,
    StoreNotWritable,
    StoreUnreachable,
)
from .sql import configure_adapters, rows

CONNECT_TIMEOUT = 5  # seconds to open a connection (libpq's connect_timeout)

# The pool reports connection failures through logging: never onto the screen (the UI says it itself).
logging.getLogger("psycopg").addHandler(logging.NullHandler())
logging.getLogger("psycopg").propagate = False


def display(url: str) -> str:
    """*url* for people: scheme, host, port and database; never the user, password or options."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "localhost"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "postgresql://…"
    if ":" in host:
        host = f"[{host}]"
    return f"postgresql://{host}{port}{parts.path}"


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def connection_lost(exc: BaseException) -> bool:
    """Whether *exc* means the server went away (restart, network), not that it refused the statement."""
    if isinstance(exc, (pgerrors.AdminShutdown, pgerrors.CrashShutdown, pgerrors.CannotConnectNow)):
        return True
    if isinstance(exc, psycopg.OperationalError):
        state = getattr(exc, "sqlstate", None)
        return state is None or state.startswith("08")
    return isinstance(exc, psycopg.InterfaceError)


def unreachable(path: str, exc: BaseException | str) -> StoreUnreachable:
    why = exc if isinstance(exc, str) else _first_line(exc)
    return StoreUnreachable(f"{path}: store unreachable ({why}); nothing was written")


def fault(exc: psycopg.Error, path: str) -> Exception:
    """The user-facing error for a PostgreSQL failure on the store at *path* (or *exc* itself: a bug)."""
    if connection_lost(exc):
        return unreachable(path, exc)
    text = _first_line(exc)
    if isinstance(exc, pgerrors.ReadOnlySqlTransaction):
        return StoreNotWritable(f"{path}: the server only accepts reads (a read-only replica, or "
                                "default_transaction_read_only is on); nothing was written — point --db at "
                                "the primary server")
    if isinstance(exc, pgerrors.InsufficientPrivilege):
        return StoreNotWritable(f"{path}: your PostgreSQL role may not do this ({text}); nothing was written — "
                                "ask the administrator for the engineers' grants (README, Team set-up)")
    if isinstance(exc, (pgerrors.DiskFull, pgerrors.OutOfMemory, pgerrors.ProgramLimitExceeded)):
        return StoreFull(f"{path}: the server is out of space ({text}); nothing was written — tell the "
                         "database administrator")
    if isinstance(exc, (pgerrors.LockNotAvailable, pgerrors.DeadlockDetected, pgerrors.SerializationFailure,
                        pgerrors.QueryCanceled)):
        return StoreBusy(f"{path} stayed locked by other oncall processes; nothing was written — try again")
    if isinstance(exc, (psycopg.IntegrityError, pgerrors.RaiseException)):
        return StoreConstraint(f"{path}: {text}")
    if isinstance(exc, psycopg.DataError) and "NUL" in text:
        return Refused(f"{path}: the text holds a NUL character (\\x00), which PostgreSQL cannot store; "
                       "nothing was written — remove it and try again")
    if isinstance(exc, pgerrors.InvalidCatalogName):
        return NotFound(f"{path}: no such database ({text}); check --db or ONCALL_DB")
    if isinstance(exc, (pgerrors.InvalidAuthorizationSpecification, pgerrors.InvalidPassword)):
        return StoreUnreachable(f"{path}: the server refused the login ({text}); check the role, its password "
                                "(~/.pgpass) or its certificate")
    if isinstance(exc, psycopg.OperationalError):
        return StoreError(f"{path}: the store could not do it ({text}); nothing was written — try again")
    return exc


def connect_options() -> dict:
    """libpq options of every connection: give up connecting in seconds, notice a dead peer in seconds."""
    return {"autocommit": True, "row_factory": rows, "connect_timeout": CONNECT_TIMEOUT,
            "application_name": "oncall-tui", "keepalives": 1, "keepalives_idle": 10,
            "keepalives_interval": 3, "keepalives_count": 3,
            # A request the server never acknowledges (a silent network cut) fails within 5 s, not minutes.
            "tcp_user_timeout": 5000}


def connect(target: str, path: str) -> psycopg.Connection:
    """One connection of its own (not pooled), faults said as store faults."""
    try:
        conn = psycopg.connect(target, **connect_options())
    except psycopg.Error as exc:
        raise fault(exc, path) from exc
    configure_adapters(conn)
    return conn
