"""A site runbook (TOML) as an action."""

from __future__ import annotations

import asyncio
from typing import Callable

from .base import ActionContext, ActionError, Outcome
from .preflight import Check
from .runbook_params import RunbookError
from .runbook_runner import run_steps
from .runbooks import Runbook, plan_lines, render_reply, validate_params


class RunbookAction:
    def __init__(self, runbook: Runbook) -> None:
        self.runbook = runbook
        self.id = runbook.id
        self.title = runbook.title
        self.intent = runbook.intent
        self.key = runbook.key
        self.confirm = runbook.confirm
        self.dangerous = runbook.dangerous
        self.params = runbook.params

    def defaults(self, ctx: ActionContext, suggestion: dict[str, str]) -> dict[str, str]:
        values: dict[str, str] = {}
        names = {p.name: p for p in self.params}
        for name, value in suggestion.items():
            if name in names:
                values[name] = value
        if "domain" in names and "domain" not in values and len(ctx.domains) == 1:
            values["domain"] = next(iter(ctx.domains))
        server = self.runbook.server_param
        if server and server not in values:
            domain = values.get("domain")
            hosted_on = ctx.domains.get(domain, {}).get("server") if domain else None
            if hosted_on in ctx.servers:
                values[server] = hosted_on
            elif len(ctx.servers) == 1:
                values[server] = next(iter(ctx.servers))
        return values

    def validate(self, raw: dict[str, str], ctx: ActionContext) -> dict[str, str]:
        try:
            return validate_params(self.runbook, raw, servers=sorted(ctx.servers))
        except RunbookError as exc:
            raise ActionError(str(exc), param=exc.param) from None

    def _target(self, params: dict[str, str]) -> str | None:
        return params.get(self.runbook.server_param) if self.runbook.target == "server" else None

    async def preflight(self, params: dict[str, str], ctx: ActionContext) -> list[Check]:
        target = self._target(params)
        if self.runbook.target == "server" and not target:
            return [Check("target", "fail", "no server chosen: this runbook runs on one of the customer's servers")]
        transport = ctx.transport_for(target)
        return [Check("parameters", "ok", "every parameter is valid"),
                Check("target", "ok", f"runs on {transport.description}"),
                *[await self._path_check(p.name, params[p.name], transport) for p in self.params
                  if p.type == "path" and p.access == "write" and params.get(p.name)]]

    @staticmethod
    async def _path_check(name: str, path: str, transport) -> Check:
        """A folder the runbook would create or own that already holds files needs the engineer's yes."""
        found = await transport.run(["find", path, "-mindepth", "1", "-maxdepth", "1", "-print", "-quit"],
                                    timeout=15)
        output = found.output.strip()
        if found.ok and output:
            return Check(name, "confirm", f"{path} exists and is not empty (it holds {output.splitlines()[0]!r}…): "
                                          "the runbook would change what is there")
        if found.ok:
            return Check(name, "ok", f"{path} exists and is empty")
        if "No such file" in output:
            return Check(name, "ok", f"{path} does not exist yet: it will be created")
        return Check(name, "warn", f"could not look at {path}: {output.splitlines()[-1] if output else 'no answer'}")

    def plan(self, params: dict[str, str], ctx: ActionContext) -> list[str]:
        return plan_lines(self.runbook, params, ctx.transport_for(self._target(params)).description)

    async def run(self, params: dict[str, str], ctx: ActionContext, *,
                  on_output: Callable[[str], None], cancel: asyncio.Event) -> Outcome:
        transport = ctx.transport_for(self._target(params))

        def on_step(index, step, argv) -> None:
            on_output(f"── step {index + 1}/{len(self.runbook.steps)}: {step.title}")

        result = await run_steps(self.runbook, params, transport, on_output=on_output, on_step=on_step,
                                 cancel=cancel)
        done = sum(1 for s in result.steps if s.returncode == 0 and not s.timed_out)
        summary = {"ok": f"{self.title}: done on {transport.description}",
                   "failed": _failure(self.title, result.steps, transport.description)
                   if result.steps else f"{self.title}: failed before any step",
                   "timed_out": f"{self.title}: step {len(result.steps)} timed out",
                   "cancelled": f"{self.title}: cancelled after {done} step(s)"}[result.status]
        return Outcome(result.status, summary, result.log, result.duration,
                       {"steps": [{"title": s.title, "returncode": s.returncode, "timed_out": s.timed_out}
                                  for s in result.steps], "target": transport.description})

    def reply(self, params: dict[str, str], outcome: Outcome, language: str) -> str:
        if not outcome.ok:
            return ""
        return render_reply(self.runbook, params, language) or ""


def _failure(title: str, steps, where: str) -> str:
    """"Disk usage: step 3 (largest sites) failed with exit 1 on web-01: du: cannot access '/srv': …"."""
    step = steps[-1]
    code = "could not start" if step.returncode is None else f"exit {step.returncode}"
    tail = [line for line in step.output.strip().splitlines() if line.strip()][-3:]
    why = f": {' / '.join(tail)}" if tail else ""
    return f"{title}: step {len(steps)} ({step.title}) failed with {code} on {where}{why}"
