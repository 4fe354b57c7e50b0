"""The scriptable twin: what a cron job or a chat bot reads."""

import json

import pytest

from oncall_tui.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_queue_json_ranks_open_cases_at_the_given_instant(store, store_path, capsys):
    code, out, _ = run(capsys, "--db", str(store_path), "queue", "--json", "--now", "2026-11-24T09:00:00Z")
    assert code == 0
    rows = json.loads(out)
    assert [r["id"] for r in rows][0] == "T-100"  # frustrated, bounced to the docs, waiting 7 h
    assert {r["id"] for r in rows} == {"T-100", "T-200", "T-300"}  # resolved T-050 left the queue
    assert rows[-1]["id"] == "T-300"  # waiting on the customer
    top = rows[0]
    assert top["waiting_seconds"] == 7 * 3600
    assert top["exchanges"] == 3
    points = [t["points"] for t in top["terms"]]
    assert points and points == sorted(points, reverse=True)  # largest reason first
    assert all({"name", "value", "points"} <= set(t) for t in top["terms"])


def test_queue_now_later_means_longer_waiting(promised_store, store_path, capsys):
    _, early, _ = run(capsys, "--db", str(store_path), "queue", "--json", "--now", "2026-11-24T09:00:00Z")
    _, late, _ = run(capsys, "queue", "--db", str(store_path), "--json", "--now", "2026-11-24T15:00:00+00:00")
    early_rows = {r["id"]: r for r in json.loads(early)}
    late_rows = {r["id"]: r for r in json.loads(late)}
    assert late_rows["T-100"]["waiting_seconds"] == early_rows["T-100"]["waiting_seconds"] + 6 * 3600
    assert late_rows["T-100"]["heat"] >= early_rows["T-100"]["heat"]
    # bob promised at 08:20 to confirm shortly: no wait while the promise holds (2 h, the shop being down).
    assert early_rows["T-200"]["waiting_seconds"] == 0
    assert late_rows["T-200"]["heat"] > early_rows["T-200"]["heat"]  # past the window, Ann waits again
    # ...and the wait shown is the heat's: from the end of the promise (10:20) to 15:00.
    assert late_rows["T-200"]["waiting_seconds"] == 4 * 3600 + 40 * 60
    assert any(t["name"] == "waiting" and t["value"].startswith("waiting 4 h 40") for t in late_rows["T-200"]["terms"])


def test_queue_limit(store, store_path, capsys):
    _, out, _ = run(capsys, "--db", str(store_path), "queue", "--json", "--limit", "1", "--now", "2026-11-24T09:00:00Z")
    assert len(json.loads(out)) == 1


def test_queue_rejects_a_bad_now(store, store_path, capsys):
    code, out, err = run(capsys, "--db", str(store_path), "queue", "--json", "--now", "tomorrow")
    assert code == 2 and out == ""
    assert "--now" in err and "tomorrow" in err


