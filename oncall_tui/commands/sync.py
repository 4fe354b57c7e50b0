"""`oncall sync`: pull the configured sources into the store and deliver the outbox."""

from __future__ import annotations

import asyncio
import signal
import sys
import threading

from .common import EXIT_REFUSED, config, open_session, say


class _Progress:
    """"main: 40/200 tickets" on stderr: rewritten in place on a terminal, one line per batch otherwise."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr  # looked up now: tests and redirections replace sys.stderr
        self.tty = self.stream.isatty()

    def __call__(self, name: str, done: int, total: int) -> None:
        line = f"{name}: {done}/{total} tickets"
        if self.tty:
            self.stream.write("\r" + line + ("\n" if done >= total else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


async def _check(sources, names: list[str]) -> tuple[int, set[str]]:
    """Probe each helpdesk as configured before anything is pulled or pushed; (exit code, names that failed)."""
    code, bad = 0, set()
    for source in sources:
        if source.name not in names or not hasattr(source, "check"):
            continue
        try:
            result = await source.check()
        except Exception as exc:  # noqa: BLE001 — RT down, refused: said, and that source is skipped
            say(f"oncall sync: {source.name}: {exc}", err=True)
            code, bad = max(code, 1), bad | {source.name}
            continue
        for problem in result.problems:
            say(f"oncall sync: {problem}", err=True)
        for note in result.notes:
            say(f"oncall sync: note: {note}", err=True)
        if result.problems:
            code, bad = EXIT_REFUSED, bad | {source.name}
        else:
            say(f"{source.name}: RT {result.version} answers at {source.config.base_url}; "
                f"queues {', '.join(source.config.queues)} found")
    return code, bad


async def _once(session, sources, names: list[str], batch_size: int, check_only: bool = False) -> int:
    from ..usecases.sync import deliver_outbox, sync_once

    progress = _Progress()
    code = 0
    try:
        code, bad = await _check(sources, names)
        names = [n for n in names if n not in bad]
        if check_only or not names:
            return code
        for source in sources:
            if source.name not in names:
                continue
            try:
                report = await sync_once(session, source, batch_size=batch_size,
                                         progress=lambda d, t, n=source.name: progress(n, d, t))
            except Exception as exc:  # noqa: BLE001 — report and go on with the other sources
                say(f"oncall sync: {source.name}: {exc}", err=True)
                code = 1
                continue
            say(report.line())
        delivery = await deliver_outbox(session, [s for s in sources if s.name in names])
        say(delivery.line())
        for row_id, error in delivery.errors.items():
            say(f"oncall sync: outbox row {row_id}: {error}", err=True)
    finally:
        for source in sources:
            await source.aclose()
    return code


def cmd_sync(args) -> int:
    from ..core.errors import OncallError

    cfg = config(args)
    session = open_session(args, create=True, cfg=cfg)
    try:
        session.check_writable("syncing")
        sources = session.sources()
    except OncallError as exc:
        session.close()
        say(f"oncall sync: {exc}", err=True)
        return EXIT_REFUSED
    if not sources:
        where = cfg.path or "the config file"
        session.close()
        say(f"oncall sync: no [[sources]] in {where}: add one (kind = \"rt\" or \"json\")", err=True)
        return EXIT_REFUSED
    names = [s.name for s in sources]
    if args.source:
        if args.source not in names:
            session.close()
            say(f"oncall sync: --source {args.source!r}: no such source (configured: {', '.join(names)})",
                err=True)
            return EXIT_REFUSED
        names = [args.source]
    if not args.check:
        from ..usecases.sync import retry_now

        # A manual sync is someone waiting: everything undelivered is tried now, not at its next backoff.
        retried = retry_now(session, [s for s in sources if s.name in names])
        if retried:
            say(f"outbox: {retried} undelivered item(s) are tried again now")
    if args.once or args.check:
        try:
            return asyncio.run(_once(session, sources, names, args.batch_size, check_only=args.check))
        finally:
            session.close()

    from ..usecases.sync import run_forever

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    progress = _Progress()
    try:
        asyncio.run(run_forever(session, stop_event=stop, on_progress=progress,
                                on_error=lambda name, msg: say(f"oncall sync: {name}: {msg}", err=True),
                                sources=[s for s in sources if s.name in names], batch_size=args.batch_size))
    except KeyboardInterrupt:
        pass
    return 0


def register(sub, common) -> None:
    p = sub.add_parser("sync", help="pull the helpdesk/feeds into the store and deliver queued replies")
    p.add_argument("--source", help="only this source (by its name in [[sources]])")
    p.add_argument("--once", action="store_true", help="one pull and one outbox round, then exit")
    p.add_argument("--check", action="store_true",
                   help="only check each helpdesk's configuration (address, token, queues), then exit")
    p.add_argument("--batch-size", type=int, default=50, metavar="N",
                   help="tickets imported per transaction (default 50)")
    p.set_defaults(run="sync:cmd_sync")
