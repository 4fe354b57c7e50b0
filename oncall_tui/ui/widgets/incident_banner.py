"""The incident banner: every open incident, how long it has lasted, and when customers were last told."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ...usecases import incidents
from ..safe import literal


class IncidentBanner(Static):
    """Hidden while no incident is open (most of the time: one indexed look, no incident code loaded)."""

    DEFAULT_CSS = """
    IncidentBanner {
        display: none;
        height: auto;
        background: $error 30%;
    }
    """

    shown: Text | None = None

    def on_mount(self) -> None:
        self.refresh_banner()

    def refresh_banner(self) -> None:
        banners = incidents.banners(self.app.session)
        if self.display != bool(banners):
            self.display = bool(banners)
        if not banners:
            return
        text = Text()
        for i, b in enumerate(banners):
            if i:
                text.append("\n")
            text.append(" INCIDENT ", "bold reverse red")
            text.append(" ")
            who = f"{b.customers} customer{'s' if b.customers != 1 else ''}"
            text.append_text(literal(f"{b.incident_id} {b.title} · {b.status} · open {b.elapsed} · {who} · "))
            text.append(b.last_update + (" — update overdue" if b.overdue else ""),
                        "bold red" if b.overdue else "green")
        if text != self.shown:  # unchanged: no repaint, no bytes on an idle screen
            self.shown = text
            self.update(text)
