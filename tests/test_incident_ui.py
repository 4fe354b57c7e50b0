"""Declare an outage, tell every affected customer, resolve — driven from the keyboard."""

import pytest

from oncall_tui.store import queries

from .conftest import open_store
from .models import WEIGHTS
from .ui_helpers import make_app, screen_text, wait_for

# Screens run on SQLite only; the store and service tests cover both engines.
pytestmark = pytest.mark.sqlite_only


def messages_out(store_path, case_id):
    s = open_store(store_path)
    try:
        return [e for e in queries.case_events(s, case_id) if e["kind"] == "message" and e["direction"] == "out"]
    finally:
        s.close()


async def test_declare_broadcast_resolve(store, store_path):
    app = make_app(store_path)
    async with app.run_test(size=(130, 45)) as pilot:
        heat_before = queries.get_case(app.session.store, "T-100")["heat"]
        await pilot.press("I")
        await pilot.pause()
        assert "No incidents" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Power outage in SBG", "tab", "tab")
        await pilot.press(*"datacenter=SBG", "ctrl+s")
        await wait_for(pilot, lambda: app.screen.name == "incident")
        text = screen_text(app)
        assert "1 affected customers" in text and "Boulangerie Martin" in text and "not yet" in text
        assert "Acme" not in text  # BHS customers are not hit
        lifted = queries.get_case(app.session.store, "T-100")["heat"]
        assert lifted >= WEIGHTS.incident_floor and lifted > heat_before  # the incident heat floor

        await pilot.press("u")
        await pilot.pause()
        await pilot.press("tab")
        await pilot.press(*"Coupure électrique en cours, techniciens sur place.", "ctrl+s")
        await wait_for(pilot, lambda: app.screen.name == "incident" and "not yet" not in screen_text(app))
        text = screen_text(app)
        assert "yes" in text and "not yet" not in text
        sent = messages_out(store_path, "T-100")
        assert sent[-1]["body"] == "Coupure électrique en cours, techniciens sur place."  # French speaker
        count = len(sent)

        # The same update again (a retry) writes nothing new.
        await pilot.press("u", "tab")
        await pilot.press(*"Coupure électrique en cours, techniciens sur place.", "ctrl+s")
        await wait_for(pilot, lambda: app.screen.name == "incident")
        assert len(messages_out(store_path, "T-100")) == count

        await pilot.press("escape", "escape")
        await pilot.pause()
        assert app.screen.name == "queue"
        assert "INCIDENT" in str(app.screen.query_one("#queue-banner").render())

        await pilot.press("I", "enter")
        await pilot.pause()
        await pilot.press("R")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen.name == "incident" and
                       "resolved" in str(app.screen.query_one("#incident-header").render()))
        assert queries.get_case(app.session.store, "T-100")["heat"] < lifted  # the floor is gone
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert app.screen.query_one("#queue-banner").display is False


async def test_bad_scope_keeps_the_form_open_with_the_reason(store, store_path):
    app = make_app(store_path)
    async with app.run_test(size=(130, 45)) as pilot:
        await pilot.press("I", "n")
        await pilot.pause()
        await pilot.press(*"Outage", "tab", "tab", *"rack=12", "ctrl+s")
        await wait_for(pilot, lambda: "Not saved" in str(app.screen.query_one("#form-status").render()))
        assert app.screen.name == "form"
        assert "rack=12" in str(app.screen.query_one("#form-status").render())
        assert app.screen.values()["title"] == "Outage"


async def test_an_update_with_empty_fields_goes_out_drafted_from_the_template(store, store_path):
    """The form says "leave empty: drafted from the template": saving it empty sends, never refuses."""
    app = make_app(store_path)
    async with app.run_test(size=(130, 45)) as pilot:
        await pilot.press("I", "n")
        await pilot.pause()
        await pilot.press(*"Power outage in SBG", "tab", "tab", *"datacenter=SBG", "ctrl+s")
        await wait_for(pilot, lambda: app.screen.name == "incident")
        before = len(messages_out(store_path, "T-100"))
        await pilot.press("u")
        await pilot.pause()
        assert "leave empty: drafted from the template" in screen_text(app)
        await pilot.press("ctrl+s")  # nothing typed in either language
        await wait_for(pilot, lambda: app.screen.name == "incident" and "not yet" not in screen_text(app))
        sent = messages_out(store_path, "T-100")
        assert len(sent) == before + 1
        assert "SBG" in sent[-1]["body"] and sent[-1]["body"].strip()  # French, from the template
        assert "refus" not in screen_text(app).lower() and "required" not in screen_text(app).lower()
