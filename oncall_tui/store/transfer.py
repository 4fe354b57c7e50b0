"""Moving a whole store from one engine to the other (`oncall migrate --from … --to …`), losslessly.

Every table is copied row for row, keys and sequence numbers included, from
one read snapshot of the source into one write transaction on the target:
all or nothing. What the target derives by itself is not copied but rebuilt
by its own triggers as the rows arrive (the full-text index, the queue's
band counts); the change log starts empty (it is news for screens, not data)
and who-is-where (presence) is left behind (it expires in seconds anyway).
The target must be empty and on the same schema version; a table whose
columns differ between the two is refused by name, so nothing is dropped
silently. Both directions work: SQLite to PostgreSQL, and back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice
from typing import Callable

from ..core.errors import Refused
from .db import Store

#: Tables in the order references allow (a customer before its cases, an event before its outbox row).
ORDER = ("customers", "engineers", "incidents", "assets", "cases", "events", "handoffs", "handoff_acks",
         "outbox", "sync_cursors", "heat_samples", "drafts")
#: Rebuilt by the target (triggers), news only, or expiring within seconds: not copied.
NOT_COPIED = {"queue_counts", "changes", "presence", "events_fts", "oncall_schema"}
#: Tables whose insertion order is kept by a `rowid` (implicit in SQLite, a column in PostgreSQL).
ROWID_TABLES = {"handoffs"}
BATCH = 5000


@dataclass
class Moved:
    """Rows copied, per table, in the order they were copied."""

    tables: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        return ", ".join(f"{n} {table}" for table, n in self.tables.items())


def tables_to_copy(source: Store) -> list[str]:
    """The known tables in reference order, then any other table of the source (copied all the same)."""
    names = {t for t in source.table_names() if not t.startswith(("sqlite_", "events_fts"))} - NOT_COPIED
    return [t for t in ORDER if t in names] + sorted(names - set(ORDER))


def transfer(source: Store, target: Store, *, progress: Callable[[str, int], None] | None = None) -> Moved:
    """Copy every row of *source* into the empty *target*; Refused (nothing written) when that is not possible."""
    if source.schema_version != target.schema_version:
        raise Refused(f"{source.path} is at schema version {source.schema_version} and {target.path} at "
                      f"{target.schema_version}: open both with this oncall first so they are on the same one")
    tables = tables_to_copy(source)
    missing = sorted(set(tables) - target.table_names())
    if missing:
        raise Refused(f"{target.path} has no table {', '.join(missing)}: nothing was copied")
    columns = {}
    for table in tables:
        mine, theirs = source.columns(table), target.columns(table)
        if set(mine) - {"rowid"} != set(theirs) - {"rowid"}:
            raise Refused(f"table {table}: {source.path} has columns {', '.join(sorted(set(mine) - set(theirs))) or '-'}"
                          f" that {target.path} lacks, and lacks {', '.join(sorted(set(theirs) - set(mine))) or '-'}; "
                          "nothing was copied")
        columns[table] = (("rowid",) if table in ROWID_TABLES else ()) + tuple(c for c in mine if c != "rowid")
    held = [t for t in tables if target.query_one(f"SELECT 1 FROM {t} LIMIT 1") is not None]
    if held:
        raise Refused(f"{target.path} already holds data ({', '.join(held)}): copy into an empty store; "
                      "nothing was copied")
    moved = Moved()
    with source.snapshot(), target.write() as conn:
        conn.defer_foreign_keys()
        for table in tables:
            cols = columns[table]
            rows = iter(source.iterate(f"SELECT {', '.join(cols)} FROM {table} ORDER BY {_order(table, cols)}"))
            n = 0
            while chunk := [tuple(r) for r in islice(rows, BATCH)]:
                try:
                    conn.insert_rows(table, cols, chunk)
                except Refused:
                    _name_the_record(table, cols, chunk)
                    raise
                n += len(chunk)
                if progress is not None:
                    progress(table, n)
            moved.tables[table] = n
        conn.execute("DELETE FROM changes")  # the copy is not news: screens start from here
        target.after_copy(conn)
    return moved


def _order(table: str, columns: tuple[str, ...]) -> str:
    # A stable order: sequence numbers where there are some, else every column.
    for key in ("rowid", "seq", "id"):
        if key in columns:
            return key
    return ", ".join(columns)


def _name_the_record(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Raise Refused naming the first row of *rows* with a NUL character (what PostgreSQL text cannot hold)."""
    key = next((c for c in ("id", "seq", "name") if c in columns), columns[0])
    for row in rows:
        for column, value in zip(columns, row):
            if isinstance(value, str) and "\x00" in value:
                raise Refused(f"{table} {row[columns.index(key)]}: {column} holds a NUL character (\\x00), which "
                              "PostgreSQL cannot store; nothing was copied — correct it in the source (a new "
                              "event for the history), then copy again")
