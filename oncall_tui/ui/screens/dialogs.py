"""Small modal screens: keys help, why a case is hot, the welcome for an empty store, a yes/no question."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...core.heat_score import Heat
from ..keymap import default_bindings
from ..safe import literal
from .closing import SelfClosing


class Dismissable(SelfClosing, ModalScreen):
    KEYMAP = "dialog"
    BINDINGS = default_bindings("dialog")

    def action_dismiss(self) -> None:
        self.close()


class HelpScreen(Dismissable):
    """Every key of the current screen and the app, with its id (for the user keymap)."""

    def __init__(self, rows: list[tuple[str, str, str]], problems: list[str]) -> None:
        super().__init__(name="help")
        # Keys as typed ("/", "?"), what they do, and the id to remap them by.
        self.rows = rows
        self.problems = problems

    def compose(self) -> ComposeResult:
        table = Table(title="Keys", expand=True, box=None, header_style="bold")
        table.add_column("key", style="bold cyan", no_wrap=True)
        table.add_column("does")
        table.add_column("id (for keymap.toml)", style="dim")
        for keys, description, binding_id in self.rows:
            table.add_row(keys, description, binding_id)
        with VerticalScroll(classes="dialog"):
            yield Static(table)
            if self.problems:
                yield Static(Text("Key clashes:\n" + "\n".join(self.problems), "bold red"))
            yield Static(Text("escape closes", "dim"))


class ExplainScreen(Dismissable):
    """Why a case is hot: each term, its raw value and its points, largest first."""

    def __init__(self, case_id: str, subject: str, heat: Heat) -> None:
        super().__init__(name="explain")
        self.case_id = case_id
        self.subject = subject
        self.heat = heat

    def compose(self) -> ComposeResult:
        title = Text.assemble((f"{self.case_id} ", "bold"), literal(self.subject),
                              (f"  heat {self.heat.score}/100", "bold"))
        table = Table(expand=True, box=None, header_style="bold")
        table.add_column("signal", no_wrap=True)
        table.add_column("what we see")
        table.add_column("points", justify="right")
        for term in self.heat.terms:
            table.add_row(term.name, literal(term.value), f"{term.points:+.1f}")
        if not self.heat.terms:
            table.add_row("—", "nothing is pressing on this case", "0")
        with VerticalScroll(classes="dialog"):
            yield Static(title)
            yield Static(table, id="explain-terms")
            yield Static(Text("escape closes", "dim"))


WELCOME = """\
Welcome to oncall — the queue is empty because this store has no cases yet.

  Import your cases:   oncall import cases.json      (format: docs/import-format.md)
  Sync a helpdesk:     oncall sync                   (configure [[sources]] in config.toml)
  Look around first:   oncall demo                   (a throwaway store with realistic cases)

Store: {path}
Press q to quit."""


class WelcomeScreen(Dismissable):
    def __init__(self, path: str) -> None:
        super().__init__(name="welcome")
        self.path = path

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Static(Text(WELCOME.format(path=home_relative(self.path))))


def home_relative(path: str) -> str:
    """`~/…` for a path under the home folder: shorter, and the same on every bastion account."""
    try:
        return "~/" + str(Path(path).resolve().relative_to(Path.home().resolve()))
    except ValueError:
        return path


class ConfirmScreen(SelfClosing, ModalScreen[bool]):
    """A yes/no question: `y` or enter says yes, `n` or escape says no."""

    KEYMAP = "confirm"
    BINDINGS = default_bindings("confirm")

    def __init__(self, question: str) -> None:
        super().__init__(name="confirm")
        self.question = question

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Static(literal(self.question, "bold"))
            yield Static(Text("y yes · n no", "dim"))

    def action_answer(self, yes: bool) -> None:
        self.close(yes)
