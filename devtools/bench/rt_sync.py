"""Benchmark: syncing a real Request Tracker 5 — first sync throughput, incremental and no-op sync, history.

A private RT 5 on loopback (the test suite's, `tests/servers/rt.py`: needs root and Debian's
request-tracker5, installed by `.ci/install-rt.sh`) is seeded with the project's RT world
(`tests/servers/rt_world.py`: 22 tickets, attachments, three languages) plus *extra* plain tickets
from the world's people, then synced the way `oncall sync --once` does it:

- first sync: every ticket into an empty store (tickets per second, and its seconds);
- incremental sync: after engineers answer a few tickets and a customer writes a new one;
- no-op sync: nothing changed since;
- a customer's whole history from the store versus asking RT REST2 for it (`rt_history.bench_history`).
"""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path

CUSTOMER = "jean@boulangerie-martin.fr"  # Boulangerie Martin: an organisation with several tickets


def measure_rt(work: Path, extra: int, out: dict) -> None:
    """Start RT, seed it, and put the sync measurements in *out* (seconds, tickets per second)."""
    from tests.servers.rt import start_rt
    from tests.servers.rt_world import (
        BILLING,
        PEOPLE,
        SUPPORT,
        private_file,
        seed,
        source_table,
        write_config,
    )

    server = start_rt()
    try:
        world = seed(server)
        people = list(PEOPLE)
        for i in range(extra):
            server.customer_email((SUPPORT, BILLING)[i % 2], people[i % len(people)], f"Question {i}",
                                  f"Bonjour, une question de plus ({i}).\n\nMerci.")
        token = private_file(work / "rt-shared.token", world.shared_token)
        config = write_config(work / "config.toml", source_table(server.base_url, token), user="bench")
        asyncio.run(_measure(work / "oncall.db", config, server, world, out))
    finally:
        server.close()
        shutil.rmtree(server.workdir, ignore_errors=True)


async def _measure(db: Path, config_path: Path, server, world, out: dict) -> None:
    from oncall_tui.config import load_config
    from oncall_tui.connectors.catalog import load_sources
    from oncall_tui.usecases.history import find_customer
    from oncall_tui.usecases.session import Session
    from oncall_tui.usecases.sync import sync_once

    from .rt_history import bench_history

    config = load_config(config_path)
    session = Session.open(db, config, user="bench")
    (source,) = load_sources(config, user="bench")
    try:
        started = time.perf_counter()
        check = await source.check()
        out["rt_check_s"] = time.perf_counter() - started
        if check.problems:
            raise RuntimeError("; ".join(check.problems))

        started = time.perf_counter()
        first = await sync_once(session, source)
        seconds = time.perf_counter() - started
        out["rt_first_sync_s"] = seconds
        out["rt_first_sync_tickets"] = first.tickets
        out["rt_first_sync_events"] = first.events_added
        out["rt_first_sync_tickets_per_s"] = first.tickets / seconds

        # What an hour brings: engineers answer three tickets, a customer writes a new one.
        tickets = list(world.tickets.values())
        for t in tickets[:3]:
            server.reply(t.id, "bob", "Nous regardons, merci de votre patience.")
        server.customer_email(world.queues[0], CUSTOMER, "Encore une question", "Bonjour, encore moi.")
        started = time.perf_counter()
        incremental = await sync_once(session, source)
        out["rt_incremental_s"] = time.perf_counter() - started
        out["rt_incremental_tickets"] = incremental.tickets

        started = time.perf_counter()
        await sync_once(session, source)
        out["rt_noop_s"] = time.perf_counter() - started

        customer = find_customer(session, CUSTOMER)  # the way `oncall history ADDRESS` finds them
        if customer is not None:
            history = await bench_history(session.store, source.connector, customer.id)
            out["rt_history_store_ms"] = history["store_seconds"] * 1000
            out["rt_history_rt_ms"] = history["rt_seconds"] * 1000
            out["rt_history_events"] = len(history["store_events"])
            out["rt_history_same"] = int(sorted(history["store_events"]) == sorted(history["rt_events"]))
    finally:
        await source.aclose()
        session.close()
