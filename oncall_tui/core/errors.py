"""What can go wrong, as a user is told it: every message says what happened, to what, what next.

Raised below (store, actions, connectors), caught by the two faces, which show
one line (the screen) or print it and exit with `exit_code` (the command line).
"""

from __future__ import annotations


class OncallError(Exception):
    """A problem the user must hear about; the message is the whole explanation."""

    exit_code = 1


class Refused(OncallError):
    """Bad input or not allowed: nothing was written. `field` names the input at fault, if one is."""

    exit_code = 2

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(Refused):
    """No such case, customer, incident or handoff; the message says where to look."""


class ReadOnlyMode(Refused):
    """This session may not write (`--readonly`, the demo's fictional servers)."""


class InvalidDocument(Refused):
    """An interchange document has problems; `problems` lists each as "path: reason"."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s); nothing imported:\n" + "\n".join(problems))


class StoreError(OncallError):
    """The store could not do it now; nothing was half-written."""

    exit_code = 3


class StoreBusy(StoreError):
    """Other writers held the store locked longer than we wait."""


class StoreFull(StoreError):
    """The disk (or the database's size limit) is full."""


class StoreCorrupt(StoreError):
    """The store file is damaged."""


class StoreNotWritable(StoreError):
    """The store file or its folder is read-only for this user."""


class StoreUnreachable(StoreError):
    """The store's server cannot be reached."""


class StoreClosed(StoreError):
    """The store was closed (the app is quitting) while something still wanted it; nothing was done."""

    @classmethod
    def at(cls, path: str) -> "StoreClosed":
        return cls(f"{path}: the store was closed (oncall is quitting); nothing was read or written")


class StoreConstraint(StoreError):
    """A write broke one of the store's rules (the history is append-only, a reference names a record that
    is gone); nothing was written."""
