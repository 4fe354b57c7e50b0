"""Full-text search across every event and summary; `enter` opens the case."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from ...core.errors import OncallError
from ...core.timeutil import parse_ts
from ...usecases.search import SCREEN_BUDGET, search
from ..keymap import default_bindings
from ..safe import literal
from ..timefmt import local_clock
from ..widgets.key_hints import KeyHints
from .closing import SelfClosing


class SearchScreen(SelfClosing):
    # Its own rules: parsed when the screen is first opened, not before the queue's first frame.
    DEFAULT_CSS = """
        #search-title {
            height: 1;
        }

        #search-results {
            height: 1fr;
        }

        #search-status {
            height: auto;
            padding: 0 1;
        }
    """

    KEYMAP = "search"
    BINDINGS = default_bindings("search")

    def __init__(self, *, customer_id: str | None = None, customer_name: str = "") -> None:
        super().__init__(name="search")
        self.customer_id = customer_id
        self.customer_name = customer_name

    def compose(self) -> ComposeResult:
        scope = f" in {self.customer_name}'s history" if self.customer_id else " everywhere"
        yield Static(Text.assemble((" Search ", "bold reverse"), scope, style=""), id="search-title")
        yield Input(placeholder='words, "a phrase", prefix* — enter searches and goes to the first result',
                    id="search-input")
        yield Static(id="search-status")
        yield OptionList(id="search-results")
        yield KeyHints()

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.run_search(event.value)
        self.query_one(OptionList).focus()  # the first result is highlighted: enter opens it

    def on_input_changed(self, event: Input.Changed) -> None:
        if len(event.value.strip()) >= 3:
            self.run_search(event.value)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def run_search(self, query: str) -> None:
        worker = get_current_worker()
        # Its own connection: the time budget uses a progress handler that must not slow the UI's queries.
        session = self.app.session.reopen()
        try:
            results = search(session, query, limit=50, customer_id=self.customer_id, budget=SCREEN_BUDGET,
                             should_stop=lambda: worker.is_cancelled)
        except OncallError as exc:
            self.app.call_from_thread(self.notify, f"Search failed: {exc}", severity="error")
            return
        finally:
            session.close()
        if not worker.is_cancelled:
            self.app.call_from_thread(self.show, query, results)

    def show(self, query: str, results) -> None:
        listing = self.query_one(OptionList)
        listing.clear_options()
        status = f"{len(results)} result{'s' if len(results) != 1 else ''}"
        if results.message:
            status += f" — {results.message}"
        self.query_one("#search-status", Static).update(Text(status, "dim"))
        tz = self.app.engineer_timezone
        for hit in results:
            label = Text()
            label.append(f"{hit.case_id or '—'} ", "bold")
            label.append_text(literal(hit.customer or ""))
            label.append(" · ")
            label.append_text(literal(hit.subject or ""))
            label.append(f" · {local_clock(parse_ts(hit.at), tz)} · ", "dim")
            label.append_text(literal(hit.author, "dim"))
            label.append("\n    ")
            for piece, is_match in hit.snippet:
                label.append_text(literal(piece, "bold reverse" if is_match else ""))
            # Several hits can share a case: the option's id is the event, the case goes with it.
            listing.add_option(Option(label, id=f"{hit.seq}:{hit.case_id or ''}", disabled=not hit.case_id))
        if results:
            listing.highlighted = next((i for i, hit in enumerate(results) if hit.case_id), 0)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        case_id = (event.option.id or "").partition(":")[2]
        if case_id:
            self.app.open_case(case_id)

    def action_back(self) -> None:
        self.close()
