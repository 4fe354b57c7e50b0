"""What every `oncall` command shares: opening a session from the global options, output, exit codes.

Exit codes (also in the README): 0 done; 1 it ran and failed (an action, a
remote); 2 refused (bad input, not allowed, nothing written); 3 the store
could not do it (locked, full, damaged, read-only); 70 a crash (see the crash
report named on stderr); 130 interrupted.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..config import Config, ConfigError, current_user, load_config
from ..core.errors import OncallError
from ..core.timeutil import parse_ts
from ..core.visible import json_escaped, visible
from ..usecases.session import Session

EXIT_OK, EXIT_FAILED, EXIT_REFUSED, EXIT_STORE, EXIT_CRASH, EXIT_INTERRUPTED = 0, 1, 2, 3, 70, 130


class Stop(Exception):
    """End the command now with *code*, after printing *message* (if any) on stderr."""

    def __init__(self, code: int, message: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def config(args) -> Config:
    """The config file of `--config` (or the default), `--readonly` applied; ConfigError stops with 2."""
    try:
        cfg = load_config(Path(args.config) if getattr(args, "config", None) else None)
    except ConfigError as exc:
        raise Stop(EXIT_REFUSED, f"oncall: {exc}") from None
    if getattr(args, "readonly", False):
        cfg.readonly = True
    return cfg


def user(args, cfg: Config) -> str:
    """Who writes: `--author` when the command has it, then ONCALL_USER, the config, the Unix user."""
    return getattr(args, "author", None) or current_user(cfg)


def open_session(args, *, create: bool = False, now: datetime | None = None, cfg: Config | None = None) -> Session:
    """The session of this command: `--db`, the config, the user; a fixed clock when *now* is given.

    Read-only commands leave *create* False: a mistyped --db is an error, not a new empty store.
    """
    cfg = cfg or config(args)
    clock = (lambda: now) if now is not None else (lambda: datetime.now(timezone.utc))
    try:
        session = Session.open(getattr(args, "db", None), cfg, user=user(args, cfg), clock=clock, create=create)
    except ConfigError as exc:
        raise Stop(EXIT_REFUSED, f"oncall: {exc}") from None
    for warning in session.store.warnings:
        say(f"oncall: warning: {warning}", err=True)
    return session


def parse_now(value: str | None, option: str = "--now") -> datetime | None:
    """An ISO 8601 instant from the command line (None: now); a bad one stops with 2 naming the option."""
    if not value:
        return None
    try:
        return parse_ts(value)
    except ValueError as exc:
        raise Stop(EXIT_REFUSED, f"oncall: {option}: {exc}") from None


def print_json(data: Any, *, indent: int | None = 2) -> None:
    """*data* as JSON on stdout, invisible characters escaped (the same data, safe on a terminal)."""
    sys.stdout.write(json_escaped(json.dumps(data, ensure_ascii=False, indent=indent)) + "\n")


def write_document(text: str, fmt: str) -> None:
    """An exported document on stdout: JSON with invisible characters escaped (the same data), Markdown
    as rendered (already visible), CSV exactly as the file would hold it (a spreadsheet's input)."""
    sys.stdout.write(json_escaped(text) if fmt == "json" else text)
    sys.stdout.flush()


def say(text: str, *, err: bool = False) -> None:
    """Print a line that may hold customer or remote text, control characters made visible."""
    print(visible(text, multiline=True), file=sys.stderr if err else sys.stdout)


def fail(command: str, exc: OncallError) -> int:
    """Print "oncall COMMAND: what happened" for *exc* and return its exit code."""
    say(f"oncall {command}: {exc}", err=True)
    return exc.exit_code
