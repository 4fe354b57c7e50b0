"""The action model: every action goes parameters → preflight → plan → run → record → reply.

Built-in actions (the certificate) and site runbooks both implement `Action`,
so the screen, the command-line twin and the history treat them the same way.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Literal, Protocol, Sequence

from ..core.errors import Refused
from .preflight import Check
from .runbook_params import Param
from .transport import Transport

Status = Literal["ok", "failed", "timed_out", "cancelled"]


class ActionError(Refused):
    """An action cannot go ahead; the message says what and why (and `.param` which field)."""

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message, field=param)

    @property
    def param(self) -> str | None:
        return self.field


@dataclass
class ActionContext:
    """What an action knows about the case it acts on, and how to reach things."""

    case_id: str
    customer_id: str
    customer_name: str
    language: str
    servers: dict[str, dict]  # name -> asset row (ipv4, ipv6, datacenter, webroot)
    domains: dict[str, dict]  # name -> asset row (server, webroot)
    user: str
    region: str
    now: Callable[[], datetime]
    transport_for: Callable[[str | None], Transport]  # server name (None = local) -> transport
    settings: dict[str, Any] = field(default_factory=dict)  # acme/dns settings from config
    recent_runs: Callable[[str, dict], list[dict]] = lambda action_id, params: []


@dataclass
class Outcome:
    status: Status
    summary: str  # one line for the history: "certificate for x issued, valid until …"
    log: str
    duration: float
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class Action(Protocol):
    id: str
    title: str
    intent: str | None
    key: str | None
    confirm: bool
    dangerous: bool
    params: Sequence[Param]

    def defaults(self, ctx: ActionContext, suggestion: dict[str, str]) -> dict[str, str]:
        """Parameter values proposed from the case (decoder suggestion, known assets)."""

    def validate(self, raw: dict[str, str], ctx: ActionContext) -> dict[str, str]:
        """Typed, normalised parameters; raises ActionError naming the bad one."""

    async def preflight(self, params: dict[str, str], ctx: ActionContext) -> list[Check]:
        """Checks that each say ok / warn / fail in plain language."""

    def plan(self, params: dict[str, str], ctx: ActionContext) -> list[str]:
        """What will happen, where, as whom."""

    async def run(self, params: dict[str, str], ctx: ActionContext, *,
                  on_output: Callable[[str], None], cancel: asyncio.Event) -> Outcome:
        """Do it; never raises for an ordinary failure (the outcome says failed)."""

    def reply(self, params: dict[str, str], outcome: Outcome, language: str) -> str:
        """A reply draft in the customer's language."""


def blocking(checks: Sequence[Check]) -> list[Check]:
    return [c for c in checks if c.status == "fail"]
