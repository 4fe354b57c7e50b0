"""`oncall run`: a site runbook over the engineer's own ssh (a real sshd), recorded like the screen does."""

import json

import pytest

from oncall_tui.cli import main
from oncall_tui.store import queries
from oncall_tui.store.importer import import_document

from .conftest import NOW, open_store

RUNBOOKS = '''
[runbook]
id = "write_note"
title = "Write a note on the server"
target = "server"
confirm = true

[[runbook.params]]
name = "server"
type = "server"
[[runbook.params]]
name = "file"
type = "path"
[[runbook.params]]
name = "text"
type = "string"

[[runbook.steps]]
title = "write the note"
run = ["sh", "-c", 'printf "%s\\n" "$2" > "$1"', "sh", "{file}", "{text}"]
timeout = 15

[runbook.reply]
fr = "Bonjour,\\n\\nC'est noté sur {server}.\\n"
en = "Hello,\\n\\nNoted on {server}.\\n"
'''

FAILING = '''
[runbook]
id = "broken"
title = "A runbook whose second step fails"
target = "server"

[[runbook.params]]
name = "server"
type = "server"

[[runbook.steps]]
title = "fine"
run = ["true"]
[[runbook.steps]]
title = "list a missing directory"
run = ["ls", "/nonexistent-oncall-dir"]
[[runbook.steps]]
title = "never reached"
run = ["touch", "/tmp/oncall-never-reached"]
'''