def test_history_json_covers_every_case_of_the_customer(store, store_path, capsys):
    code, out, _ = run(capsys, "--db", str(store_path), "history", "c-boul", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["customer"]["name"] == "Boulangerie Martin"
    assert {e["case_id"] for e in data["events"]} == {"T-100", "T-050"}
    assert [e["at"] for e in data["events"]] == sorted(e["at"] for e in data["events"])
    assert {a["name"] for a in data["assets"]} == {"web-01", "boutique-martin.fr"}


def test_history_of_unknown_customer_is_a_clear_error(store, store_path, capsys):
    code, _, err = run(capsys, "--db", str(store_path), "history", "c-nobody")
    assert code == 2 and "no customer 'c-nobody'" in err


def test_plain_history_shows_terminal_escapes_as_text(store_path, small_doc, write_json, capsys):
    small_doc["cases"][0]["events"][0]["body"] = "evil \x1b[2J clear"
    run(capsys, "--db", str(store_path), "import", str(write_json(small_doc)))
    _, out, _ = run(capsys, "--db", str(store_path), "history", "c-boul")
    assert "\x1b" not in out and "evil ␛[2J clear" in out


def test_keys_lists_binding_ids_with_user_overrides(tmp_path, capsys):
    user = tmp_path / "keymap.toml"
    user.write_text('[queue]\nexplain = { keys = "x" }\n', encoding="utf-8")
    code, out, _ = run(capsys, "--keymap", str(user), "keys")
    assert code == 0
    line = next(line for line in out.splitlines() if line.startswith("queue.explain"))
    assert line.split()[1] == "x"
    assert any(line.startswith("history.note") for line in out.splitlines())


def test_intents_decodes_customer_words(capsys):
    code, out, _ = run(capsys, "intents", "Bonjour, je voudrais charger un SSL sur boutique-martin.fr", "--json")
    assert code == 0
    [first, *_] = json.loads(out)
    assert first["intent"] == "issue_certificate" and first["params"] == {"domain": "boutique-martin.fr"}
    assert 0 < first["confidence"] <= 1
    code, out, _ = run(capsys, "intents", "Merci beaucoup, tout fonctionne !", "--json")
    assert json.loads(out) == []


def test_heat_weights_come_from_the_config(store, store_path, tmp_path, capsys):
    default = json.loads(run(capsys, "--db", str(store_path), "explain", "T-200", "--json",
                             "--now", "2026-11-24T09:00:00Z")[1])
    config = tmp_path / "config.toml"
    config.write_text("[heat]\ntier_critical = 0\n", encoding="utf-8")
    code, out, err = run(capsys, "--db", str(store_path), "--config", str(config), "explain", "T-200", "--json",
                         "--now", "2026-11-24T09:00:00Z")
    assert code == 0, err
    tuned = json.loads(out)
    assert "tier" in {t["name"] for t in default["terms"]} and "tier" not in {t["name"] for t in tuned["terms"]}
    assert tuned["heat"] < default["heat"]


def test_bad_heat_weight_names_the_file_and_key(store, store_path, tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text("[heat]\nwaiting_max = \"lots\"\n", encoding="utf-8")
    try:
        main(["--db", str(store_path), "--config", str(config), "queue"])
    except SystemExit as exc:
        assert exc.code == 2
    err = capsys.readouterr().err
    assert str(config) in err and "heat.waiting_max" in err


def test_the_example_config_is_valid():
    from pathlib import Path

    from oncall_tui.config import load_config

    cfg = load_config(Path(__file__).resolve().parent.parent / "docs" / "config.example.toml")
    assert cfg.acme_directory.startswith("https://acme-staging-v02.")  # production only by explicit choice
    assert cfg.user == "alice" and cfg.sources[0]["kind"] == "rt"


def test_an_unknown_config_key_names_the_file_and_key(tmp_path):
    import pytest

    from oncall_tui.config import ConfigError, load_config

    path = tmp_path / "config.toml"
    path.write_text("[ui]\nreadonly = true\ncolour = 'red'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config.toml: ui.colour: unknown key"):
        load_config(path)


def test_oncall_db_environment_chooses_the_store(store, store_path, capsys, monkeypatch):
    monkeypatch.setenv("ONCALL_DB", str(store_path))
    code, out, _ = run(capsys, "queue", "--json", "--now", "2026-11-24T09:00:00Z")
    assert code == 0 and len(json.loads(out)) == 3


def test_default_store_lives_in_the_user_data_dir(monkeypatch, tmp_path):
    from oncall_tui.config import resolve_db_path

    monkeypatch.delenv("ONCALL_DB", raising=False)
    monkeypatch.delenv("ONCALL_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert resolve_db_path(None) == tmp_path / "oncall-tui" / "oncall.db"
    assert resolve_db_path("/x/y.db") == __import__("pathlib").Path("/x/y.db")


FULL_SCREEN_ARGVS = [[], ["--db", "x.db"], ["--db=x.db", "--readonly"],
                     ["--config", "c.toml", "--keymap", "k.toml", "--db", "x.db"]]


@pytest.mark.parametrize("argv", FULL_SCREEN_ARGVS)
def test_plain_oncall_options_mean_what_the_full_parser_says(argv):
    # `oncall [--db …]` skips argparse for a faster first frame: it must read the same options.
    from oncall_tui.cli import build_parser, full_screen_args

    fast, full = full_screen_args(argv), build_parser().parse_args(argv)
    assert fast.run == full.run == "screen:cmd_tui"
    for name in ("db", "config", "keymap", "readonly"):
        assert getattr(fast, name) == getattr(full, name)


@pytest.mark.parametrize("argv", [["--db"], ["--db", "--readonly"], ["--help"], ["queue"], ["--db", "x", "queue"],
                                  ["--bogus"], ["--read"]])
def test_anything_else_goes_to_the_full_parser(argv):
    from oncall_tui.cli import full_screen_args

    assert full_screen_args(argv) is None


def test_a_missing_option_value_gets_the_usual_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--db"])
    assert exc.value.code == 2
    assert "--db: expected one argument" in capsys.readouterr().err
