"""The editor of notes, calls, chats, replies and summaries: nothing typed is ever lost.

What is typed is kept in the store as a draft (per case, engineer and kind)
within a second, and comes back when the editor reopens — after `escape`, a
crash or a lost SSH session. Saving runs in a worker: the screen never waits
for the store, and a refused save (the store is locked, full, read-only;
someone else replied meanwhile) keeps the editor open with the text and one
line saying why. Discarding a draft asks first.
"""

from __future__ import annotations

from typing import Any, Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Static, TextArea

from ...usecases import writing
from ...usecases.session import Session
from ...usecases.writing import ReplyCollision, SummaryConflict
from ..keymap import default_bindings
from ..messages import WriteRefused, Wrote
from ..safe import literal
from ..timefmt import local_clock
from .closing import SelfClosing

DRAFT_DELAY = 0.6  # seconds after the last keystroke before the draft is kept

Save = Callable[[Session, str, bool], Any]


class EditorScreen(SelfClosing, ModalScreen[Any]):
    """Edit text for *case_id*; `save(session, text, force)` runs in a worker (dismissed with its result).

    *kind* ("note", "reply", "summary"...) names the draft; *base* is what a
    summary is written over (a conflict shows theirs beside mine).
    """

    KEYMAP = "editor"
    BINDINGS = default_bindings("editor")

    DEFAULT_CSS = """
        EditorScreen #editor-text { height: 1fr; min-height: 5; }
        EditorScreen #editor-panes { height: 1fr; }
        EditorScreen #editor-theirs { width: 1fr; border: round $warning; padding: 0 1; }
        EditorScreen #editor-status { height: auto; }
        EditorScreen .dialog { height: 80%; }
    """

    def __init__(self, title: str, *, case_id: str, kind: str, save: Save, text: str = "",
                 base: str = "", hint: str = "ctrl+s or F2 saves · escape closes (draft kept) · F8 discards") -> None:
        super().__init__(name="editor")
        self.title_text = title
        self.case_id = case_id
        self.kind = kind
        self.save = save
        self.initial = text
        self.base = base
        self.hint = hint
        self.force = False  # the next save goes through a collision the engineer has seen
        self.saving = False
        self._kept = text  # the text last kept as a draft
        self._draft_timer: Timer | None = None
        self._restored = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(literal(self.title_text, "bold"), id="editor-title")
            with Horizontal(id="editor-panes"):
                yield TextArea(self.initial, id="editor-text", soft_wrap=True, show_line_numbers=False)
                theirs = Static(id="editor-theirs")
                theirs.display = False
                yield theirs
            yield Static(Text(self.hint, "dim"), id="editor-status")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        draft = writing.draft(self.app.session, self.case_id, self.kind)
        if draft is not None and draft.text.strip() and draft.text != self.initial:
            self._restored = draft
            area.load_text(draft.text)
            self._kept = draft.text
            if draft.base:
                self.base = draft.base
            self.status(f"Your draft from {local_clock(draft.updated_at, self.app.engineer_timezone)} is back. "
                        + self.hint, "bold green")
        area.focus()
        area.move_cursor(area.document.end)
        self.app.set_writing(self.kind)

    @property
    def text(self) -> str:
        # Until the text area is mounted nothing can have been typed: the draft is the text.
        areas = self.query(TextArea)
        return areas.first().text if areas else self.initial

    def status(self, text: str, style: str = "dim") -> None:
        self.query_one("#editor-status", Static).update(Text(text, style))

    # -- drafts ----------------------------------------------------------------------------
    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DELAY, self.keep_draft)

    def keep_draft(self) -> None:
        text = self.text
        if text == self._kept or self.saving:
            return
        self._kept = text
        case_id, kind, base = self.case_id, self.kind, self.base
        self.app.write(self, "draft", lambda s: writing.keep_draft(s, case_id, kind, text, base=base))

    # -- saving ------------------------------------------------------------------------------
    def action_save(self) -> None:
        if self.saving:
            return
        self.saving = True
        text, force, save = self.text, self.force, self.save
        self.status("Saving…", "bold")
        self.app.write(self, "save", lambda s: save(s, text, force))

    def on_wrote(self, message: Wrote) -> None:
        message.stop()
        if message.request != "save":
            return
        self.saving = False
        self.app.set_writing(None)
        self.close(message.result)

    def on_write_refused(self, message: WriteRefused) -> None:
        message.stop()
        if message.request == "draft":
            self._kept = ""  # keep it again at the next pause
            if not self.saving:  # "Saving…" stays until the save's own answer: that is the one that matters
                self.status(f"Draft not kept: {message.reason}. Your text is still here.", "yellow")
            return
        if message.request != "save":
            return
        self.saving = False
        error = message.error
        if isinstance(error, ReplyCollision):
            self.force = True
            self.status(f"Not sent: {error}", "bold yellow")
        elif isinstance(error, SummaryConflict):
            self.base = error.theirs
            self.force = True
            theirs = self.query_one("#editor-theirs", Static)
            theirs.update(Text.assemble((f"Theirs (by {error.author or 'someone'}), saved meanwhile:\n", "bold"),
                                        literal(error.theirs, multiline=True)))
            theirs.display = True
            self.status(f"Not saved: {error} — yours on the left, theirs on the right; ctrl+s saves yours over "
                        "theirs", "bold yellow")
        else:
            self.status(f"Not saved: {error}. Your text is still here — fix it or try again (ctrl+s).", "bold red")

    # -- leaving ------------------------------------------------------------------------------
    def action_close(self) -> None:
        """Close; what was typed stays as a draft and comes back when the editor reopens."""
        if self.saving:  # the answer (sent, or refused and why) must be seen: it is on its way
            self.status("Saving… — wait for the answer; your text is kept either way.", "bold")
            return
        text = self.text
        if text.strip() and text != self.initial:
            if text != self._kept:
                case_id, kind, base = self.case_id, self.kind, self.base
                self.app.write(self.app, "draft",
                               lambda s: writing.keep_draft(s, case_id, kind, text, base=base))
            self.notify(f"Draft kept — it comes back when you reopen the {self.kind} editor.", timeout=4)
        self.app.set_writing(None)
        self.close(None)

    def action_discard(self) -> None:
        from .dialogs import ConfirmScreen

        if self.saving:
            self.status("Saving… — wait for the answer before discarding.", "bold")
            return

        def answer(yes: bool | None) -> None:
            if yes:
                case_id, kind = self.case_id, self.kind
                self.app.write(self.app, "draft", lambda s: writing.discard_draft(s, case_id, kind))
                self.app.set_writing(None)
                self.close(None)

        self.app.push_screen(ConfirmScreen(f"Discard this {self.kind}? What you typed will be gone."), answer)
