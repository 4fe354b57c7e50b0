"""How an import says what is wrong: one "path: reason" line per problem, safe to print.

Paths read like the document: `cases[3].events[0].direction`. Keys that are
not plain names are quoted (`meta["a.b"]`), long ones cut; values shown in a
reason are cut too, so a hostile file never floods the terminal. Lines are
plain text: control characters and lone surrogates are escaped.

`json_value` checks the free-form objects (an event's `meta`, an incident's
`scope`): JSON values only, string keys, bounded nesting, numbers that every
reader of the export can hold, text that is valid Unicode.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from pydantic import ValidationError

from ..core.errors import InvalidDocument

MAX_PROBLEMS = 1000   # listed; the rest are counted in one last line
MAX_DEPTH = 32        # levels of nesting inside a free-form object
MAX_INT = 2 ** 63 - 1  # integers as SQLite and most JSON readers hold them exactly

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,39}\Z")
_CHOICES = re.compile(r"'([^']*)'")


class BadNumber:
    """A JSON number the format refuses (NaN, ±Infinity, out of range), kept to be named at its path."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def reason(self) -> str:
        if self.text in ("NaN", "Infinity", "-Infinity"):
            return f"{self.text} is not a JSON number"
        digits = sum(ch.isdigit() for ch in self.text[:10_000])
        if len(self.text) > 40:
            return f"a number of {len(self.text)} characters ({digits} digits) is out of range"
        return f"{self.text} is out of range (integers up to ±{MAX_INT}, finite numbers)"


def parse_int(text: str) -> int | BadNumber:
    """json's hook for integers: Python ints stop at 4300 digits with an error; we stop at 64 bits."""
    if len(text) > 20:
        return BadNumber(text)
    value = int(text)
    return value if -MAX_INT - 1 <= value <= MAX_INT else BadNumber(text)


def parse_float(text: str) -> float | BadNumber:
    """json's hook for other numbers: 1e999 would become inf, which no JSON can write back."""
    if len(text) > 400:
        return BadNumber(text)
    value = float(text)
    return value if value not in (float("inf"), float("-inf")) else BadNumber(text)


def parse_constant(text: str) -> BadNumber:
    """json's hook for NaN and ±Infinity, which Python accepts and JSON does not."""
    return BadNumber(text)


# -- paths and values --------------------------------------------------------------

def key_text(key: Any) -> str:
    """One step of a path: `.name`, `[3]` or `["odd key"]`."""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"[{key}]"
    if isinstance(key, str) and _PLAIN_KEY.match(key):
        return f".{key}"
    text = key if isinstance(key, str) else repr(key)
    if len(text) > 40:
        text = text[:39] + "…"
    return "[" + ascii_safe(text, quote=True) + "]"


def join(path: str, *keys: Any) -> str:
    for key in keys:
        path += key_text(key)
    return path


def ascii_safe(text: str, *, quote: bool = False) -> str:
    """*text* with control characters, lone surrogates and quotes escaped (JSON style when *quote*)."""
    out = []
    for ch in text:
        code = ord(ch)
        if code < 0x20 or code == 0x7F or 0x80 <= code < 0xA0 or 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        elif quote and ch in '"\\':
            out.append("\\" + ch)
        else:
            out.append(ch)
    text = "".join(out)
    return f'"{text}"' if quote else text


def shown(value: Any, limit: int = 60) -> str:
    """A value as a reason quotes it: repr-like, cut at *limit* characters."""
    if isinstance(value, BadNumber):
        text = value.text
        return text if len(text) <= limit else text[:limit - 1] + "…"
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def describe(value: Any) -> str:
    """What a value is, in the words of the format ("a string", "an object", …)."""
    if isinstance(value, BadNumber):
        return "a number out of range" if value.text not in ("NaN", "Infinity", "-Infinity") else value.text
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__} (not a JSON value)"


