"""`oncall`: the full-screen tool and its scriptable twin.

Everything the screen shows has a command here with `--json` output, for cron
jobs, chat bots and tests. Each command lives in `commands/` and calls the
use cases (`usecases/`), exactly as the screen does. Plain `oncall` (the full
screen, started every shift) is read without building the parser.
"""

from __future__ import annotations

import sys
from types import SimpleNamespace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

#: Command modules in `commands/`, in the order `oncall --help` lists them.
MODULES = ("screen", "queue", "history", "writing", "exchange", "search", "handoff", "incident", "run",
           "intents", "sync", "migrate", "outbox", "customers", "attachment")


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command (the modules only declare their options: importing them is cheap)."""
    import argparse
    import importlib

    def global_options(p: argparse.ArgumentParser, default) -> None:
        p.add_argument("--db", default=default, help="store file (default: $ONCALL_DB or the user data dir)")
        p.add_argument("--config", default=default, help="config file (default: config.toml in the config dir)")
        p.add_argument("--keymap", default=default, help="a keymap file overriding keys by id")
        p.add_argument("--readonly", action="store_true", default=default or False,
                       help="read only: every write is refused")

    parser = argparse.ArgumentParser(prog="oncall", description=(__doc__ or "").splitlines()[0])
    global_options(parser, None)
    # The same options are accepted after the command ("oncall queue --db x").
    common = argparse.ArgumentParser(add_help=False)
    global_options(common, argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=lambda **kw: argparse.ArgumentParser(
        parents=[common], **kw))
    for name in MODULES:
        importlib.import_module(f"oncall_tui.commands.{name}").register(sub, common)
    parser.set_defaults(run="screen:cmd_tui")
    return parser


GLOBAL_VALUE_OPTIONS = ("--db", "--config", "--keymap")


def full_screen_args(argv: list[str]) -> SimpleNamespace | None:
    """`oncall [--db P] [--config F] [--keymap F] [--readonly]` read without argparse, else None.

    Plain `oncall` is what engineers start every shift: building the parser
    and its sub-commands would delay the first frame. Anything else
    (a sub-command, --help, a typo, a missing value) goes to the real parser.
    """
    args = SimpleNamespace(db=None, config=None, keymap=None, readonly=False, run="screen:cmd_tui")
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        name, eq, value = arg.partition("=")
        if arg == "--readonly":
            args.readonly = True
        elif name in GLOBAL_VALUE_OPTIONS and eq and value:
            setattr(args, name[2:], value)
        elif arg in GLOBAL_VALUE_OPTIONS and rest and not rest[0].startswith("-"):
            setattr(args, arg[2:], rest.pop(0))
        else:
            return None
    return args


def main(argv: list[str] | None = None) -> int:
    """Run one `oncall` command; returns the exit code (see `commands.common`)."""
    argv = sys.argv[1:] if argv is None else argv
    args = full_screen_args(argv)
    if args is None:
        args = build_parser().parse_args(argv)
    import importlib

    from .commands.common import EXIT_CRASH, EXIT_INTERRUPTED, EXIT_OK, Stop, fail, say
    from .core.errors import OncallError

    module, _, function = args.run.partition(":")
    command = getattr(args, "command", None) or "oncall"
    try:
        return getattr(importlib.import_module(f"oncall_tui.commands.{module}"), function)(args) or EXIT_OK
    except Stop as stop:
        if stop.message:
            say(stop.message, err=True)
        return stop.code
    except OncallError as exc:
        return fail(command, exc)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except Exception:  # a bug: a report to send, one line to the user, a non-zero exit
        from .usecases.crash import write_report

        report = write_report(sys.exc_info(), command=command)
        say(f"oncall {command}: crashed (a bug, sorry); the report is {report} — please send it", err=True)
        return EXIT_CRASH


if __name__ == "__main__":
    sys.exit(main())
