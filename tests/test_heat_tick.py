"""The heat tick: as time passes the queue re-ranks, computed in a child process off the screen's core."""

import os
import signal
from datetime import timedelta

from oncall_tui.config import Config

from .conftest import NOW
from .ui_helpers import heat_in, make_app, queue_lines, wait_for


def heat_of(app, customer: str) -> int:
    line = next(line for line in queue_lines(app) if customer in line)
    return heat_in(line)


def stored_heat(app, customer: str) -> int:
    """The heat the store holds for the customer's hottest open case (what the queue should show)."""
    return next(row.heat for row in app.screen.table.source.page(0, 200) if customer in row.customer)


def shows_the_store(app, customer: str) -> bool:
    """The tick is over and its heat has reached the screen (the redraw follows the tick's change notice)."""
    return not app.ticking and heat_of(app, customer) == stored_heat(app, customer)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_the_queue_heats_up_as_time_passes_and_the_heat_process_stops_with_the_app(promised_store, store_path):
    clock = {"now": NOW}
    app = make_app(store_path, clock=lambda: clock["now"])
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        before = heat_of(app, "Acme")  # T-200: a critical customer's shop down, bob's promise to lapse
        clock["now"] = NOW + timedelta(hours=6)  # the night goes by
        app.heat_tick()
        await wait_for(pilot, lambda: heat_of(app, "Acme") > before, seconds=30)
        pid = app.heat_process_pid
        assert pid is not None and pid != os.getpid()
        # Killed between ticks (OOM killer, an admin): the next tick starts a new one, silently.
        os.kill(pid, signal.SIGKILL)
        await wait_for(pilot, lambda: not alive(pid) or app.heat_process_pid is None)
        clock["now"] += timedelta(days=2)  # (six hours more of a wait already counted at its full weight may not show)
        warmer = heat_of(app, "Acme")
        app.heat_tick()
        await wait_for(pilot, lambda: heat_of(app, "Acme") > warmer or heat_of(app, "Acme") == 100, seconds=30)
        assert app.heat_process_pid not in (None, pid)
        second = app.heat_process_pid
    assert not alive(second)  # it ends with the app


async def test_the_heat_process_uses_the_configured_weights(store, store_path):
    # Waiting counts for nothing here: six more hours of waiting must not heat the case (Boulangerie waits on
    # us; Acme's case holds a promise of ours whose end rightly lifts its cooling).
    cfg = Config(timezone="Europe/Paris", region="EMEA", city="Paris", heat={"waiting_max": 0.0, "age_max": 0.0})
    clock = {"now": NOW}
    app = make_app(store_path, clock=lambda: clock["now"], config=cfg)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        app.heat_tick()  # first, at NOW, with these weights
        await wait_for(pilot, lambda: app.heat_process_pid is not None and shows_the_store(app, "Boulangerie"),
                       seconds=30)
        settled = heat_of(app, "Boulangerie")
        clock["now"] = NOW + timedelta(hours=6)
        app.heat_tick()
        await wait_for(pilot, lambda: shows_the_store(app, "Boulangerie"), seconds=30)
        assert heat_of(app, "Boulangerie") == settled


async def test_once_our_promise_runs_out_the_waiting_column_counts_the_wait_the_heat_counts(promised_store, store_path):
    # bob promised Acme at 08:20 to confirm shortly; with the shop down the promise holds 2 h (until 10:20).
    clock = {"now": NOW}
    app = make_app(store_path, clock=lambda: clock["now"])
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        acme = next(line for line in queue_lines(app) if "Acme" in line)
        assert "—" in acme and "4h40" not in acme  # not waiting on us while the promise holds
        clock["now"] = NOW + timedelta(hours=6)  # 15:00
        app.heat_tick()
        await wait_for(pilot, lambda: "4h40" in next(line for line in queue_lines(app) if "Acme" in line),
                       seconds=30)
        await pilot.press("v")  # the "waiting on us" view lists it now
        await wait_for(pilot, lambda: app.screen.queue.view == "waiting")
        assert any("Acme" in line for line in queue_lines(app))
