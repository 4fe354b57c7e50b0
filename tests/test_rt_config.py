"""A helpdesk's configuration checked against the real RT 5 before anything syncs, and RT's statuses mapped
per source (tests/servers/rt_world.py)."""

from __future__ import annotations

import json

from oncall_tui.cli import main

from .servers.rt_world import SUPPORT, source_table, write_config


def oncall(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


# -- 7. configuration checked before syncing ---------------------------------------------------------------


def test_a_queue_that_does_not_exist_is_named_with_the_nearest_real_one_and_nothing_syncs(
        rt_server, rt_world, shared_token, tmp_path, capsys):
    cfg = write_config(tmp_path / "c.toml", source_table(rt_server.base_url, shared_token,
                                                         queues=("World-Suport", "World-Billing")))
    db = tmp_path / "oncall.db"

    code, out, err = oncall(capsys, "--db", db, "--config", cfg, "sync", "--once")

    assert code == 2
    assert ("queue 'World-Suport' does not exist in RT or this token may not see it — did you mean "
            "'World-Support'?") in err
    assert json.loads(oncall(capsys, "--db", db, "customers", "list", "--json")[1])["customers"] == []


def test_a_wrong_base_path_is_said_plainly(rt_server, rt_world, shared_token, tmp_path, capsys):
    cfg = write_config(tmp_path / "c.toml", source_table(rt_server.base_url + "/rt", shared_token))

    code, out, err = oncall(capsys, "--db", tmp_path / "oncall.db", "--config", cfg, "sync", "--once")

    assert code == 2
    assert f"no RT REST2 at {rt_server.base_url}/rt/REST/2.0/rt (HTTP 404): check base_url" in err
    assert "Expecting value" not in err


def test_sync_check_says_what_answered_and_changes_nothing(rt_server, rt_world, shared_token, tmp_path, capsys):
    cfg = write_config(tmp_path / "c.toml", source_table(rt_server.base_url, shared_token))
    db = tmp_path / "oncall.db"

    code, out, err = oncall(capsys, "--db", db, "--config", cfg, "sync", "--check")

    assert code == 0, err
    assert out.startswith("main: RT 5.") and f"answers at {rt_server.base_url}; queues {SUPPORT}, " in out
    assert json.loads(oncall(capsys, "--db", db, "customers", "list", "--json")[1])["customers"] == []


def test_an_rt_without_the_mark_field_is_noted_not_refused(rt_server, rt_world, shared_token, tmp_path, capsys):
    cfg = write_config(tmp_path / "c.toml", source_table(rt_server.base_url, shared_token,
                                                         mark_field="oncall-write-id"))

    code, out, err = oncall(capsys, "--db", tmp_path / "oncall.db", "--config", cfg, "sync", "--check")

    assert code == 0
    assert "note: RT source 'main': RT has no custom field 'oncall-write-id'" in err
    assert "found again by its text only" in err


def test_a_wrong_token_is_said_with_what_to_check_and_never_shown(rt_server, rt_world, tmp_path, capsys):
    bad = tmp_path / "rt.token"
    bad.write_text("1-27-00000000000000000000000000000000\n")
    bad.chmod(0o600)
    cfg = write_config(tmp_path / "c.toml", source_table(rt_server.base_url, bad))

    code, out, err = oncall(capsys, "--db", tmp_path / "oncall.db", "--config", cfg, "sync", "--once")

    assert code == 2 and "HTTP 401" in err and "check the token" in err
    assert "1-27-0000" not in err + out


# -- 8. RT's stalled: waiting on the customer, or on hold by us --------------------------------------------------


def case_of(capsys, db, ticket):
    events = json.loads(oncall(capsys, "--db", db, "history", "main:org:boulangerie-martin", "--json")[1])
    case = next(c for c in events["cases"] if c["id"] == f"RT-{ticket}")
    return case, [e["body"] for e in events["events"] if e["case_id"] == case["id"] and e["kind"] == "status"]


def test_stalled_reads_as_waiting_on_the_customer_by_default(world_store, rt_world, capsys):
    case, said = case_of(capsys, world_store, rt_world.ticket("screenshot").id)
    assert case["status"] == "pending" and said == ["pending (RT: open → stalled)"]


def test_a_team_whose_stalled_means_on_hold_keeps_those_cases_open_and_refuses_pending(
        rt_server, rt_world, shared_token, tmp_path, capsys):
    cfg = write_config(tmp_path / "c.toml", source_table(rt_server.base_url, shared_token,
                                                         stalled_means="on-hold-by-us"))
    db = tmp_path / "oncall.db"
    assert oncall(capsys, "--db", db, "--config", cfg, "sync", "--once")[0] == 0
    ticket = rt_world.ticket("screenshot").id

    case, said = case_of(capsys, db, ticket)
    code, out, err = oncall(capsys, "--db", db, "--config", cfg, "status", f"RT-{ticket}", "pending")

    assert case["status"] == "open" and said == ["on hold (RT: open → stalled)"]
    assert code == 2 and "has no status for 'waiting on the customer'" in err and "nothing was changed" in err
    assert json.loads(oncall(capsys, "--db", db, "outbox", "--json")[1])["undelivered"] == []
    assert case_of(capsys, db, ticket)[0]["status"] == "open"
