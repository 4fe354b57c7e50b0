"""Reading an interchange document record by record, from a file of any size or from memory.

A file is read as a stream: the outer object and its arrays are walked here,
and each record of an array (a customer with its assets, a case with its
events, …) is decoded on its own by the standard library's JSON decoder.
Memory grows with the largest record, never with the file. Every read starts
again from the first byte, so an import can check in one pass and write in a
second; the file's digest must be the same both times.

Only regular files are read (a FIFO, a device or a directory is refused
before a byte is read), up to a size limit. JSON that Python would accept but
the format cannot hold is caught here or at its path: NaN and ±Infinity,
numbers out of range (see `import_problems.BadNumber`), nesting deeper than
the decoder's recursion allows, bytes that are not UTF-8.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ..core.errors import InvalidDocument
from .import_problems import (
    MAX_DEPTH,
    BadNumber,
    describe,
    key_text,
    parse_constant,
    parse_float,
    parse_int,
)

CHUNK = 1 << 20  # bytes read at a time
DEFAULT_MAX_MB = 512
_WS = re.compile(r"[ \t\n\r]*")
#: A \uD800–\uDFFF escape: the decoded record may hold a lone surrogate (a valid pair is checked too).
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SEEN_AS = {"[": "a list", "{": "an object", '"': "a string", "t": "a boolean", "f": "a boolean", "n": "null"}


@dataclass(frozen=True)
class Item:
    """One piece of the document: a record of an array section, or a top-level value.

    `index` is the record's place in its array (None for a top-level value that
    is not an array: `format`, `exported_at`, or a section that is not a list).
    `suspect` is true when the record's text holds something a plain check would
    miss (a surrogate escape, a refused number): the checker then walks it all.
    """

    key: str
    index: int | None
    value: Any
    suspect: bool = True


# -- in memory --------------------------------------------------------------------------

def document_items(doc: Any) -> Iterator[Item]:
    """The items of a document already in memory (a sync batch, the demo, a test)."""
    if not isinstance(doc, dict):
        raise InvalidDocument([f"document: expected a JSON object with 'customers' and 'cases', got {describe(doc)}"])
    for key, value in doc.items():
        if isinstance(value, list) and isinstance(key, str):
            for i, rec in enumerate(value):
                yield Item(key, i, rec)
        else:
            yield Item(key, None, value)


# -- from a file ------------------------------------------------------------------------

class FileSource:
    """A regular file opened once, read from the start by each call of `items()`."""

    def __init__(self, path: str | Path, *, max_bytes: int) -> None:
        self.name = str(path)
        self.max_bytes = max_bytes
        self.digest: bytes | None = None
        try:
            # O_NONBLOCK: opening a FIFO must not wait for a writer; we refuse it just after.
            self.fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as exc:
            raise InvalidDocument([f"{self.name}: cannot read: {exc.strerror or exc}"]) from None
        try:
            info = os.fstat(self.fd)
            if not stat.S_ISREG(info.st_mode):
                raise InvalidDocument([f"{self.name}: not a regular file ({_file_kind(info.st_mode)}); "
                                       "give the path of an interchange JSON file"])
            if info.st_size > max_bytes:
                raise InvalidDocument([f"{self.name}: {_mb(info.st_size)} is more than the {_mb(max_bytes)} an "
                                       "import reads; raise the limit (--max-size MB) or split the file"])
            os.set_blocking(self.fd, True)
        except BaseException:
            os.close(self.fd)
            raise

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> "FileSource":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def items(self) -> Iterator[Item]:
        """Every item of the file, in file order; an error that stops the reading raises InvalidDocument."""
        reader = _Reader(self)
        yield from reader.document()
        digest = reader.hash.digest()
        if self.digest is not None and digest != self.digest:
            raise InvalidDocument([f"{self.name}: the file changed while it was being imported; nothing was "
                                   "imported — import it again once it is complete"])
        self.digest = digest


def _file_kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a file"


def _mb(size: int) -> str:
    return f"{size / (1 << 20):.0f} MB" if size >= 1 << 20 else f"{size} bytes"


class _Reader:
    """One pass over a FileSource: a text window over the file, the outer JSON walked by hand."""

    def __init__(self, source: FileSource) -> None:
        self.source = source
        self.refused_numbers = 0
        self.decoder = json.JSONDecoder(parse_int=self._int, parse_float=self._float, parse_constant=self._constant)
        self.utf8 = codecs.getincrementaldecoder("utf-8")("strict")
        self.hash = hashlib.blake2b(digest_size=32)
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.bytes_read = 0
        self.lines_before = 0   # newlines in the text dropped from the window
        self.column_before = 0  # characters since the last dropped newline
        os.lseek(source.fd, 0, os.SEEK_SET)

    # -- numbers: refused ones are kept (to be named at their path) and counted --------
    def _int(self, text: str):
        return self._counted(parse_int(text))

    def _float(self, text: str):
        return self._counted(parse_float(text))

    def _constant(self, text: str):
        return self._counted(parse_constant(text))

    def _counted(self, value):
        if isinstance(value, BadNumber):
            self.refused_numbers += 1
        return value

    # -- the window ----------------------------------------------------------------
    def more(self, at_least: int = CHUNK) -> bool:
        """Read at least *at_least* more bytes (less at the end of the file); False at the end."""
        if self.eof:
            return False
        if self.pos:
            dropped = self.buf[:self.pos]
            newlines = dropped.count("\n")
            if newlines:
                self.lines_before += newlines
                self.column_before = len(dropped) - dropped.rfind("\n") - 1
            else:
                self.column_before += len(dropped)
            self.buf = self.buf[self.pos:]
            self.pos = 0
        parts = []
        wanted = max(at_least, CHUNK)
        got = 0
        while got < wanted:
            try:
                data = os.read(self.source.fd, min(wanted - got, 16 * CHUNK))
            except OSError as exc:
                raise InvalidDocument([f"{self.source.name}: cannot read: {exc.strerror or exc}"]) from None
            if not data:
                self.eof = True
                break
            got += len(data)
            self.bytes_read += len(data)
            if self.bytes_read > self.source.max_bytes:
                raise InvalidDocument([f"{self.source.name}: grew past the {_mb(self.source.max_bytes)} an "
                                       "import reads while being read; nothing was imported"])
            self.hash.update(data)
            parts.append(self._text(data))
        if self.eof:
            parts.append(self._text(b"", final=True))
        self.buf += "".join(parts)
        return got > 0 or bool(parts and parts[-1])

    def _text(self, data: bytes, final: bool = False) -> str:
        try:
            return self.utf8.decode(data, final)
        except UnicodeDecodeError as exc:
            pending = len(exc.object) - len(data)
            offset = self.bytes_read - len(data) - pending + exc.start
            raise InvalidDocument([f"{self.source.name}: not UTF-8 text (byte {offset}); "
                                   "save the file as UTF-8"]) from None

    def where(self, pos: int) -> str:
        """`line L column C` of window position *pos*."""
        newlines = self.buf.count("\n", 0, pos)
        if newlines:
            column = pos - self.buf.rfind("\n", 0, pos)
        else:
            column = self.column_before + pos + 1
        return f"line {self.lines_before + newlines + 1} column {column}"

    def fail(self, pos: int, reason: str) -> InvalidDocument:
        return InvalidDocument([f"{self.source.name}: not JSON: {reason} at {self.where(pos)}"])

    def skip_ws(self) -> str:
        """The next significant character ('' at the end of the file), the window positioned on it."""
        while True:
            self.pos = _WS.match(self.buf, self.pos).end()
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.more():
                return ""

    def expect(self, chars: str, what: str) -> str:
        ch = self.skip_ws()
        if not ch or ch not in chars:
            raise self.fail(self.pos, f"expected {what}, found {_found(ch)}")
        self.pos += 1
        return ch

    def value(self, path: str) -> tuple[Any, bool]:
        """Decode the JSON value at the window's position: (value, suspect)."""
        self.skip_ws()
        start_refused = self.refused_numbers
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                truncated = exc.pos >= len(self.buf) - 16 or exc.msg.startswith("Unterminated string")
                if not self.eof and truncated:
                    self.more(len(self.buf))  # double the window: a big record is decoded O(n) times, not O(n²)
                    continue
                raise self.fail(exc.pos, exc.msg[0].lower() + exc.msg[1:]) from None
            except RecursionError:
                raise InvalidDocument([f"{path}: nested too deeply to be read (hundreds of levels); the format "
                                       f"needs a few, free-form objects at most {MAX_DEPTH}"]) from None
            if end == len(self.buf) and not self.eof:
                self.more(len(self.buf))  # a number may go on in the next chunk
                continue
            break
        suspect = bool(SURROGATE_ESCAPE.search(self.buf, self.pos, end)) or self.refused_numbers != start_refused
        self.pos = end
        return value, suspect

    # -- the document ---------------------------------------------------------------
    def document(self) -> Iterator[Item]:
        ch = self.skip_ws()
        if ch == "\ufeff":  # a UTF-8 byte order mark: harmless, skipped
            self.pos += 1
            ch = self.skip_ws()
        if not ch:
            raise InvalidDocument([f"{self.source.name}: not JSON: the file is empty"])
        if ch != "{":
            raise InvalidDocument([f"{self.source.name}: document: expected a JSON object with 'customers' and "
                                   f"'cases', got {_SEEN_AS.get(ch, 'a number' if ch in '-0123456789' else _found(ch))}"])
        self.pos += 1
        seen: set[str] = set()
        if self.skip_ws() == "}":
            self.pos += 1
        else:
            while True:
                if self.skip_ws() != '"':
                    raise self.fail(self.pos, f"expected a field name in double quotes, found {_found(self.skip_ws())}")
                key, _ = self.value("document")
                self.expect(":", "':'")
                if key in seen:
                    yield Item(key, None, Repeated())
                seen.add(key)
                yield from self.member(key)
                if self.expect(",}", "',' or '}'") == "}":
                    break
        if self.skip_ws():
            raise self.fail(self.pos, "extra data after the document")

    def member(self, key: str) -> Iterator[Item]:
        if self.skip_ws() != "[":
            value, suspect = self.value("document" + key_text(key))
            yield Item(key, None, value, suspect)
            return
        self.pos += 1
        if self.skip_ws() == "]":
            self.pos += 1
            return
        index = 0
        while True:
            value, suspect = self.value(record_path(key, index))
            yield Item(key, index, value, suspect)
            index += 1
            if self.expect(",]", "',' or ']'") == "]":
                return


class Repeated:
    """Stands for a top-level field given twice (JSON readers disagree on which one wins)."""


def record_path(key: str, index: int) -> str:
    """`cases[3]`; a section with an odd name keeps it quoted: `document["ca ses"][3]`."""
    step = key_text(key)
    return (step[1:] if step.startswith(".") else "document" + step) + f"[{index}]"


def _found(ch: str) -> str:
    return "the end of the file" if not ch else repr(ch)
