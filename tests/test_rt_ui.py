"""A reply typed in the screen reaches a real RT; with RT down it waits, visibly, and goes exactly once."""

import socket
from datetime import datetime, timezone

import pytest

from oncall_tui.config import load_config
from oncall_tui.store import queries

from .servers.rt import JEAN, rt_history
from .servers.rt_world import (
    FILES,
    PEOPLE,
    SHARED_ACCOUNT,
    SOPHIE,
    customer_message,
    source_table,
    write_config,
)
from .ui_helpers import Notes, make_app, screen_text, wait_for

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


# -- the project's own RT world (tests/servers/rt_world.py) ----------------------------------------------------

async def test_a_note_typed_with_n_reaches_rt_as_a_comment_and_the_screen_says_once_whose_name_it_carries(
        rt_server, rt_world, queue, shared_token, tmp_path):
    ticket, _ = rt_server.mail(queue, customer_message(PEOPLE[SOPHIE], "Page blanche", "Toujours une page blanche.", ()))
    cfg = load_config(write_config(tmp_path / "c.toml", source_table(rt_server.base_url, shared_token,
                                                                     queues=(queue,))))
    cfg.timezone = "Europe/Paris"
    notes = Notes()
    app = make_app(tmp_path / "oncall.db", user="carol", config=cfg, clock=utcnow)
    case_id = f"RT-{ticket}"

    def case_exists():
        app.check_for_changes()
        return queries.get_case(app.session.store, case_id) is not None

    async with app.run_test(size=(130, 40), message_hook=notes) as pilot:
        await wait_for(pilot, case_exists, seconds=45)
        if app.screen.name == "welcome":
            await pilot.press("escape")
        app.open_case(case_id)
        await pilot.pause()
        await pilot.press("n", *"PHP-FPM redémarré.", "ctrl+s")
        await wait_for(pilot, lambda: ("Comment", SHARED_ACCOUNT, "[carol] PHP-FPM redémarré.")
                       in rt_history(rt_server, ticket), seconds=45)
        await pilot.press("n", *"Cache vidé.", "ctrl+s")
        await wait_for(pilot, lambda: ("Comment", SHARED_ACCOUNT, "[carol] Cache vidé.")
                       in rt_history(rt_server, ticket), seconds=45)

    told = [m for m in notes.messages if "through the shared RT account" in m]
    assert len(told) == 1
    assert "starting with [carol]" in told[0] and "docs/request-tracker.md" in told[0]


async def test_a_case_shows_who_the_customer_is_for_rt_and_the_files_they_sent(world_store, rt_world):
    app = make_app(world_store, clock=utcnow)
    ticket = rt_world.ticket("invoice-fr").id
    async with app.run_test(size=(140, 40)) as pilot:
        app.open_case(f"RT-{ticket}")
        await pilot.pause()
        text = screen_text(app)
        timeline = app.screen.timeline.plain

    header = text.splitlines()[0]
    assert "Boulangerie Martin" in header and " · FR · " in header and "Europe/Paris" in header
    pdf = len(FILES["facture-2026-03.pdf"][1])
    assert f"attachment facture-2026-03.pdf (application/pdf, {pdf} bytes)" in timeline
    assert "attachment capture écran 500.png (image/png, " in timeline  # a file of another of their cases


async def test_quitting_with_a_reply_not_delivered_yet_warns_first_and_quits_on_the_second_try(
        world_store, rt_world, shared_token, tmp_path):
    # RT is not where the config says (nothing listens there): the reply waits in the outbox.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{s.getsockname()[1]}"
    cfg = load_config(write_config(tmp_path / "c.toml", source_table(nowhere, shared_token)))
    notes = Notes()
    app = make_app(world_store, config=cfg, clock=utcnow)
    ticket = rt_world.ticket("blank").id
    async with app.run_test(size=(130, 40), message_hook=notes) as pilot:
        app.open_case(f"RT-{ticket}")
        await pilot.pause()
        await pilot.press("r", *"Nous regardons.", "ctrl+s")
        await wait_for(pilot, lambda: "not yet delivered" in str(app.screen.query_one("#history-header").render())
                       or (app.screen.reload() or False))
        await pilot.press("ctrl+q")
        await pilot.pause()
        still_running = app.return_code is None
        await pilot.press("ctrl+q")
        await pilot.pause()

    assert still_running and app.return_code == 0
    (warning,) = [m for m in notes.messages if "have not reached the helpdesk yet" in m]
    assert warning.startswith("1 note(s), reply(ies) or status change(s)") and "Quit again to leave" in warning
