"""Running an action against a case: context from the store, idempotency, the record, the reply.

The screen and `oncall run` both go through here, so an action run from a
script is recorded and answered exactly like one run from the queue.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

from ..config import Config, config_dir, data_dir
from ..core.timeutil import parse_ts
from ..store import queries, writes
from ..store.db import Store
from .base import Action, ActionContext, ActionError, Outcome
from .certificate import CertificateAction
from .preflight import Check
from .runbook_action import RunbookAction
from .runbooks import load_runbooks, shipped_runbook_dir
from .ssh import SshTransport
from .transport import LocalTransport, RootedLocalTransport, Transport

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


def make_context(store: Store, case_id: str, *, user: str, region: str, now: Callable[[], datetime],
                 cfg: Config) -> ActionContext:
    case = queries.get_case(store, case_id)
    if case is None:
        raise ActionError(f"no case {case_id!r} in the store")
    assets = queries.customer_assets(store, case["customer_id"])
    servers = {a["name"]: dict(a) for a in assets if a["kind"] == "server"}
    domains = {a["name"]: dict(a) for a in assets if a["kind"] == "domain"}
    return ActionContext(
        case_id=case_id, customer_id=case["customer_id"], customer_name=case["customer"],
        language=case["language"], servers=servers, domains=domains, user=user, region=region, now=now,
        transport_for=transport_factory(cfg, servers), settings=settings(cfg),
        recent_runs=lambda action_id, params: previous_runs(store, case["customer_id"], action_id, params))


def previous_runs(store: Store, customer_id: str, action_id: str, params: dict) -> list[dict]:
    """Earlier runs of *action_id* for this customer whose parameters include *params*."""
    out = []
    for row in store.query("SELECT at, author, meta FROM events WHERE customer_id = ? AND kind = 'action' "
                           "ORDER BY at DESC", (customer_id,)):
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


def already_done(store: Store, ctx: ActionContext, action: Action, params: dict) -> AlreadyDone | None:
    """The same action with the same parameters on this customer in the last 10 minutes."""
    since = ctx.now() - IDEMPOTENCY_WINDOW
    for run in previous_runs(store, ctx.customer_id, action.id, params):
        if run["at"] >= since and run["params"] == params and run["outcome"] in ("ok", None):
            return AlreadyDone(run["author"], run["at"])
    return None


def refuse_if_readonly(cfg: Config) -> None:
    if cfg.readonly:
        raise ActionError(f"read-only mode: actions are disabled ({cfg.readonly_reason})")


def record(store: Store, ctx: ActionContext, action: Action, params: dict, outcome: Outcome,
           checks: list[Check]) -> str:
    """The action event: who, when, what, on what, the outcome, how long, and the log."""
    log = outcome.log if len(outcome.log) <= LOG_LIMIT else outcome.log[-LOG_LIMIT:]
    meta = {"action": action.id, "title": action.title, "params": params, "outcome": outcome.status,
            "duration": round(outcome.duration, 3), "log": log, "details": outcome.details,
            "checks": [{"name": c.name, "status": c.status, "message": c.message} for c in checks]}
    return writes.add_case_event(store, ctx.case_id, kind="action", body=outcome.summary, author=ctx.user,
                                 now=ctx.now(), region=ctx.region, direction="internal", channel="tool",
                                 meta=meta)


def draft_reply(action: Action, params: dict, outcome: Outcome, ctx: ActionContext) -> str:
    return action.reply(params, outcome, ctx.language).replace("{engineer}", ctx.user)
