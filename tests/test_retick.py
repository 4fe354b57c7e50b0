"""The clock tick: every open case rescored as time passes, reusing what the last tick learned."""

from dataclasses import replace
from datetime import timedelta

from oncall_tui.core.heat_stats import CaseStats
from oncall_tui.core.timeutil import parse_ts
from oncall_tui.demo.environment import seed_demo_store
from oncall_tui.store.derived import RetickMemo, changed_heat, retick
from oncall_tui.store.importer import import_document
from oncall_tui.store.queries import QueueFilter, queue_page, queue_page_from_end
from oncall_tui.store.writes import add_case_event, set_status

from .conftest import NOW, open_store, same_question_three_minutes_apart
from .models import WEIGHTS as DEFAULT_WEIGHTS
from .models import score


def explained(store, now, weights=DEFAULT_WEIGHTS) -> dict[str, int]:
    """Every open case's score as `e` (why hot?) would explain it at *now*."""
    rows = store.query("SELECT c.id, c.stats, c.status, c.opened_at, cu.tier, c.incident_id FROM cases c "
                       "JOIN customers cu ON cu.id = c.customer_id WHERE c.is_open = 1")
    open_incidents = {r[0] for r in store.query("SELECT id FROM incidents WHERE status != 'resolved'")}
    return {r["id"]: score(CaseStats.from_json(r["stats"]), status=r["status"], opened_at=parse_ts(r["opened_at"]),
                           tier=r["tier"], now=now, incident_open=r["incident_id"] in open_incidents,
                           weights=weights).score for r in rows}


def shown(store) -> dict[str, int]:
    return dict(store.query("SELECT id, heat FROM cases WHERE is_open = 1"))


def demo_with_a_vague_promise(tmp_path, at):
    """The demo store, where we answer the coolest waiting case at *at* with a promise naming no moment."""
    demo_path = tmp_path / "demo.db"
    seed_demo_store(demo_path, now=NOW)
    store = open_store(demo_path)
    case_id = store.query_one("SELECT id FROM cases WHERE is_open = 1 AND waiting_since IS NOT NULL "
                              "ORDER BY heat LIMIT 1")[0]
    add_case_event(store, case_id, kind="message", direction="out", author="alice", now=at,
                   body="We're looking into it and will update you shortly.")
    return store, case_id


def test_ticks_that_remember_score_like_the_explanation_as_cases_change(tmp_path):
    demo_path = tmp_path / "demo.db"
    seed_demo_store(demo_path, now=NOW)
    store = open_store(demo_path)
    memo = RetickMemo()
    now = NOW
    for minutes in (1, 30, 240):  # heat moves: waiting and age grow
        now = NOW + timedelta(minutes=minutes)
        retick(store, now, DEFAULT_WEIGHTS, memo=memo)
        assert shown(store) == explained(store, now)
    assert memo.cases.keys() == shown(store).keys()

    # A customer writes again between two ticks: the next tick reads their new stats.
    case_id = store.query_one("SELECT id FROM cases WHERE is_open = 1 ORDER BY heat LIMIT 1")[0]
    before = shown(store)[case_id]
    add_case_event(store, case_id, kind="message", direction="in", author="client", now=now,
                   body="TOUJOURS RIEN ?!! c'est la troisième fois que je vous écris, c'est inadmissible")
    now += timedelta(minutes=1)
    retick(store, now, DEFAULT_WEIGHTS, memo=memo)
    assert shown(store) == explained(store, now)
    assert shown(store)[case_id] > before

    # A customer names a deadline: the ticks count it more as the moment nears, and once it passed.
    add_case_event(store, case_id, kind="message", direction="in", author="client", now=now,
                   body="Notre boutique ouvre demain à 8h, il nous faut le certificat avant.")
    for hours in (0, 12, 30, 60):
        retick(store, now + timedelta(hours=hours, minutes=1), DEFAULT_WEIGHTS, memo=memo)
        assert shown(store) == explained(store, now + timedelta(hours=hours, minutes=1))
    now += timedelta(hours=60, minutes=1)

    # New weights from the config: nothing remembered under the old ones is reused.
    weights = replace(DEFAULT_WEIGHTS, words_max=DEFAULT_WEIGHTS.words_max * 2)
    now += timedelta(minutes=1)
    retick(store, now, weights, memo=memo)
    assert shown(store) == explained(store, now, weights)
    store.close()


def test_ticks_that_skip_the_cases_whose_heat_holds_still_show_the_explanation_at_every_tick(tmp_path):
    # The tick rescores a case only when its heat may have moved (an hour, past a day open and waiting);
    # at odd moments through a day and a half, every case still shows what `e` explains, and a promise
    # of ours that runs out between two ticks makes the customer wait again at the next one.
    store, case_id = demo_with_a_vague_promise(tmp_path, NOW + timedelta(seconds=17))
    memo = RetickMemo()
    now = NOW
    while now < NOW + timedelta(hours=36):
        now += timedelta(minutes=13, seconds=7)
        retick(store, now, DEFAULT_WEIGHTS, memo=memo)
        assert shown(store) == explained(store, now)
        waiting = store.query_one("SELECT waiting_since FROM cases WHERE id = ?", (case_id,))[0]
        assert (waiting is not None) == (now > NOW + timedelta(hours=4, seconds=17))
    store.close()


