"""One action on one case, on screen: parameters → preflight → plan → run → record → reply.

Keys: `enter` checks the parameters (then confirms the plan), `escape`
cancels (or stops a running action), `ctrl+s` saves the reply draft.
"""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Label, ProgressBar, RichLog, Static

from ...core.errors import OncallError
from ...usecases import actions, writing
from ..keymap import default_bindings
from ..messages import WriteRefused, Wrote
from ..safe import literal
from ..widgets.key_hints import KeyHints
from .closing import SelfClosing
from .editor import EditorScreen

MARK = {"ok": ("✓", "green"), "warn": ("!", "yellow"), "confirm": ("?", "bold yellow"), "fail": ("✗", "bold red")}


class ActionScreen(SelfClosing):
    """Run *action* on the case of *ctx*."""

    # Its own rules: parsed when the screen is first opened, not before the queue's first frame.
    DEFAULT_CSS = """
        #action-body {
            padding: 0 1;
        }

        .param-row {
            height: 3;
        }

        .param-label {
            width: 12;
            padding: 1 1 0 0;
            text-style: bold;
        }

        .param-input {
            width: 1fr;
        }

        #action-checks, #action-plan, #action-status {
            height: auto;
            margin-top: 1;
        }

        #action-log {
            height: 14;
            border: round $primary;
        }
    """

    KEYMAP = "action"
    BINDINGS = default_bindings("action")

    def __init__(self, action, ctx, suggestion: dict[str, str]) -> None:
        super().__init__(name="action")
        self.action_def = action
        self.ctx = ctx
        self.initial = action.defaults(ctx, suggestion)
        self.stage = "params"  # params → checking → confirm → running → done
        self.params: dict[str, str] = {}
        self.checks = []
        self.cancel_event = asyncio.Event()
        self.outcome = None
        self._checked_raw: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="action-body"):
            yield Static(Text.assemble((self.action_def.title, "bold"), "  on ", (self.ctx.case_id, "bold"), " · ",
                                       literal(self.ctx.customer_name)), id="action-title")
            for p in self.action_def.params:
                with Horizontal(classes="param-row"):
                    yield Label(p.name, classes="param-label")
                    yield Input(self.initial.get(p.name, ""), placeholder=p.help or p.type, id=f"param-{p.name}",
                                classes="param-input")
            yield Static(id="action-checks")
            yield Static(id="action-plan")
            yield Static(id="action-status")
            yield ProgressBar(total=None, show_eta=False, id="action-progress")
            yield RichLog(id="action-log", wrap=True, markup=False, highlight=False)
        yield KeyHints()

    def on_mount(self) -> None:
        self.query_one("#action-progress").display = False
        self.query_one("#action-log").display = False
        required = [p.name for p in self.action_def.params if p.required and p.default is None]
        if all(self.initial.get(name) for name in required):
            self.action_next()  # everything is known: check straight away
        else:
            missing = next(name for name in required if not self.initial.get(name))
            self.query_one(f"#param-{missing}", Input).focus()
            self.status("Fill in the parameters, then enter to check.", "")

    @property
    def running_action(self) -> str | None:
        """The action's title while it runs (quitting then says so first), else None."""
        return f"{self.action_def.title} on {self.ctx.case_id}" if self.stage == "running" else None

    def status(self, text: str, style: str = "bold") -> None:
        self.query_one("#action-status", Static).update(Text(text, style))

    # -- stages ---------------------------------------------------------------
    def action_next(self) -> None:
        if self.stage == "confirm" and self._raw() != self._checked_raw:
            self.stage = "params"  # the engineer edited a parameter after the check: check again
        if self.stage == "params":
            self._check()
        elif self.stage == "confirm":
            self._confirm()

    def _raw(self) -> dict[str, str]:
        return {p.name: self.query_one(f"#param-{p.name}", Input).value for p in self.action_def.params}

    def _check(self) -> None:
        self._checked_raw = self._raw()
        try:
            self.params = self.action_def.validate(self._raw(), self.ctx)
        except OncallError as exc:
            self.status(f"{exc}", "bold red")
            field = getattr(exc, "field", None)
            if field and self.query(f"#param-{field}"):
                self.query_one(f"#param-{field}", Input).focus()
            return
        self.stage = "checking"
        self.status("Checking…", "")
        self.set_focus(None)
        self._preflight()

    @work(exclusive=True, group="preflight")
    async def _preflight(self) -> None:
        checks = await actions.preflight(self.action_def, self.params, self.ctx)
        if not self.still_shown():
            return
        self.checks = checks
        text = Text()
        for c in checks:
            mark, style = MARK[c.status]
            text.append(f" {mark} ", style)
            text.append(f"{c.name}: ", "bold")
            text.append_text(literal(c.message))
            text.append("\n")
        self.query_one("#action-checks", Static).update(text)
        plan = Text("Plan\n", "bold")
        for line in self.action_def.plan(self.params, self.ctx):
            plan.append_text(literal(f"  {line}"))
            plan.append("\n")
        self.query_one("#action-plan", Static).update(plan)
        failed = actions.failed_checks(checks)
        if failed:
            self.stage = "params"
            self.status("Preflight failed — nothing was run. Fix the cause (or the parameters) and press enter "
                        "to check again; escape to go back.", "bold red")
            return
        self.stage = "confirm"
        previous = actions.already_done(self.app.session, self.ctx, self.action_def, self.params)
        asked = actions.to_confirm(checks)
        if asked:  # the explicit yes: enter now accepts what the checks name
            self.status(" · ".join(f"{c.name}: {c.message}" for c in asked) + " — enter runs it anyway, "
                        "escape cancels.", "bold yellow")
        elif previous:
            self.status(f"{previous.question(self.app.engineer_zone)} enter runs it again, escape cancels.",
                        "bold yellow")
        else:
            self.status("enter runs it · escape cancels", "bold green")

    def _confirm(self) -> None:
        try:
            self.app.session.check_actions()
        except OncallError as exc:
            self.status(str(exc), "bold red")
            return
        self.stage = "running"
        self.query_one("#action-progress").display = True
        log = self.query_one("#action-log", RichLog)
        log.display = True
        self.status("Running… escape stops it", "bold")
        self._run()

    @work(exclusive=True, group="run")
    async def _run(self) -> None:
        # The run is recorded however it ends, this screen gone or not (oncall quitting while it runs).
        outcome = await actions.run(self.action_def, self.params, self.ctx, on_output=self._show_output,
                                    cancel=self.cancel_event, on_done=self._record)
        if not self.still_shown():
            return
        self.stage = "done"
        self.query_one("#action-progress").display = False
        style = "bold green" if outcome.ok else "bold red"
        self.status(f"{outcome.status}: {outcome.summary} ({outcome.duration:.1f} s) — recording it…", style)

    def _show_output(self, line: str) -> None:
        if self.still_shown():
            self.query_one("#action-log", RichLog).write(literal(line))

    def _record(self, outcome) -> None:
        self.outcome = outcome
        ctx, action, params, checks = self.ctx, self.action_def, self.params, self.checks
        # Gone, the screen cannot say whether it was recorded: the app says it if it was not.
        requester = self if self.still_shown() else self.app
        self.app.write(requester, "record", lambda s: actions.record(s, ctx, action, params, outcome, checks))

    def on_wrote(self, message: Wrote) -> None:
        message.stop()
        if message.request != "record":
            return
        outcome = self.outcome
        style = "bold green" if outcome.ok else "bold red"
        self.status(f"{outcome.status}: {outcome.summary} ({outcome.duration:.1f} s) — recorded in the history",
                    style)
        reply = actions.draft_reply(self.action_def, self.params, outcome, self.ctx)
        if reply:
            self._offer_reply(reply)

    def on_write_refused(self, message: WriteRefused) -> None:
        message.stop()
        if message.request == "record":
            outcome = self.outcome
            self.status(f"{outcome.status}: {outcome.summary} — but it could not be recorded: {message.reason}",
                        "bold red")

    def _offer_reply(self, draft: str) -> None:
        case_id = self.ctx.case_id

        def done(result) -> None:
            if result is not None:
                self.notify("Reply saved as an outgoing message")
                self.close()

        lang = "French" if self.ctx.language == "fr" else "English" if self.ctx.language == "en" else self.ctx.language
        self.app.push_screen(EditorScreen(f"Reply draft to {self.ctx.customer_name} ({lang}) — edit, then ctrl+s",
                                          case_id=case_id, kind="reply", text=draft,
                                          save=lambda s, text, force: writing.reply(s, case_id, text)), done)

    def action_cancel(self) -> None:
        if self.stage == "running":
            self.cancel_event.set()
            self.status("Stopping…", "bold yellow")
            return
        self.close()
