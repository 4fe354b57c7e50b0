"""The queue and the customer history, driven like an engineer would."""

import pytest

from oncall_tui.store.importer import import_document
from oncall_tui.ui.keymap import load_keymap

from .conftest import NOW, open_store
from .ui_helpers import Notes, make_app, queue_lines, screen_text, wait_for

# Screens run on SQLite only; the store and service tests cover both engines.
pytestmark = pytest.mark.sqlite_only


async def test_queue_shows_open_cases_hottest_first(store, store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        lines = queue_lines(app)
        assert len(lines) == 3  # the resolved case is not in the queue
        assert "Boulangerie Martin" in lines[0]
        assert "Calm Studio" in lines[-1] and "them" in lines[-1]  # waiting on the customer
        text = screen_text(app)
        assert "HEAT" in text and "WAITING" in text and "3 cases" in text
        # The screen says why the selected case is hot.
        why = str(app.screen.query_one("#queue-why").render())
        assert "T-100" in why and "waiting 7 h" in why


async def test_moving_the_cursor_changes_the_reason_shown(store, store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("j")
        why = str(app.screen.query_one("#queue-why").render())
        assert "T-200" in why and "critical" in why
        await pilot.press("G")
        assert "T-300" in str(app.screen.query_one("#queue-why").render())
        await pilot.press("g")
        assert "T-100" in str(app.screen.query_one("#queue-why").render())


async def test_the_reason_line_says_where_the_cursor_is_in_the_queue(store, store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert str(app.screen.query_one("#queue-why").render()).rstrip().endswith(" 1/3")
        await pilot.press("j", "j")
        why = str(app.screen.query_one("#queue-why").render())
        assert "T-300" in why and why.rstrip().endswith(" 3/3")
        await pilot.resize_terminal(90, 30)  # a narrower terminal: still at the right edge, still whole
        await pilot.pause()
        why = str(app.screen.query_one("#queue-why").render())
        assert why.rstrip().endswith(" 3/3") and len(why.rstrip()) <= 90


async def test_filter_narrows_the_queue_and_escape_clears_it(store, store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("slash")
        await pilot.press(*"acme")
        await pilot.pause()
        lines = queue_lines(app)
        assert len(lines) == 1 and "Acme Widgets" in lines[0]
        await pilot.press("enter")
        assert "filter: acme" in str(app.screen.query_one("#queue-title").render())
        await pilot.press("escape")
        await pilot.pause()
        assert len(queue_lines(app)) == 3


async def test_enter_opens_the_customer_history_across_cases(store, store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.name == "history"
        header = str(app.screen.query_one("#history-header").render())
        assert "Boulangerie Martin" in header and "FR" in header and "standard" in header
        assert "owner alice" in header and "their time" in header
        facts = str(app.screen.query_one("#history-facts").render())
        assert "web-01" in facts and "SBG" in facts and "203.0.113.10" in facts
        assert "boutique-martin.fr" in facts
        timeline = app.screen.timeline.plain
        # The older resolved case of the same customer is on the same timeline, labelled.
        assert "T-050 Old backup question" in timeline
        assert timeline.index("Asked where backups") < timeline.index("charger un SSL")
        assert "▌" in timeline  # the opened case's events are set apart
        await pilot.press("escape")
        assert app.screen.name == "queue"


async def test_hostile_customer_text_is_shown_literally(store_path, small_doc):
    small_doc["customers"][0]["name"] = "[b]Ev[/]\x1b[2J"
    small_doc["cases"][0]["subject"] = "[link=http://x]click[/link]"
    small_doc["cases"][0]["events"][2]["body"] = "see [b]this[/b]\x1b]0;pwned\x07 done"
    s = open_store(store_path)
    import_document(s, small_doc, now=NOW)
    s.close()
    app = make_app(store_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        row = next(line for line in queue_lines(app) if "T-100" in line or "[b]Ev" in line)
        assert "[b]Ev[/]␛[2J" in row
        assert "[link=http://x]click[/link]" in row
        await pilot.press("slash", *"click", "enter", "enter")
        await pilot.pause()
        text = screen_text(app)
        assert "[b]Ev[/]␛[2J" in text
        assert "see [b]this[/b]␛]0;pwned␇ done" in text
        assert "\x1b" not in text and "\x07" not in text


async def test_empty_store_shows_a_welcome_that_explains_import_and_demo(store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "oncall import" in text and "oncall demo" in text


async def test_help_lists_keys_with_their_ids(store, store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        assert "queue.explain" in text and "queue.filter" in text and "app.quit" in text


async def test_user_keymap_overrides_a_binding_by_id(store, store_path, tmp_path):
    user = tmp_path / "keymap.toml"
    user.write_text('[queue]\ncursor_down = { keys = "n" }\n', encoding="utf-8")
    app = make_app(store_path, keymap=load_keymap(user))
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("n")
        assert "T-200" in str(app.screen.query_one("#queue-why").render())


async def test_keymap_clash_is_reported_with_both_names(store, store_path, tmp_path):
    user = tmp_path / "keymap.toml"
    user.write_text('[queue]\nexplain = { keys = "slash" }\n', encoding="utf-8")
    keymap = load_keymap(user)
    assert any("queue.explain" in p and "queue.filter" in p for p in keymap.problems)
    app = make_app(store_path, keymap=keymap)
    notes = Notes()
    async with app.run_test(size=(120, 30), message_hook=notes) as pilot:
        await pilot.pause()
        assert any("queue.explain" in m and "queue.filter" in m for m in notes.messages)


def test_unknown_binding_id_in_user_keymap_is_an_error_naming_it(tmp_path):
    import pytest

    from oncall_tui.config import ConfigError

    user = tmp_path / "keymap.toml"
    user.write_text('[queue]\nteleport = { keys = "t" }\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="queue.teleport: unknown binding id"):
        load_keymap(user)


async def test_another_engineers_change_appears_without_restart(store, store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        other = open_store(store_path)
        with other.write() as conn:
            conn.execute("UPDATE cases SET assignee = 'kenji' WHERE id = 'T-200'")
        other.close()
        app.check_for_changes()  # the next poll, now (the look runs in a worker)
        await wait_for(pilot, lambda: any("kenji" in line for line in queue_lines(app)))


async def test_e_explains_the_selected_case_term_by_term(store, store_path):
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("e")
        await pilot.pause()
        assert app.screen.name == "explain"
        text = screen_text(app)
        assert "T-100" in text and "waiting 7 h" in text and "words" in text
        assert "troisième fois" in text  # the customer's own words, as the reason
        await pilot.press("escape", "j", "e")
        await pilot.pause()
        text = screen_text(app)
        assert "T-200" in text and "critical" in text


async def test_v_switches_between_queue_views(store, store_path):
    app = make_app(store_path, user="bob")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert len(queue_lines(app)) == 3
        await pilot.press("v")  # waiting on us: the pending case leaves
        await pilot.pause()
        assert "waiting on us" in str(app.screen.query_one("#queue-title").render())
        assert not any("Calm Studio" in line for line in queue_lines(app))
        await pilot.press("v")  # mine: bob's cases only
        await pilot.pause()
        lines = queue_lines(app)
        assert len(lines) == 1 and "Acme Widgets" in lines[0]


async def test_o_sorts_the_queue_and_the_cli_sorts_it_the_same_way(tmp_path, capsys):
    from oncall_tui.cli import main
    from oncall_tui.demo.environment import seed_demo_store
    from oncall_tui.usecases.queue import SORTS

    path = tmp_path / "demo.db"
    seed_demo_store(path, now=NOW)
    orders = {}
    for sort in SORTS:
        assert main(["--db", str(path), "queue", "--json", "--sort", sort, "--now", NOW.isoformat()]) == 0
        orders[sort] = [row["id"] for row in __import__("json").loads(capsys.readouterr().out)]
    rows = {row["id"]: row for row in __import__("json").loads(
        (main(["--db", str(path), "queue", "--json", "--now", NOW.isoformat()]), capsys.readouterr().out)[1])}
    # What each order means, read from the rows themselves.
    waits = [rows[i]["waiting_seconds"] for i in orders["waiting"]]
    assert waits == sorted(waits, key=lambda w: (w == 0, -w)), "longest waiting first, then the others"
    ages = [rows[i]["age_seconds"] for i in orders["age"]]
    assert ages == sorted(ages, reverse=True)
    names = [rows[i]["customer_name"] for i in orders["customer"]]
    assert names == sorted(names)
    assert orders["heat"] != orders["waiting"] and orders["heat"] != orders["age"]

    app = make_app(path)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        for sort in [*SORTS[1:], SORTS[0]]:
            await pilot.press("o")
            await pilot.pause()
            title = str(app.screen.query_one("#queue-title").render())
            assert (sort == "heat") != (f", {sort}" in title.replace("longest waiting", "waiting")
                                        .replace("oldest first", "age").replace("by customer", "customer"))
            lines = queue_lines(app)
            shown = [next(i for i in orders[sort] if f" {i} " in f" {line} ") for line in lines[:5]]
            assert shown == orders[sort][:5], sort
            await pilot.press("G")  # the end of this order, not the coldest case
            assert orders[sort][-1] in str(app.screen.query_one("#queue-why").render()), (sort, orders[sort][-3:], orders[sort][:3])
            await pilot.press("g")


async def test_every_row_shown_is_the_row_at_that_place_in_the_ranking_however_it_was_reached(tmp_path):
    """The table reads pages from either end (`G` costs as little as `g`): whatever the walk and
    the order, each line on screen and the case under the cursor are the ranking's own."""
    import random

    from oncall_tui.demo.environment import seed_demo_store
    from oncall_tui.usecases.queue import Queue

    path = tmp_path / "demo.db"
    seed_demo_store(path, now=NOW)
    app = make_app(path)
    keys = ["j", "k", "g", "G", "pagedown", "pageup", "ctrl+d", "ctrl+u", "o"]
    walk = random.Random(20261203)
    async with app.run_test(size=(120, 24)) as pilot:
        await pilot.pause()
        table = app.screen.table
        for step in range(200):
            await pilot.press(walk.choice(keys))
            truth = [row.id for row in Queue(app.session, sort=app.screen.queue.sort).page(0, 1000)]
            assert table.current_case_id() == truth[table.cursor], (step, table.cursor)
            top = table.scroll_offset.y
            for y, line in enumerate(queue_lines(app)):
                assert f" {truth[top + y]} " in f" {line} ", (step, top + y, line)