def test_ticks_read_every_open_case_and_no_other_whether_few_or_most_cases_are_open(tmp_path):
    # The store reads open cases through the queue index when they are a few among closed ones, and the
    # table straight through when most are open: either way the tick scores exactly the open cases.
    demo_path = tmp_path / "demo.db"
    seed_demo_store(demo_path, now=NOW)
    store = open_store(demo_path)
    memo = RetickMemo()
    now = NOW + timedelta(minutes=5)
    closed = [r[0] for r in store.query("SELECT id FROM cases WHERE is_open = 0 ORDER BY id")]
    total = store.query_one("SELECT COUNT(*) FROM cases")[0]
    assert 2 * (total - len(closed)) < total  # the demo: most cases are closed
    for reopened in (0, len(closed) // 2):
        for case_id in closed[:reopened]:
            set_status(store, case_id, "open", author="alice", now=now)
        closed_heat = dict(store.query("SELECT id, heat FROM cases WHERE is_open = 0"))
        now += timedelta(hours=3)
        retick(store, now, DEFAULT_WEIGHTS, memo=memo)
        assert shown(store) == explained(store, now)
        assert memo.cases.keys() == shown(store).keys()
        assert dict(store.query("SELECT id, heat FROM cases WHERE is_open = 0")) == closed_heat
    assert 2 * len(shown(store)) > total  # now most are open
    store.close()


def test_a_tick_that_could_not_write_is_caught_up_by_the_next(tmp_path):
    store, case_id = demo_with_a_vague_promise(tmp_path, NOW)
    memo = RetickMemo()
    retick(store, NOW + timedelta(minutes=1), DEFAULT_WEIGHTS, memo=memo)
    # Our promise runs out; that tick's writes fail (a full disk, a lock held too long)...
    changed_heat(store, NOW + timedelta(hours=4, minutes=1), DEFAULT_WEIGHTS, memo=memo)
    assert store.query_one("SELECT waiting_since FROM cases WHERE id = ?", (case_id,))[0] is None
    # ...and the next tick writes what it learned: the customer waits on us again.
    now = NOW + timedelta(hours=4, minutes=2)
    retick(store, now, DEFAULT_WEIGHTS, memo=memo)
    assert store.query_one("SELECT waiting_since FROM cases WHERE id = ?", (case_id,))[0] is not None
    assert shown(store) == explained(store, now)
    store.close()


def test_the_first_tick_of_a_minute_rescores_for_everyone_sharing_the_store(store, store_path):
    import io
    import json

    from oncall_tui.core.timeutil import format_ts
    from oncall_tui.usecases.heat_tick import serve

    later = NOW + timedelta(hours=6)
    tick = json.dumps({"now": format_ts(later), "heat": {}}) + "\n"
    first, second = io.StringIO(), io.StringIO()
    serve(str(store.target), [tick], first)  # one engineer's heat process…
    serve(str(store.target), [tick], second)  # …and another's, in the same minute
    assert json.loads(first.getvalue())["changed"] > 0
    assert json.loads(second.getvalue()) == {"changed": 0}
    assert store.query_one("SELECT COUNT(*) FROM changes WHERE what = 'heat'")[0] == 1


def test_ticks_that_remember_follow_an_incident_update_that_spares_the_sites(tmp_path):
    from oncall_tui.store import incidents

    demo_path = tmp_path / "demo.db"
    seed_demo_store(demo_path, now=NOW)
    store = open_store(demo_path)
    memo = RetickMemo()
    inc = incidents.declare(store, title="Panel graphs delayed in SBG", scope={"datacenter": ["SBG"]},
                            author="alice", region="EMEA", now=NOW)
    linked = [r[0] for r in store.query("SELECT id FROM cases WHERE incident_id = ?", (inc.id,))]
    retick(store, NOW + timedelta(minutes=1), DEFAULT_WEIGHTS, memo=memo)
    lifted = shown(store)
    incidents.broadcast(store, inc.id, fr="Les graphiques du panel sont en retard. Vos sites ne sont pas impactés.",
                        en="Panel graphs are delayed. Hosted services are not affected.", author="alice",
                        region="EMEA", now=NOW + timedelta(minutes=2))
    for minutes in (3, 4):  # the second tick reuses what the first learned
        now = NOW + timedelta(minutes=minutes)
        retick(store, now, DEFAULT_WEIGHTS, memo=memo)
        assert shown(store) == explained(store, now)
    assert any(shown(store)[c] < lifted[c] for c in linked)  # no longer lifted onto the incident's floor
    store.close()


def test_cases_shown_at_the_same_heat_are_ordered_by_their_exact_sum(store_path):
    # Two customers ask the same thing three minutes apart: both show the same whole heat, and the one
    # waiting longer comes first although its id sorts after the other's.
    store = open_store(store_path)
    import_document(store, same_question_three_minutes_apart(), now=NOW)
    for minutes in (0, 1):
        retick(store, NOW + timedelta(minutes=minutes), DEFAULT_WEIGHTS)
        heat = dict(store.query("SELECT id, heat FROM cases"))
        assert heat["T-1"] == heat["T-2"] > 0
        assert [r["id"] for r in queue_page(store, QueueFilter(), 0, 10)] == ["T-2", "T-1"]
        assert [r["id"] for r in queue_page_from_end(store, QueueFilter(), 0, 10)] == ["T-1", "T-2"]
    store.close()
