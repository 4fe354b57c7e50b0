"""Secrets (tokens, webhook URLs) kept out of reprs, logs, crash reports and printed URLs.

A `Secret` shows as `Secret('…')` however it is printed or formatted; only
`reveal()`, at the one place that sends it, gives the value. URLs are shown
by `mask_urls`: without user, password, query string or a webhook's secret path.
"""

from __future__ import annotations

import re


class Secret:
    """A value that never shows itself: `str`, `repr` and f-strings give `Secret('…')`."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The value, for the request that sends it — never for display."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return "Secret('…')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __reduce__(self):  # not even through pickle (a crash dump, a multiprocessing queue)
        raise TypeError("a Secret is not pickled")


_URL = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?:[^/\s@]*@)?(?P<host>[^/\s?#]*)(?P<path>[^\s?#]*)"
                  r"(?:\?[^\s#]*)?(?:#\S*)?")
# Webhook URLs carry their secret in the path (Slack /services/T../B../xxx): keep the host only.
_SECRET_PATH = re.compile(r"/(services|hooks|webhooks?)/\S*", re.IGNORECASE)


def mask_urls(text: str) -> str:
    """*text* with every URL cut to scheme, host and a path without its secrets (no user, query, fragment)."""
    def cut(m: re.Match[str]) -> str:
        path = _SECRET_PATH.sub(r"/\1/…", m.group("path"))
        return f"{m.group('scheme')}{m.group('host')}{path}"
    return _URL.sub(cut, text)
