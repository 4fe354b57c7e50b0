"""`oncall` (the full screen), `oncall demo` and `oncall keys`."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

from .common import (
    EXIT_CRASH,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_REFUSED,
    Stop,
    config,
    say,
    user,
)


def register(sub, common) -> None:
    p = sub.add_parser("demo", help="the full screen on a throwaway store seeded with realistic demo cases")
    p.add_argument("--acme-local", action="store_true",
                   help="issue certificates for real against a local Pebble (Debian package pebble)")
    p.set_defaults(run="screen:cmd_demo")

    p = sub.add_parser("keys", help="every key binding id, its keys and what it does")
    p.set_defaults(run="screen:cmd_keys")


def _keymap(args):
    from ..config import ConfigError, config_dir
    from ..ui.keymap import load_keymap

    given = getattr(args, "keymap", None)
    keymap_file = Path(given) if given else config_dir() / "keymap.toml"
    if given and not keymap_file.is_file():
        raise Stop(EXIT_REFUSED, f"oncall: --keymap: {keymap_file}: no such file")
    try:
        return load_keymap(keymap_file)
    except ConfigError as exc:
        raise Stop(EXIT_REFUSED, f"oncall: {exc}") from None


def cmd_tui(args) -> int:
    cfg = config(args)
    return run_app(args, cfg, getattr(args, "db", None), user=user(args, cfg))


def run_app(args, cfg, db, *, user: str, demo: bool = False, clock=None) -> int:
    """Open the session and run the full screen until the engineer quits; the exit code says how it ended."""
    import gc

    # Start-up allocates hundreds of thousands of long-lived objects (Textual,
    # styles, our modules): collecting them now only delays the first frame.
    # The app freezes them and turns the collector back on once it is drawn.
    gc.disable()
    keymap = _keymap(args)
    from ..usecases.session import Session, app_folders

    app_folders()
    session = Session.open(db, cfg, user=user, **({"clock": clock} if clock else {}))
    from ..ui.app import OncallApp

    app = OncallApp(session, keymap=keymap, demo=demo)
    try:
        app.run()
    finally:
        gc.enable()
    if app.crash_report is not None:
        say(f"oncall: crashed (a bug, sorry); the report is {app.crash_report} — please send it", err=True)
        return EXIT_CRASH
    return app.return_code or EXIT_OK


def cmd_demo(args) -> int:
    from ..demo.environment import demo_environment
    from ..demo.local_acme import LocalAcmeError

    cfg = config(args)
    try:
        with demo_environment(cfg, now=datetime.now(timezone.utc), acme_local=args.acme_local) as db:
            return run_app(args, cfg, db, user=os.environ.get("ONCALL_USER") or "alice", demo=True)
    except (LocalAcmeError, RuntimeError) as exc:  # the local ACME server could not start
        say(f"oncall demo --acme-local: {exc}", err=True)
        return EXIT_FAILED


def cmd_keys(args) -> int:
    """Every binding id with its keys (after the user's overrides, as typed) and what it does."""
    keymap = _keymap(args)
    for screen, specs in keymap.specs.items():
        for spec in specs.values():
            say(f"{spec.id:<26} {keymap.display_all(spec.id):<22} {spec.description}")
    for problem in keymap.problems:
        say(f"clash: {problem}", err=True)
    return EXIT_REFUSED if keymap.problems else EXIT_OK