@pytest.fixture
def env(tmp_path, store_path, sshd_server, monkeypatch):  # noqa: F811
    runbooks = tmp_path / "runbooks"
    runbooks.mkdir()
    (runbooks / "write_note.toml").write_text(RUNBOOKS, encoding="utf-8")
    (runbooks / "broken.toml").write_text(FAILING, encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(f'[actions]\ntransport = "ssh"\nssh_config = "{sshd_server.ssh_config}"\n'
                      f'runbook_dirs = ["{runbooks}"]\n', encoding="utf-8")
    doc = {"customers": [{"id": "c-1", "name": "Atelier Dubois", "language": "fr",
                          "assets": [{"kind": "server", "name": sshd_server.host, "ipv4": "127.0.0.1"}]}],
           "cases": [{"id": "T-1", "customer": "c-1", "subject": "note", "status": "open",
                      "opened_at": "2026-11-24T08:00:00Z",
                      "events": [{"at": "2026-11-24T08:00:00Z", "kind": "message", "direction": "in",
                                  "author": "marc", "body": "Bonjour"}]}]}
    s = open_store(store_path)
    import_document(s, doc, now=NOW)
    s.close()
    monkeypatch.setenv("ONCALL_USER", "alice")
    monkeypatch.setenv("ONCALL_CONFIG_DIR", str(tmp_path / "cfgdir"))
    return {"db": str(store_path), "config": str(config), "host": sshd_server.host}


def run(capsys, env, *args):
    code = main(["--db", env["db"], "--config", env["config"], "run", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def actions(env):
    s = open_store(env["db"])
    try:
        return [json.loads(e["meta"]) | {"author": e["author"]} for e in queries.case_events(s, "T-1")
                if e["kind"] == "action"]
    finally:
        s.close()


def test_without_yes_it_stops_after_preflight_and_plan(env, tmp_path, capsys):
    target = tmp_path / "note.txt"
    code, out, _ = run(capsys, env, "write_note", "--case", "T-1", "--param", f"file={target}",
                       "--param", "text=hello")
    assert code == 0
    assert "Plan:" in out and "Not run: add --yes" in out and f"ssh {env['host']}" in out
    assert not target.exists() and actions(env) == []


def test_runbook_creates_the_file_on_the_server_and_is_recorded(env, tmp_path, capsys):
    target = tmp_path / "note.txt"
    code, out, _ = run(capsys, env, "write_note", "--case", "T-1", "--param", f"file={target}",
                       "--param", "text=hello", "--yes", "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["outcome"] == "ok" and report["reply"].startswith("Bonjour")
    assert target.read_text() == "hello\n"
    [recorded] = actions(env)
    assert recorded["action"] == "write_note" and recorded["outcome"] == "ok"
    assert recorded["author"] == "alice" and recorded["params"]["text"] == "hello"
    assert recorded["details"]["target"].startswith(f"ssh {env['host']}")


def test_failing_step_is_recorded_as_failed_and_stops_the_runbook(env, capsys):
    code, out, _ = run(capsys, env, "broken", "--case", "T-1", "--yes")
    assert code == 1
    assert "failed" in out and "list a missing directory" in out
    [recorded] = actions(env)
    assert recorded["outcome"] == "failed"
    assert [s["title"] for s in recorded["details"]["steps"]] == ["fine", "list a missing directory"]
    assert "nonexistent-oncall-dir" in recorded["log"]


def test_injection_in_a_parameter_is_refused_before_anything_runs(env, tmp_path, capsys):
    pwned = tmp_path / "pwned"
    code, _, err = run(capsys, env, "write_note", "--case", "T-1", "--param", f"file={tmp_path}/n",
                       "--param", f"text=x; touch {pwned}", "--yes")
    assert code == 2 and "contains ';' — refused" in err
    assert not pwned.exists() and actions(env) == []


def test_same_action_twice_in_ten_minutes_asks_first(env, tmp_path, capsys):
    args = ["write_note", "--case", "T-1", "--param", f"file={tmp_path}/n", "--param", "text=hi", "--yes"]
    assert run(capsys, env, *args)[0] == 0
    code, _, err = run(capsys, env, *args)
    assert code == 1 and "already done by alice at" in err and "run again?" in err
    assert run(capsys, env, *args, "--again")[0] == 0
    assert len(actions(env)) == 2


def test_readonly_refuses_to_run(env, tmp_path, capsys):
    code = main(["--db", env["db"], "--config", env["config"], "--readonly", "run", "write_note", "--case", "T-1",
                 "--param", f"file={tmp_path}/n", "--param", "text=hi", "--yes"])
    assert code == 2 and "read-only mode" in capsys.readouterr().err
    assert actions(env) == []


MAKE_SITE = '''
[runbook]
id = "make_site"
title = "Create a site folder"
target = "server"

[[runbook.params]]
name = "server"
type = "server"
[[runbook.params]]
name = "webroot"
type = "path"

[[runbook.steps]]
title = "create the folder"
run = ["mkdir", "-p", "{webroot}"]
[[runbook.steps]]
title = "mark it"
run = ["touch", "{webroot}/.made"]
'''


def test_a_folder_that_already_holds_files_runs_only_with_confirm(env, tmp_path, capsys):
    (tmp_path / "runbooks" / "make_site.toml").write_text(MAKE_SITE, encoding="utf-8")
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("the customer's live site")
    args = ["make_site", "--case", "T-1", "--param", f"webroot={site}", "--yes"]
    code, out, err = run(capsys, env, *args)
    assert code == 1 and "[confirm] webroot" in out
    assert f"{site} exists and is not empty" in err and "add --confirm webroot to run it anyway" in err
    assert not (site / ".made").exists() and actions(env) == []
    assert run(capsys, env, *args, "--confirm", "webroot")[0] == 0
    assert (site / ".made").exists() and (site / "index.html").exists()


def test_a_system_folder_is_refused_whatever_is_confirmed(env, tmp_path, capsys):
    (tmp_path / "runbooks" / "make_site.toml").write_text(MAKE_SITE, encoding="utf-8")
    code, _, err = run(capsys, env, "make_site", "--case", "T-1", "--param", "webroot=/etc", "--yes",
                       "--confirm", "webroot")
    assert code == 2 and "'/etc' is the system folder /etc" in err and actions(env) == []


async def test_the_screen_names_a_folder_that_holds_files_and_runs_only_on_a_second_enter(env, tmp_path):
    from textual.widgets import Input

    from oncall_tui.config import load_config

    from .ui_helpers import make_app, screen_text, wait_for

    (tmp_path / "runbooks" / "make_site.toml").write_text(MAKE_SITE, encoding="utf-8")
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("the customer's live site")
    app = make_app(env["db"], config=load_config(__import__("pathlib").Path(env["config"])))
    async with app.run_test(size=(120, 40)) as pilot:
        app.start_action("T-1", "make_site")
        await wait_for(pilot, lambda: app.screen.name == "action" and app.screen.query("#param-webroot"))
        app.screen.query_one("#param-webroot", Input).value = str(site)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "runs it anyway" in screen_text(app))
        assert f"{site} exists and is not empty" in screen_text(app)
        assert not (site / ".made").exists()
        await pilot.press("enter")
        await wait_for(pilot, lambda: (site / ".made").exists())


SLOW = '''
[runbook]
id = "slow"
title = "A slow runbook"
target = "server"

[[runbook.params]]
name = "server"
type = "server"
[[runbook.params]]
name = "marker"
type = "path"

[[runbook.steps]]
title = "a long step"
run = ["sh", "-c", "echo started; sleep 30"]
timeout = 60
[[runbook.steps]]
title = "after the long step"
run = ["touch", "{marker}"]
'''


async def test_quitting_while_an_action_runs_warns_then_stops_it_and_records_it(env, tmp_path):
    """An engineer quits (or the SSH session drops) while a runbook runs: the first quit says so, the second
    stops the step in flight and leaves; the history records the run as stopped, with what it printed."""
    import time

    from textual.widgets import Input

    from oncall_tui.config import load_config

    from .ui_helpers import Notes, make_app, screen_text, wait_for

    (tmp_path / "runbooks" / "slow.toml").write_text(SLOW, encoding="utf-8")
    marker = tmp_path / "after-the-long-step"
    notes = Notes()
    app = make_app(env["db"], config=load_config(__import__("pathlib").Path(env["config"])))
    async with app.run_test(size=(120, 40), message_hook=notes) as pilot:
        app.start_action("T-1", "slow")
        await wait_for(pilot, lambda: app.screen.name == "action" and app.screen.query("#param-marker"))
        app.screen.query_one("#param-marker", Input).value = str(marker)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "enter runs it" in screen_text(app))
        await pilot.press("enter")
        # The step's own output in the log (the plan above also shows its command line).
        await wait_for(pilot, lambda: any(line.strip(" │") == "started" for line in screen_text(app).splitlines()))
        started = time.monotonic()
        await pilot.press("ctrl+q")
        await pilot.pause()
        warned_and_still_running = app.return_code is None and "Running" in screen_text(app)
        await pilot.press("ctrl+q")
        await pilot.pause()

    assert warned_and_still_running and app.return_code == 0 and app.crash_report is None
    (warning,) = [m for m in notes.messages if "is still running" in m]
    assert warning.startswith("A slow runbook on T-1 is still running") and "Quit again" in warning
    assert time.monotonic() - started < 20  # the 30 s step was stopped, not waited for
    (recorded,) = actions(env)
    assert recorded["action"] == "slow" and recorded["outcome"] == "cancelled" and "started" in recorded["log"]
    assert not marker.exists()
