"""The shared SQL as PostgreSQL reads it, and rows as the rest of the store reads them.

The store's queries are written once, with SQLite's `?` (or `:name`)
placeholders and its case-blind LIKE. Here they become psycopg's `%s` (or
`%(name)s`, a literal `%` doubled) and ILIKE, outside string literals only;
the result is cached per statement.
Rows behave like `sqlite3.Row`: by index, by column name, `keys()`, `dict(row)`.
Booleans come back as 0/1 and integral numerics as int, as SQLite gives them,
so both engines answer every query with the same values.
"""

from __future__ import annotations

import re
from functools import lru_cache

from psycopg import adapters
from psycopg.adapt import Dumper, Loader

_LITERAL = re.compile(r"('(?:[^']|'')*')")
_LIKE = re.compile(r"\bLIKE\b", re.IGNORECASE)
_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


@lru_cache(maxsize=2048)
def translate(sql: str, params: str = "") -> str:
    """*sql* in psycopg's terms; *params* is "" (none), "?" (a sequence) or ":" (a mapping).

    With parameters, `?` -> `%s` or `:name` -> `%(name)s`, and `%` -> `%%`; LIKE -> ILIKE always.
    """
    pieces = _LITERAL.split(sql)
    out = []
    for i, piece in enumerate(pieces):
        if i % 2:  # a string literal: only psycopg's own `%` needs escaping
            out.append(piece.replace("%", "%%") if params else piece)
            continue
        piece = _LIKE.sub("ILIKE", piece)
        if params:
            piece = piece.replace("%", "%%")
            piece = piece.replace("?", "%s") if params == "?" else _NAMED.sub(r"%(\1)s", piece)
        out.append(piece)
    return "".join(out)


def bind(sql: str, params) -> tuple[str, object]:
    """The statement and parameters to give psycopg for shared SQL and SQLite-style parameters."""
    if not params:
        return translate(sql), None
    if isinstance(params, dict):
        return translate(sql, ":"), params
    return translate(sql, "?"), tuple(params)


class Row(tuple):
    """One result row: `row[0]`, `row["name"]`, `row.keys()`, `dict(row)` (as `sqlite3.Row`)."""

    __slots__ = ()
    _index: dict[str, int] = {}
    _names: tuple[str, ...] = ()

    def __getitem__(self, key):
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


@lru_cache(maxsize=1024)
def _row_class(names: tuple[str, ...]) -> type[Row]:
    index: dict[str, int] = {}
    for i, name in enumerate(names):
        index.setdefault(name, i)  # a repeated name reads the first column, as sqlite3.Row does
    return type("Row", (Row,), {"__slots__": (), "_index": index, "_names": names})


def rows(cursor):
    """psycopg row factory making `Row`s."""
    description = cursor.description
    if description is None:
        return tuple
    return _row_class(tuple(d.name for d in description))


class BoolAsInt(Loader):
    def load(self, data) -> int:
        return 1 if bytes(data) == b"t" else 0


class NumericAsNumber(Loader):
    """`SUM` of integers is numeric in PostgreSQL: an int again when integral (SQLite's answer)."""

    def load(self, data):
        text = bytes(data).decode()
        try:
            return int(text)
        except ValueError:
            return float(text)


class BoolParam(Dumper):
    """Python booleans go in as 0/1: the schema keeps flags in integer columns, as SQLite does."""

    oid = adapters.types["int4"].oid

    def dump(self, obj) -> bytes:
        return b"1" if obj else b"0"


def configure_adapters(context) -> None:
    """Make *context* (a connection or its adapters) read and write values as SQLite does."""
    context.adapters.register_loader("bool", BoolAsInt)
    context.adapters.register_loader("numeric", NumericAsNumber)
    context.adapters.register_dumper(bool, BoolParam)
