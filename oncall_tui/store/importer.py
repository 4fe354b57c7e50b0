"""Import an interchange document into the store: all or nothing, idempotent, memory bounded.

Two passes over the records, never the whole document in memory:

1. **check** — every record against the declared format, plus the rules
   across records and against the store (`interchange.Checker`); ids go to a
   scratch ledger on disk. Any problem: InvalidDocument listing them all (up to
   a thousand, then it says where it stopped),
   and the store was never locked.
2. **write** — the records again, in one write transaction, in batches
   through the connection's bulk calls (`upsert_all`/`insert_all`: on SQLite
   sqlite-utils on the store's own connection, so they share the
   transaction; on PostgreSQL pipelined INSERT … ON CONFLICT). Rows
   identical to the stored ones are left alone, so a re-import changes
   nothing, not even the change log. Foreign keys are checked at COMMIT, so
   sections may come in any order. Only the reads that decide what to write
   (which stored rows differ) are plain SELECTs. Measured on SQLite:
   `executemany` for the events, the hot path, was slower than `insert_all`'s
   multi-row INSERTs (13.0 s against 10.7 s CPU for a 40 MB file).
   If anything fails (the file changed, a conflict appeared meanwhile, the disk
   filled up) the transaction is rolled back: nothing was imported.

Events are append-only (triggers refuse UPDATE and DELETE), so an event id
seen with other content — already in the store, or twice in the document —
cannot be "replaced". The policy is `refuse` (a problem, nothing imported) or
`keep` (the stored event, or the document's first one, stays; the others are
counted in the report). Correcting an event is a new event, as everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ..core.errors import InvalidDocument, StoreConstraint
from ..core.heat_model import HeatModel
from ..core.timeutil import format_ts
from .db import Store
from .derived import refresh_cases
from .import_ledger import Ledger
from .import_problems import Problems, join, shown
from .import_reader import DEFAULT_MAX_MB, FileSource, Item, document_items, record_path
from .import_schema import TimeWindow
from .interchange import EVENT_CONTENT, Checker, Document, EventPlace, conflict, parse

BATCH = 2000   # rows (customers, assets, cases, events, …) written per batch
_IN = 500      # ids per "WHERE id IN (...)"


@dataclass
class ImportReport:
    customers: int = 0
    cases: int = 0
    events_added: int = 0
    events_skipped: int = 0
    events_kept: int = 0  # conflicting events of the document left out, the stored one kept

    def line(self) -> str:
        kept = f"; {self.events_kept} conflicting events left out, the stored ones kept" if self.events_kept else ""
        return (f"{self.customers} customers, {self.cases} cases, {self.events_added} new events"
                f" ({self.events_skipped} already present){kept}")


def load_json_file(path: str | Path, *, max_mb: float = DEFAULT_MAX_MB) -> Any:
    """A whole interchange file in memory (for small files: the demo, tests); problems as InvalidDocument."""
    doc: dict[str, Any] = {}
    with FileSource(path, max_bytes=int(max_mb * (1 << 20))) as source:
        for item in source.items():
            if item.index is None:
                doc[item.key] = item.value
            else:
                doc.setdefault(item.key, []).append(item.value)
    return doc


def import_document(store: Store, doc: Any, *, now: datetime, source: str | None = None,
                    cursor: str | None = None, on_conflict: str = "keep",
                    window: TimeWindow | None = None, also: Callable[[Any], None] | None = None) -> ImportReport:
    """Check *doc* (in memory) completely, then write it in one transaction.

    Ids are keys: customers, cases and assets are upserted, events are inserted
    once (re-importing the same document adds nothing). With *source* and
    *cursor* the sync cursor moves in the same transaction, so a crash never
    leaves events without their cursor or the reverse. *on_conflict* says what
    an event id seen with other content does: "keep" (the default here, as the
    helpdesk sync always had it) or "refuse". *window*: refuse timestamps
    outside it (`TimeWindow.around(now)`); None accepts any. *also(conn)* writes
    more in the same transaction (a sync's people), after the document.
    """
    return _import(store, lambda: document_items(doc), now=now, on_conflict=on_conflict, window=window,
                   source=source, cursor=cursor, also=also)


def import_path(store: Store, path: str | Path, *, now: datetime, on_conflict: str = "refuse",
                window: TimeWindow | None = None, max_bytes: int = DEFAULT_MAX_MB << 20) -> ImportReport:
    """Import the interchange file at *path*, read as a stream (twice): regular files only, up to *max_bytes*."""
    with FileSource(path, max_bytes=max_bytes) as file:
        return _import(store, file.items, now=now, on_conflict=on_conflict, window=window)


def _import(store: Store, items: Callable[[], Iterator[Item]], *, now: datetime, on_conflict: str,
            window: TimeWindow | None, source: str | None = None, cursor: str | None = None,
            also: Callable[[Any], None] | None = None) -> ImportReport:
    heat = store.heat_model()
    with Ledger() as ledger:
        checker = Checker(ledger, StoreKnown(store.conn), window=window, on_conflict=on_conflict)
        report = ImportReport()
        try:
            for item in items():
                checker.check(item)
                if item.index is not None and item.key in ("customers", "cases"):
                    setattr(report, item.key, getattr(report, item.key) + 1)
                if checker.problems.full:
                    checker.problems.stop(record_path(item.key, item.index) if item.index is not None
                                          else join("document", item.key))
                    checker.problems.raise_if_any()
        except InvalidDocument as exc:  # the reading stopped: what was found so far, then why it stopped
            checker.problems.extend(exc.problems)
            checker.problems.raise_if_any()
        checker.finish().raise_if_any()
        try:
            with store.write() as conn:
                conn.defer_foreign_keys()  # sections may come in any order
                writer = Writer(conn, ledger, now, on_conflict, report)
                for item in items():
                    rows, problems = parse(item, window)
                    if problems:
                        raise InvalidDocument([*problems[:5], "document: the file changed while it was being "
                                               "imported; nothing was imported — import it again"])
                    writer.add(rows)
                writer.finish(heat)
                if also is not None:
                    also(conn)
                if source is not None and cursor is not None:
                    conn.upsert_all("sync_cursors", [{"source": source, "cursor": cursor,
                                                      "updated_at": format_ts(now)}], ("source",))
        except StoreConstraint as exc:  # a customer or incident went away between the two passes
            raise InvalidDocument([f"document: {exc} — the store changed during the import; nothing was imported, "
                                   "import again"]) from None
    return report


class StoreKnown:
    """What the store holds, for the checks of pass one (reads only, no lock)."""

    _TABLES = {"customer": "customers", "incident": "incidents"}

    def __init__(self, conn) -> None:
        self.conn = conn

    def has(self, kind: str, key: str) -> bool:
        table = self._TABLES[kind]
        return self.conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (key,)).fetchone() is not None

    def events(self, ids: list[str]) -> dict[str, tuple]:
        return {row[0]: tuple(row[1:]) for row in _rows_in(self.conn, "events", ("id", *EVENT_CONTENT), "id", ids)}


def _rows_in(conn, table: str, columns: Iterable[str], key: str, values: list) -> Iterator:
    cols = ", ".join(columns)
    for start in range(0, len(values), _IN):
        chunk = values[start:start + _IN]
        yield from conn.execute(f"SELECT {cols} FROM {table} WHERE {key} IN ({', '.join('?' * len(chunk))})",
                                chunk)


class Writer:
    """Pass two: rows written in batches inside the caller's transaction; what changed is counted."""

    def __init__(self, conn, ledger: Ledger, now: datetime, on_conflict: str, report: ImportReport) -> None:
        self.conn = conn
        self.ledger = ledger
        self.now = now
        self.recorded = format_ts(now)
        self.on_conflict = on_conflict
        self.report = report
        self.pending = Document()
        self.pending_rows = 0
        self.problems = Problems()

    def add(self, rows: Document) -> None:
        self.pending.extend(rows)
        self.pending_rows += rows.size()
        if self.pending_rows >= BATCH:
            self.flush()

    def finish(self, heat: HeatModel) -> None:
        self.flush()
        self.problems.raise_if_any()
        refresh_cases(self.conn, self.ledger.touched(), self.now, heat)

    def flush(self) -> None:
        d, self.pending, self.pending_rows = self.pending, Document(), 0
        self._customers(d.customers)
        self._upsert_changed("assets", d.assets, ("customer_id", "kind", "name"))
        self._upsert_changed("engineers", d.engineers, ("name",))
        self._incidents(d.incidents)
        self._cases(d.cases)
        self._events(d.events, d.event_places)
        if d.attachments:
            # Described once per event: a re-import (or a sync pulling the event again) adds nothing.
            self.conn.insert_all("attachments", d.attachments, ignore=True)
        if d.handoffs:
            self.conn.insert_all("handoffs", d.handoffs, ignore=True)
        if d.acks:
            self.conn.insert_all("handoff_acks", d.acks, ignore=True)

    # -- one table each ----------------------------------------------------------------------
    def _existing(self, table: str, rows: list[dict], pk: tuple[str, ...], columns: Iterable[str]) -> dict:
        """Stored rows with the primary keys of *rows*, by key tuple."""
        first = pk[0]
        cols = tuple(dict.fromkeys((*pk, *columns)))
        found = {}
        for row in _rows_in(self.conn, table, cols, first, list({r[first] for r in rows})):
            found[tuple(row[k] for k in pk)] = dict(zip(cols, row))
        return found

    def _upsert_changed(self, table: str, rows: list[dict], pk: tuple[str, ...]) -> None:
        """Upsert the rows that are new or differ from the stored ones (a re-import writes nothing)."""
        if not rows:
            return
        stored = self._existing(table, rows, pk, rows[0].keys())
        changed = [r for r in rows if stored.get(tuple(r[k] for k in pk)) != r]
        if changed:
            self.conn.upsert_all(table, changed, pk)

    def _customers(self, rows: list[dict]) -> None:
        # A field absent from the document (None) keeps what the store has (what engineers wrote in the
        # tool, what another source said): rows are upserted without those columns, grouped by shape.
        shapes: dict[tuple[str, ...], list[dict]] = {}
        for r in rows:
            given = {k: v for k, v in r.items() if v is not None}
            shapes.setdefault(tuple(given), []).append(given)
        for group in shapes.values():
            self._upsert_changed("customers", group, ("id",))

    def _incidents(self, rows: list[dict]) -> None:
        if not rows:
            return
        stored = self._existing("incidents", rows, ("id",), rows[0].keys())
        new = [r for r in rows if (r["id"],) not in stored]
        # An incident's opening (when, by whom) is kept; the rest follows the document.
        kept = ("opened_at", "opened_by")
        changed = [{k: v for k, v in r.items() if k not in kept} for r in rows
                   if (r["id"],) in stored and any(stored[(r["id"],)][k] != r[k] for k in r if k not in kept)]
        if new:
            self.conn.insert_all("incidents", new)
        if changed:
            self.conn.upsert_all("incidents", changed, ("id",))

    def _cases(self, rows: list[dict]) -> None:
        if not rows:
            return
        columns = ("customer_id", "subject", "status", "opened_at", "assignee", "summary", "external_ref",
                   "incident_id")
        stored = self._existing("cases", rows, ("id",), columns)
        write = []
        for case in rows:
            prev = stored.get((case["id"],))
            values = {k: case[k] for k in ("id", *columns)}
            if values["summary"] is None:  # absent from the document: keep the living summary we have
                values["summary"] = prev["summary"] if prev is not None else ""
            if not case["incident_given"] and prev is not None:
                values["incident_id"] = prev["incident_id"]
            if prev is None or prev != values:
                write.append(values)
        if write:
            self.conn.upsert_all("cases", write, ("id",))
            self.ledger.touch(r["id"] for r in write)

    def _events(self, rows: list[dict], places: list[EventPlace]) -> None:
        if not rows:
            return
        stored = StoreKnown(self.conn).events([r["id"] for r in rows])
        new: dict[str, dict] = {}
        for row, place in zip(rows, places):
            earlier = new.get(row["id"])
            if earlier is not None:
                same = all(earlier[k] == row[k] for k in EVENT_CONTENT)
            elif row["id"] in stored:
                same = conflict(row, stored[row["id"]], place) is None
            else:
                new[row["id"]] = {**row, "recorded_at": self.recorded}
                continue
            if same:
                self.report.events_skipped += 1
            elif self.on_conflict == "keep":
                self.report.events_kept += 1
            else:  # appeared since pass one checked: another writer was faster
                self.problems.add(conflict(row, stored[row["id"]], place) if row["id"] in stored else
                                  f"{place.id_path}: event {shown(row['id'])} is given twice with other content")
        if new:
            self.conn.insert_all("events", list(new.values()))
            self.report.events_added += len(new)
            self.ledger.touch(r["case_id"] for r in new.values() if r["case_id"])
