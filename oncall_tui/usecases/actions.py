"""One-key actions on a case: which exist, what the customer's words suggest, run, record, reply.

The screen and `oncall run` both go through here, so an action run from a
script is checked, recorded and answered exactly like one run from the queue:
context from the store → parameters → preflight → plan → run → record → reply draft.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable, Iterable

from ..actions.base import Action, ActionContext, ActionError, Outcome, blocking
from ..actions.certificate import CertificateAction
from ..actions.preflight import Check
from ..actions.runbook_action import RunbookAction
from ..actions.runbooks import load_runbooks, shipped_runbook_dir
from ..actions.ssh import SshTransport
from ..actions.transport import LocalTransport, RootedLocalTransport, Transport
from ..config import Config, config_dir, data_dir
from ..core.intents import Proposal, by_hand, decode, describe
from ..core.timeutil import parse_ts
from ..store import queries, writes
from .session import Session

IDEMPOTENCY_WINDOW = timedelta(minutes=10)
LOG_LIMIT = 20_000  # characters of run log kept in the history


def load_actions(cfg: Config) -> dict[str, Action]:
    """Built-in actions plus runbooks: shipped, then the config dir's, then `[actions] runbook_dirs`."""
    dirs = [shipped_runbook_dir()]
    site = config_dir() / "runbooks"
    if site.is_dir():
        dirs.append(site)
    dirs += [Path(d).expanduser() for d in cfg.runbook_dirs]
    actions: dict[str, Action] = {"issue_certificate": CertificateAction()}
    for rb in load_runbooks(dirs).values():
        actions[rb.id] = RunbookAction(rb)
    return actions


def transport_factory(cfg: Config, servers: dict[str, dict]) -> Callable[[str | None], Transport]:
    def transport_for(server: str | None) -> Transport:
        if server is None:
            return LocalTransport()
        if cfg.transport == "local":
            if cfg.local_root:
                return RootedLocalTransport(Path(cfg.local_root) / server, server)
            return LocalTransport()
        # The engineer's own ssh: their ~/.ssh/config decides how to reach the server alias.
        return SshTransport(server, ssh_config=cfg.ssh_config or None)
    return transport_for


def settings(cfg: Config) -> dict:
    return {
        "acme_directory": cfg.acme_directory, "ca_bundle": cfg.acme_ca_bundle, "acme_contact": cfg.acme_contact,
        "account_key": cfg.acme_account_key or str(data_dir() / "acme" / "account.key"),
        "dns_nameserver": cfg.dns_nameserver, "dns_port": cfg.dns_port, "dns_timeout": cfg.dns_timeout,
        "cert_dir": cfg.acme_cert_dir, "reload": cfg.acme_reload, "check_tls": cfg.acme_check_tls,
        "tls_port": cfg.acme_tls_port,
    }


def catalogue(session: Session) -> dict[str, Action]:
    """The actions of this session (built-in and runbooks), loaded once; RunbookError names a bad file."""
    if session.actions is None:
        session.actions = load_actions(session.config)
    return session.actions


def context(session: Session, case_id: str) -> ActionContext:
    """What an action knows about the case it acts on, and how it reaches the customer's servers."""
    store = session.store
    case = queries.get_case(store, case_id)
    if case is None:
        raise ActionError(f"no case {case_id!r} in the store")
    assets = queries.customer_assets(store, case["customer_id"])
    servers = {a["name"]: dict(a) for a in assets if a["kind"] == "server"}
    domains = {a["name"]: dict(a) for a in assets if a["kind"] == "domain"}
    customer_id = case["customer_id"]
    return ActionContext(
        case_id=case_id, customer_id=customer_id, customer_name=case["customer"],
        language=case["language"], servers=servers, domains=domains, user=session.user, region=session.region,
        now=session.now, transport_for=transport_factory(session.config, servers), settings=settings(session.config),
        recent_runs=lambda action_id, params: previous_runs(session, customer_id, action_id, params))


