"""Keys that act on "the case under the cursor", the same on the queue and in a case.

Take it, assign it, copy its id or its helpdesk link (OSC 52: the clipboard of
the engineer's own terminal, through SSH).
"""

from __future__ import annotations

from ...core.errors import OncallError
from ...core.visible import visible
from ...usecases import queue
from ..messages import WriteRefused, Wrote


class CaseKeys:
    """Mixed into a Screen that says which case is current (`current_case`)."""

    def current_case(self) -> str | None:
        raise NotImplementedError

    # The write path, the history and the choice dialog load at their first use: the queue's
    # first frame does not need them.
    def action_take(self) -> None:
        from ...usecases import writing

        case_id = self.current_case()
        if case_id:
            self.app.write(self, "assign", lambda s: (writing.take(s, case_id), case_id, s.user))

    def action_assign(self) -> None:
        from ...usecases import writing
        from .choice import ChoiceScreen

        case_id = self.current_case()
        if not case_id:
            return
        try:
            team = writing.engineers(self.app.session)
        except OncallError as exc:
            self.notify(str(exc), severity="error")
            return
        options = [(name, name) for name in team] + [("", "nobody (unassign)")]

        def chosen(engineer: str | None) -> None:
            if engineer is not None:
                self.app.write(self, "assign", lambda s: (writing.assign(s, case_id, engineer), case_id, engineer))

        self.app.push_screen(ChoiceScreen(f"Assign {case_id} to", options), chosen)

    def action_resolve_done(self) -> None:
        """The one-key resolve of a case whose customer said it works or asked us to close it."""
        case_id = self.current_case()
        if not case_id:
            return
        try:
            done = queue.probably_done(self.app.session, case_id)
        except OncallError as exc:
            self.notify(str(exc), severity="error")
            return
        if done is None:
            self.notify(f"{case_id} is not marked probably done: if it is over, set its status with S in the case.",
                        severity="warning", timeout=6)
            return
        self.app.write(self, "resolve_done", lambda s: (queue.resolve_done(s, case_id), case_id, done.said))

    def on_wrote(self, message: Wrote) -> None:
        if message.request == "resolve_done":
            message.stop()
            _, case_id, said = message.result
            self.notify(f"{case_id} resolved — the customer wrote {visible(' / '.join(said))!r}", timeout=4)
            self.after_write()
        elif message.request == "assign":
            message.stop()
            _, case_id, engineer = message.result
            self.notify(f"{case_id} is now {engineer}'s" if engineer else f"{case_id} is unassigned", timeout=3)
            self.after_write()

    def on_write_refused(self, message: WriteRefused) -> None:
        message.stop()
        self.notify(f"Not saved: {message.reason}", severity="warning", timeout=8)

    def after_write(self) -> None:
        """Refresh what the write changed (the screen's own way)."""

    def action_copy_id(self) -> None:
        case_id = self.current_case()
        if case_id:
            self.app.copy_to_clipboard(case_id)
            self.notify(f"Copied {case_id}", timeout=2)

    def action_copy_link(self) -> None:
        case_id = self.current_case()
        if not case_id:
            return
        from ...usecases import history

        url = history.helpdesk_url(self.app.session, case_id)
        if url is None:
            self.notify(f"{case_id} has no helpdesk ticket: it lives in oncall only.", severity="warning")
            return
        self.app.copy_to_clipboard(url)
        self.notify(f"Copied {url}", timeout=3)
