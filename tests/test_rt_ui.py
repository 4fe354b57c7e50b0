"""A reply typed in the screen reaches a real RT; with RT down it waits, visibly, and goes exactly once."""

from datetime import datetime, timezone

import pytest

from oncall_tui.config import load_config
from oncall_tui.store import queries

from .servers.rt import JEAN, rt_history
from .ui_helpers import make_app, wait_for

# Screens run on SQLite only; the store and service tests cover both engines.
pytestmark = pytest.mark.sqlite_only


def utcnow():
    return datetime.now(timezone.utc)



async def test_reply_typed_in_the_screen_reaches_rt_even_after_an_outage(rt_server, queue, config_path,
                                                                          store_path):
    ticket, _ = rt_server.customer_email(queue, JEAN, "Site en panne", "Plus rien ne répond depuis ce matin")
    cfg = load_config(config_path)
    cfg.timezone = "Europe/Paris"
    app = make_app(store_path, config=cfg, clock=utcnow)
    case_id = f"RT-{ticket}"

    def case_exists():
        app.check_for_changes()
        return queries.get_case(app.session.store, case_id) is not None

    async with app.run_test(size=(130, 40)) as pilot:
        await wait_for(pilot, case_exists, seconds=45)  # the first sync runs in the background
        if app.screen.name == "welcome":
            await pilot.press("escape")
        app.open_case(case_id)
        await pilot.pause()
        assert "Plus rien ne répond" in app.screen.timeline.plain

        await pilot.press("r", *"Nous redémarrons le serveur.", "ctrl+s")
        await wait_for(pilot, lambda: ("Correspond", "alice", "Nous redémarrons le serveur.")
                       in rt_history(rt_server, ticket))

        rt_server.stop()
        try:
            await pilot.press("r", *"Le serveur est reparti.", "ctrl+s")

            def notice_shown():
                app.screen.reload()
                return "not yet delivered to RT" in str(app.screen.query_one("#history-header").render())
            await wait_for(pilot, notice_shown, seconds=20)
        finally:
            rt_server.start()
        await wait_for(pilot, lambda: ("Correspond", "alice", "Le serveur est reparti.")
                       in rt_history(rt_server, ticket), seconds=90)
        texts = [text for _, _, text in rt_history(rt_server, ticket)]
        assert texts.count("Le serveur est reparti.") == 1  # exactly once
        await wait_for(pilot, lambda: (app.screen.reload() or True) and
                       "not yet delivered" not in str(app.screen.query_one("#history-header").render()))