def previous_runs(session: Session, customer_id: str, action_id: str, params: dict) -> list[dict]:
    """Earlier runs of *action_id* for this customer whose parameters include *params*."""
    out = []
    for row in queries.action_events(session.store, customer_id):
        meta = json.loads(row["meta"] or "{}")
        if meta.get("action") != action_id:
            continue
        if all(meta.get("params", {}).get(k) == v for k, v in params.items()):
            out.append({"at": parse_ts(row["at"]), "author": row["author"], "outcome": meta.get("outcome"),
                        "params": meta.get("params", {})})
    return out


@dataclass(frozen=True)
class AlreadyDone:
    author: str
    at: datetime

    def question(self, tz) -> str:
        return f"already done by {self.author} at {self.at.astimezone(tz):%H:%M} — run again?"


def already_done(session: Session, ctx: ActionContext, action: Action, params: dict) -> AlreadyDone | None:
    """The same action with the same parameters on this customer in the last 10 minutes."""
    since = ctx.now() - IDEMPOTENCY_WINDOW
    for run in previous_runs(session, ctx.customer_id, action.id, params):
        if run["at"] >= since and run["params"] == params and run["outcome"] in ("ok", None):
            return AlreadyDone(run["author"], run["at"])
    return None


async def preflight(action: Action, params: dict, ctx: ActionContext) -> list[Check]:
    """The action's checks; a check that crashes says so as a failed check instead of taking the caller down."""
    try:
        return await action.preflight(params, ctx)
    except Exception as exc:  # noqa: BLE001 — the engineer must see why nothing can run, whatever broke
        return [Check("preflight", "fail", f"the checks could not run: {type(exc).__name__}: {exc}")]


def failed_checks(checks: list[Check]) -> list[Check]:
    """The checks that stop the action (status "fail")."""
    return blocking(checks)


def to_confirm(checks: list[Check], confirmed: Iterable[str] = ()) -> list[Check]:
    """The checks the engineer must accept before the action runs (status "confirm"), minus *confirmed* names."""
    accepted = set(confirmed)
    return [c for c in checks if c.status == "confirm" and c.name not in accepted]


async def run(action: Action, params: dict, ctx: ActionContext, *, on_output: Callable[[str], None],
              cancel: asyncio.Event, on_done: Callable[[Outcome], None]) -> Outcome:
    """Run *action*; *on_done(outcome)* is called exactly once, however the run ends, to record it.

    An action may have touched a server: the history must say so even when the run does not end well
    for oncall — the task cancelled because oncall is closing (the engineer quit, the SSH session
    dropped: the step in flight is killed, "stopped" with the output so far), or a bug in the action
    (an outcome "failed" that names the error, instead of a crash that records nothing).
    """
    lines: list[str] = []
    started = time.monotonic()

    def output(line: str) -> None:
        lines.append(line)
        on_output(line)

    try:
        outcome = await action.run(params, ctx, on_output=output, cancel=cancel)
    except asyncio.CancelledError:
        on_done(Outcome("cancelled", f"{action.title}: stopped, oncall was closed while it ran",
                        "\n".join(lines), time.monotonic() - started, {"stopped_by": "oncall closing"}))
        raise
    except Exception as exc:  # a bug in the action: said and recorded, the app goes on
        outcome = Outcome("failed", f"{action.title}: failed, internal error ({type(exc).__name__}: {exc})",
                          "\n".join(lines), time.monotonic() - started, {"error": repr(exc)})
    on_done(outcome)
    return outcome


def record(session: Session, ctx: ActionContext, action: Action, params: dict, outcome: Outcome,
           checks: list[Check]) -> str:
    """The action event: who, when, what, on what, the outcome, how long, and the log."""
    log = outcome.log if len(outcome.log) <= LOG_LIMIT else outcome.log[-LOG_LIMIT:]
    meta = {"action": action.id, "title": action.title, "params": params, "outcome": outcome.status,
            "duration": round(outcome.duration, 3), "log": log, "details": outcome.details,
            "checks": [{"name": c.name, "status": c.status, "message": c.message} for c in checks]}
    return writes.add_case_event(session.store, ctx.case_id, kind="action", body=outcome.summary, author=ctx.user,
                                 now=ctx.now(), region=ctx.region, direction="internal", channel="tool",
                                 meta=meta)