def lone_surrogate(text: str) -> int | None:
    """Index of the first lone surrogate in *text* (it cannot be stored as UTF-8), or None."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
        return None
    except UnicodeEncodeError as exc:
        return exc.start


# -- pydantic's errors as our lines ---------------------------------------------------

_EXPECTED = {"string_type": "a string", "list_type": "a list", "dict_type": "an object", "model_type": "an object",
             "model_attributes_type": "an object", "bool_type": "a boolean",
             "literal_error": "a string"}


def from_validation(error: ValidationError, prefix: str) -> list[str]:
    """Each error of *error* as "path: reason", paths under *prefix* (e.g. `cases[3]`)."""
    lines = []
    for err in error.errors(include_url=False, include_context=True):
        if err["type"] == "string_unicode":
            continue  # a lone surrogate: `text_fields` names it, with its place in the text
        loc = tuple(k for k in err["loc"] if k != "[key]")
        path = join(prefix, *loc)
        lines.append(f"{path}: {reason(err, loc, prefix)}")
    return lines


def reason(err: dict, loc: tuple, prefix: str) -> str:
    kind = err["type"]
    value = err.get("input")
    if kind == "missing":
        return "missing (required)"
    if kind == "extra_forbidden":
        in_event = (len(loc) >= 3 and loc[-3] == "events") or (len(loc) == 1 and prefix.startswith("events["))
        if loc and loc[-1] == "incident" and in_event:
            return "only a case's events may name an incident"
        return "unknown field"
    if kind == "string_pattern_mismatch":
        return "must not be empty"
    if kind == "literal_error" and isinstance(value, str):
        choices = _CHOICES.findall(err.get("ctx", {}).get("expected", ""))
        return f"{shown(value)} is not one of {'|'.join(choices)}"
    if kind in _EXPECTED:
        if value is None and loc and isinstance(loc[-1], str):
            return "missing (required)"  # a required field given as null
        if err["loc"] and err["loc"][-1] == "[key]":
            return f"keys must be strings, got {describe(value)}"
        return f"expected {_EXPECTED[kind]}, got {describe(value)}"
    return err["msg"]  # our own checks (timestamps, zones, addresses) say it in their words already


# -- free-form objects and whole records ----------------------------------------------

def json_value(value: Any, path: str, *, deep_text: bool = True) -> list[str]:
    """Problems of a free-form JSON object at *path*, without recursion (any depth is safe to walk)."""
    problems: list[str] = []
    stack: list[tuple[Any, str, int]] = [(value, path, 1)]
    while stack and len(problems) < 20:
        node, where, depth = stack.pop()
        if isinstance(node, dict):
            if depth > MAX_DEPTH:
                problems.append(f"{where}: nested more than {MAX_DEPTH} levels deep")
                continue
            for key, item in node.items():
                if not isinstance(key, str):
                    problems.append(f"{where}: keys must be strings, got {describe(key)}")
                    continue
                if deep_text and (at := lone_surrogate(key)) is not None:
                    problems.append(f"{join(where, key)}: the key holds a lone surrogate at character {at} "
                                    "(not valid Unicode text)")
                stack.append((item, join(where, key), depth + 1))
        elif isinstance(node, list):
            if depth > MAX_DEPTH:
                problems.append(f"{where}: nested more than {MAX_DEPTH} levels deep")
                continue
            stack.extend((item, join(where, i), depth + 1) for i, item in enumerate(node))
        elif isinstance(node, str):
            if deep_text and (at := lone_surrogate(node)) is not None:
                problems.append(surrogate(where, at))
        elif isinstance(node, BadNumber):
            problems.append(f"{where}: {node.reason()}")
        elif isinstance(node, float) and node != node:
            problems.append(f"{where}: NaN is not a JSON number")
        elif isinstance(node, float) and node in (float("inf"), float("-inf")):
            problems.append(f"{where}: {node} is not a JSON number")
        elif isinstance(node, int) and not isinstance(node, bool) and not -MAX_INT - 1 <= node <= MAX_INT:
            problems.append(f"{where}: {shown(node)} is out of range (integers up to ±{MAX_INT})")
        elif node is not None and not isinstance(node, (bool, int, float)):
            problems.append(f"{where}: {describe(node)}")
    return problems


def surrogate(where: str, at: int) -> str:
    return f"{where}: holds a lone surrogate at character {at} (not valid Unicode text); fix the file's \\u escapes"


def text_fields(value: Any, path: str) -> list[str]:
    """Lone surrogates in any string or key of a record (typed fields included), at their paths."""
    problems: list[str] = []
    stack: list[tuple[Any, str, int]] = [(value, path, 0)]
    while stack and len(problems) < 20:
        node, where, depth = stack.pop()
        if isinstance(node, str):
            if (at := lone_surrogate(node)) is not None:
                problems.append(surrogate(where, at))
        elif depth > MAX_DEPTH + 8:
            continue  # deeper than any record may be: `json_value` or the model says so (and a cycle ends here)
        elif isinstance(node, dict):
            for key, item in node.items():
                if isinstance(key, str) and (at := lone_surrogate(key)) is not None:
                    problems.append(f"{join(where, key)}: the key holds a lone surrogate at character {at} "
                                    "(not valid Unicode text)")
                stack.append((item, join(where, key), depth + 1))
        elif isinstance(node, list):
            stack.extend((item, join(where, i), depth + 1) for i, item in enumerate(node))
    problems.reverse()
    return problems


class Problems:
    """Every problem found, in the order found, up to MAX_PROBLEMS: then the check stops (see `full`).

    Nobody reads past a thousand lines, and a hostile file can hold millions of
    bad records: checking stops there, and the last line says where.
    """

    def __init__(self, limit: int = MAX_PROBLEMS) -> None:
        self.limit = limit
        self.lines: list[str] = []
        self.seen: set[str] = set()
        self.more = 0
        self.stopped_at: str | None = None

    def add(self, line: str) -> None:
        if line in self.seen:
            return
        if len(self.lines) < self.limit:
            self.lines.append(line)
            self.seen.add(line)
        else:
            self.more += 1

    def extend(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.add(line)

    @property
    def full(self) -> bool:
        """More problems were found than are listed."""
        return self.more > 0

    def stop(self, where: str) -> None:
        """Checking stops at *where* (the limit is reached)."""
        self.stopped_at = where

    def __bool__(self) -> bool:
        return bool(self.lines)

    def raise_if_any(self) -> None:
        if self.lines:
            lines = list(self.lines)
            if self.stopped_at is not None:
                lines.append(f"document: checking stopped at {self.stopped_at} after {self.limit} problems "
                             "(there are more); fix these, then import again")
            elif self.more:
                lines.append(f"document: {self.more} more problem(s) not listed (the first {self.limit} are)")
            raise InvalidDocument(lines)
