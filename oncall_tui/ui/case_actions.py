"""The app's one-key actions: which ones exist, what the customer's words suggest, starting one.

A mixin of `OncallApp`: it uses the app's store, config, keymap and clock.
"""

from __future__ import annotations

from rich.text import Text

from ..store import queries
from .safe import literal


class CaseActions:
    """Actions on a case, for the screens (`start_action`, `choose_action`, `suggestion_for`)."""

    @property
    def actions(self) -> dict:
        if self._actions is None:
            from ..actions.engine import load_actions
            from ..actions.runbooks import RunbookError

            try:
                self._actions = load_actions(self.config)
            except RunbookError as exc:
                self.notify(f"Runbooks not loaded: {exc}", severity="error", timeout=20)
                from ..actions.certificate import CertificateAction

                self._actions = {"issue_certificate": CertificateAction()}
        return self._actions

    def suggestion(self, case_id: str):
        """The decoder's best proposal for the case's latest customer message, and the action serving it."""
        from ..core.intents import propose

        row = self.store.query_one(
            "SELECT body FROM events WHERE case_id = ? AND direction = 'in' AND kind IN ('message','chat','call') "
            "ORDER BY at DESC, seq DESC LIMIT 1", (case_id,))
        if row is None:
            return None
        case = queries.get_case(self.store, case_id)
        domains = [a["name"] for a in queries.customer_assets(self.store, case["customer_id"]) if a["kind"] == "domain"]
        for proposal in propose(row["body"], known_domains=domains):
            action = next((a for a in self.actions.values() if a.intent == proposal.intent), None)
            return proposal, action
        return None

    def suggestion_for(self, case_id: str) -> Text | None:
        from ..core.intents import describe

        found = self.suggestion(case_id)
        if found is None:
            return None
        proposal, action = found
        text = Text("Looks like: ", "bold")
        text.append_text(literal(describe(proposal, "en")))
        if action is not None:
            key = self.keymap.display("history.suggested")
            text.append(f" — press {key}" + (" (read-only mode: actions disabled)" if self.config.readonly else ""))
        return text

    def start_action(self, case_id: str, action_id: str | None = None) -> None:
        """Open the action screen for the suggested (or the named) action on *case_id*."""
        from ..actions.base import ActionError
        from ..actions.engine import make_context
        from .screens.action import ActionScreen

        if self.config.readonly:
            self.notify(f"Read-only mode: actions are disabled ({self.config.readonly_reason}).", severity="warning")
            return
        suggestion: dict[str, str] = {}
        found = self.suggestion(case_id)
        if action_id is None:
            if found is None or found[1] is None:
                self.notify("No action suggested for this case — press a to choose one.", severity="warning")
                return
            action = found[1]
        elif action_id not in self.actions:
            self.notify(f"No action {action_id!r}: no built-in action or runbook has that id.", severity="error")
            return
        else:
            action = self.actions[action_id]
        if found is not None and found[1] is action:
            suggestion = dict(found[0].params)
        try:
            ctx = make_context(self.store, case_id, user=self.user, region=self.region, now=self.now,
                               cfg=self.config)
        except ActionError as exc:
            self.notify(str(exc), severity="error")
            return
        self.push_screen(ActionScreen(action, ctx, suggestion))

    def choose_action(self, case_id: str) -> None:
        from .screens.choice import ChoiceScreen

        if self.config.readonly:
            self.notify(f"Read-only mode: actions are disabled ({self.config.readonly_reason}).", severity="warning")
            return
        options = [(a.id, a.title) for a in self.actions.values()]
        self.push_screen(ChoiceScreen(f"Action on {case_id}", options),
                         lambda chosen: chosen and self.start_action(case_id, chosen))
