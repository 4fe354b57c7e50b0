"""Running a rendered runbook on a transport, step by step, with timeouts and cancel."""

from __future__ import annotations

import asyncio
import shlex
import time
from dataclasses import dataclass
from typing import Callable, Literal

from .runbooks import Runbook, Step, render_steps
from .transport import OutputCallback, RunResult, Transport

Status = Literal["ok", "failed", "timed_out", "cancelled"]


@dataclass(frozen=True)
class StepResult:
    title: str
    argv: tuple[str, ...]
    returncode: int | None  # None when cancelled before it finished
    timed_out: bool
    duration: float
    output: str


@dataclass(frozen=True)
class RunbookOutcome:
    runbook_id: str
    target: str
    status: Status
    steps: tuple[StepResult, ...]  # the steps that started, in order
    log: str
    duration: float

    @property
    def ok(self) -> bool:
        return self.status == "ok"


StepCallback = Callable[[int, Step, list[str]], None]


async def run_steps(rb: Runbook, params: dict[str, str], transport: Transport, *,
                    on_output: OutputCallback | None = None, on_step: StepCallback | None = None,
                    cancel: asyncio.Event | None = None,
                    clock: Callable[[], float] = time.monotonic) -> RunbookOutcome:
    """Run the steps in order on *transport*, stopping at the first that fails.

    Every command is rendered before the first one starts, so a bad value stops
    the runbook with nothing run. Setting *cancel* kills the running step and
    returns a "cancelled" outcome; cancelling the task itself propagates.
    """
    rendered = render_steps(rb, params)
    log: list[str] = []
    results: list[StepResult] = []
    status: Status = "ok"
    started = clock()

    def out(line: str) -> None:
        log.append(line)
        if on_output:
            on_output(line)

    for index, (step, argv) in enumerate(rendered):
        if cancel is not None and cancel.is_set():
            status = "cancelled"
            break
        if on_step:
            on_step(index, step, argv)
        log.append(f"== {index + 1}/{len(rendered)} {step.title} on {transport.description}")
        log.append(f"$ {shlex.join(argv)}")
        step_start = clock()
        try:
            result = await _run_step(transport, argv, step.timeout, out, cancel)
        except asyncio.CancelledError:
            if asyncio.current_task().cancelling():  # our caller cancelled us: let it through
                raise
            results.append(StepResult(step.title, tuple(argv), None, False, clock() - step_start, ""))
            log.append("-> cancelled")
            status = "cancelled"
            break
        except OSError as exc:  # e.g. the ssh client is not installed
            results.append(StepResult(step.title, tuple(argv), None, False, clock() - step_start, ""))
            log.append(f"-> could not start: {exc}")
            status = "failed"
            break
        results.append(StepResult(step.title, tuple(argv), result.returncode, result.timed_out,
                                  clock() - step_start, result.output))
        if result.timed_out:
            log.append(f"-> timed out after {step.timeout:g}s")
            status = "timed_out"
            break
        log.append(f"-> exit status {result.returncode}")
        if result.returncode != 0:
            status = "failed"
            break
    return RunbookOutcome(rb.id, transport.description, status, tuple(results),
                          "\n".join(log) + "\n", clock() - started)


async def _run_step(transport: Transport, argv: list[str], timeout: float,
                    on_output: OutputCallback, cancel: asyncio.Event | None) -> RunResult:
    """Run one step; if *cancel* is set first, kill it and raise CancelledError."""
    if cancel is None:
        return await transport.run(argv, timeout=timeout, on_output=on_output)
    run = asyncio.ensure_future(transport.run(argv, timeout=timeout, on_output=on_output))
    waiter = asyncio.ensure_future(cancel.wait())
    try:
        await asyncio.wait({run, waiter}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
        if not run.done():
            run.cancel()  # run_process kills the process when cancelled
            await asyncio.gather(run, return_exceptions=True)
    return run.result()
