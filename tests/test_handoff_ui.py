"""Paris hands over to San Francisco: the brief, summaries written in place, acknowledgements; and search."""

from datetime import timedelta

from oncall_tui.store import handoffs, queries, writes

from .conftest import NOW, open_store
from .ui_helpers import Notes, make_app, screen_text, wait_for


async def test_handoff_brief_written_sent_and_acknowledged(store, store_path):
    writes.add_case_event(store, "T-100", kind="note", body="DNS checked, A record fine", author="alice",
                          now=NOW - timedelta(hours=1), region="EMEA")
    alice = make_app(store_path, user="alice")
    async with alice.run_test(size=(130, 40)) as pilot:
        await pilot.press("H")
        await wait_for(pilot, lambda: alice.screen.name == "handoff" and alice.screen.brief is not None)
        text = screen_text(alice)
        assert "T-100" in text and "no summary" in text and "T-300" not in text
        # Write the missing summary right there.
        await pilot.press("s")  # on the first case of my brief
        await pilot.pause()
        await pilot.press(*"call Jean-Pierre before 18:00", "ctrl+s")
        await wait_for(pilot, lambda: alice.screen.name == "handoff" and "summary revision" in screen_text(alice))
        assert "call Jean-Pierre before 18:00" in queries.get_case(alice.session.store, "T-100")["summary"]
        await pilot.press("ctrl+s")  # send the brief
        await wait_for(pilot, lambda: handoffs.latest_for(store, NOW, "bob") is not None)
    latest = handoffs.latest_for(store, NOW, "bob")
    assert latest is not None and latest.author == "alice" and "T-100" in latest.case_ids
    assert any(e["kind"] == "handoff" for e in queries.case_events(store, "T-100"))

    bob = make_app(store_path, user="bob")
    notes = Notes()
    async with bob.run_test(size=(130, 40), message_hook=notes) as pilot:
        await wait_for(pilot, lambda: any(m.startswith("Handoff from alice, Paris") and "case" in m
                                          for m in notes.messages))
        await pilot.press("H")
        await wait_for(pilot, lambda: bob.screen.name == "handoff" and bob.screen.incoming is not None)
        assert "not acknowledged yet" in screen_text(bob)
        await pilot.press("a")  # on the first case of the incoming brief
        await wait_for(pilot, lambda: "acknowledged" in screen_text(bob) and "not acknowledged" not in screen_text(bob))
    s = open_store(store_path)
    assert handoffs.pending_acks(s, latest.id, "bob") == []
    assert any(e["kind"] == "ack" and e["author"] == "bob" for e in queries.case_events(s, "T-100"))


async def test_global_search_finds_words_across_customers_and_opens_the_case(store, store_path):
    app = make_app(store_path)
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.press("ctrl+f")
        await pilot.pause()
        await pilot.press(*"troisieme", "enter")  # no accent typed: still finds "troisième"
        await wait_for(pilot, lambda: "1 result" in screen_text(app))
        text = screen_text(app)
        assert "T-100" in text and "Boulangerie Martin" in text and "troisième" in text
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.name == "history" and app.screen.case_id == "T-100"


async def test_search_in_a_customer_history_stays_with_that_customer(store, store_path):
    app = make_app(store_path)
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.press("enter", "slash")  # Boulangerie Martin's history, then find
        await pilot.pause()
        await pilot.press(*"deploy", "enter")  # a word only Acme used
        await wait_for(pilot, lambda: "0 results" in screen_text(app))
        await pilot.press("escape")
        assert app.screen.name == "history"