def draft_reply(action: Action, params: dict, outcome: Outcome, ctx: ActionContext) -> str:
    """The reply to the customer in their language, saying only what the action did."""
    return action.reply(params, outcome, ctx.language).replace("{engineer}", ctx.user)


# -- what the customer's words suggest ------------------------------------------------------------

@dataclass(frozen=True)
class Suggestion:
    """The decoder's reading of what the customer asks: a proposal and the action serving it,
    or — when it is not sure — nothing proposed and why (`unsure`)."""

    proposal: Proposal | None
    action: Action | None
    by_hand: str | None = None  # an intent with no runbook yet: what to do by hand
    unsure: str = ""  # "not sure: add a vhost? (0.41: 'ftp') — nothing suggested"
    asked_earlier: datetime | None = None  # read in an earlier message: the latest one only chases it

    def text(self) -> str:
        """"issue a certificate for boutique-martin.fr (0.92: 'charger un SSL')", or why nothing is proposed."""
        if self.proposal is None:
            return self.unsure
        words = ", ".join(f"'{w}'" for w in self.proposal.matched[:3])
        earlier = f"; asked in their message of {self.asked_earlier:%d %b %H:%M}" if self.asked_earlier else ""
        quoted = "; read in the quote they said yes to" if self.proposal.quoted else ""
        return f"{describe(self.proposal, 'en')} ({self.proposal.confidence:.2f}: {words}{quoted}{earlier})"


#: Earlier customer messages read when the latest asks nothing without closing the case: "toujours pas de
#: cadenas !" chases the request of an earlier message.
EARLIER_MESSAGES = 3


def suggestion(session: Session, case_id: str) -> Suggestion | None:
    """What the customer asks for (None: no customer message, or nothing to read in it).

    The latest message is read first; when it asks nothing and neither thanks nor closes (a chase, "any
    news?"), the customer's EARLIER_MESSAGES before it are read, newest first, for the request it chases.
    CPU work on the customer's text (bounded, linear): call it off the screen's event loop.
    """
    store = session.store
    messages = queries.latest_customer_messages(store, case_id, 1 + EARLIER_MESSAGES)
    if not messages:
        return None
    case = queries.get_case(store, case_id)
    domains = [a["name"] for a in queries.customer_assets(store, case["customer_id"]) if a["kind"] == "domain"]
    rules, reader = session.models.rules, session.models.reader
    reading = first = decode(messages[0]["body"], rules=rules, known_domains=domains, reader=reader)
    asked_at, earlier = parse_ts(messages[0]["at"]), None
    for older in messages[1:] if not (first.proposals or first.closing) else ():
        found = decode(older["body"], rules=rules, known_domains=domains, reader=reader)
        if found.closing:
            break
        if found.proposals:
            reading = found
            asked_at = earlier = parse_ts(older["at"])
            break
    if not reading.proposals:
        return Suggestion(None, None, unsure=reading.summary()) if reading.unsure is not None else None
    proposal = reading.proposals[0]
    action = next((a for a in catalogue(session).values() if a.intent == proposal.intent), None)
    if action is not None:
        # Done since the customer asked: suggesting it again would only invite a second run.
        wanted = {k: v for k, v in proposal.params.items() if k == "domain"}
        done = [r for r in previous_runs(session, case["customer_id"], action.id, wanted)
                if r["outcome"] == "ok" and r["at"] >= asked_at]
        if done:
            run = done[0]
            return Suggestion(None, None, unsure=f"already done since the customer asked: {action.title}"
                              f"{' for ' + wanted['domain'] if wanted else ''}, by {run['author']} at "
                              f"{run['at']:%H:%M} UTC — nothing more suggested")
    return Suggestion(proposal, action, by_hand(proposal.intent, case["language"], rules=rules),
                      asked_earlier=earlier)



