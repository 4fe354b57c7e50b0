"""Runbooks: loading, parameter validation, and running steps on a real sshd."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest

from oncall_tui.actions.runbook_params import RunbookError
from oncall_tui.actions.runbook_runner import run_steps
from oncall_tui.actions.runbooks import (
    load_runbooks,
    plan_lines,
    render_reply,
    render_steps,
    shipped_runbook_dir,
    validate_params,
)
from oncall_tui.actions.ssh import SshTransport
from oncall_tui.actions.transport import LocalTransport

SERVERS = ["web-01", "db-01"]

NOTE_RUNBOOK = '''
[runbook]
id = "write_note"
title = "Write a note on the server"
target = "server"

[[runbook.params]]
name = "server"
type = "server"
[[runbook.params]]
name = "file"
type = "path"
required = true
[[runbook.params]]
name = "text"
type = "string"
required = true

[[runbook.steps]]
title = "make the directory"
run = ["mkdir", "-p", "{file}.d"]
timeout = 15
[[runbook.steps]]
title = "write the note"
run = ["sh", "-c", 'printf "%s\\n" "$2" > "$1"', "sh", "{file}", "note: {text}"]
timeout = 15
'''


def write_runbook(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def one_runbook(directory: Path, text: str):
    return next(iter(load_runbooks([write_runbook(directory, "rb.toml", text)]).values()))


def steps_runbook(*steps: tuple[str, list[str], float], params: str = "") -> str:
    """A server runbook with the given (title, run, timeout) steps."""
    out = ['[runbook]\nid = "test_steps"\ntitle = "test"\n',
           '[[runbook.params]]\nname = "server"\ntype = "server"\n', params]
    for title, run, timeout in steps:
        argv = ", ".join(f"'{arg}'" for arg in run)
        out.append(f'[[runbook.steps]]\ntitle = "{title}"\nrun = [{argv}]\ntimeout = {timeout}\n')
    return "\n".join(out)


class CountingSsh(SshTransport):
    """The real transport, counting the commands it was asked to start."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.started: list[list[str]] = []

    async def run(self, argv, **kwargs):
        self.started.append(argv)
        return await super().run(argv, **kwargs)


@pytest.fixture
def ssh(sshd_server):  # noqa: F811
    return CountingSsh(sshd_server.host, ssh_config=sshd_server.ssh_config, connect_timeout=5)


# ------------------------------------------------------------------ loading

SAMPLES = {"domain": "example.com", "identifier": "shop_db", "server": "web-01",
           "path": "/var/www/example.com", "string": "more room for uploads"}


def sample_value(param) -> str:
    if param.type == "choice":
        return param.choices[0]
    if param.type == "int":
        return str(param.min if param.min is not None else 1)
    return SAMPLES[param.type]


def test_every_shipped_runbook_loads_validates_and_renders():
    runbooks = load_runbooks([shipped_runbook_dir()])

    assert set(runbooks) == {"add_vhost", "create_database", "restart_service", "disk_usage",
                             "clone_environment", "add_capacity", "certificate_check", "dns_check"}
    for rb in runbooks.values():
        raw = {p.name: sample_value(p) for p in rb.params if p.required}
        if rb.id == "clone_environment":
            raw["target_domain"] = "staging.example.com"
        params = validate_params(rb, raw, servers=SERVERS)
        plan = plan_lines(rb, params, "ssh web-01 (alice@203.0.113.10)")
        assert plan[0].startswith(rb.title) and "web-01" in plan[0]
        assert len(render_steps(rb, params)) == len(rb.steps) >= 1
        assert rb.key and len(rb.key) == 1


def test_shipped_shell_scripts_are_valid_sh():
    for rb in load_runbooks([shipped_runbook_dir()]).values():
        for step in rb.steps:
            argv = list(step.argv_template)
            for i, arg in enumerate(argv[:-1]):
                if arg == "-c" and argv[i - 1] in ("sh", "bash"):
                    check = subprocess.run(["sh", "-n", "-c", argv[i + 1]], capture_output=True, text=True)
                    assert check.returncode == 0, f"{rb.id}: {step.title}: {check.stderr}"


def test_shipped_runbooks_are_honest_about_what_they_change():
    runbooks = load_runbooks([shipped_runbook_dir()])
    assert runbooks["disk_usage"].confirm is False and "read-only" in runbooks["disk_usage"].title
    assert runbooks["restart_service"].dangerous
    assert runbooks["add_capacity"].target == "local"
    assert "request" in runbooks["add_capacity"].title.lower()


@pytest.mark.parametrize(("change", "key", "reason"), [
    (('timeout = 15\n[[runbook.steps]]', 'timeout = "soon"\n[[runbook.steps]]'),
     "runbook.steps[0].timeout", "expected int or float"),
    (('type = "path"', 'type = "filename"'), "runbook.params[1].type", "unknown type 'filename'"),
    (('title = "make the directory"', 'titel = "make the directory"'), "runbook.steps[0].titel",
     "unknown key"),
    (('"{file}.d"', '"{fiel}.d"'), "runbook.steps[0].run[2]", "{fiel} is not a declared parameter"),
    (('"$2" > "$1"', '{text} > "$1"'), "runbook.steps[1].run[2]", "{text} inside a shell script"),
    (('id = "write_note"', 'id = "Write Note"'), "runbook.id", "lower-case"),
    (('target = "server"', 'target = "cloud"'), "runbook.target", "'cloud' is not one of local, server"),
])
def test_bad_runbook_file_error_names_file_and_key(tmp_path, change, key, reason):
    path = write_runbook(tmp_path, "broken.toml", NOTE_RUNBOOK.replace(*change, 1))

    with pytest.raises(RunbookError) as caught:
        load_runbooks([path])

    assert str(caught.value).startswith(f"{path}: {key}: ")
    assert reason in str(caught.value)


def test_invalid_toml_names_the_file(tmp_path):
    path = write_runbook(tmp_path, "broken.toml", "[runbook\nid = 1")
    with pytest.raises(RunbookError, match=rf"^{path}: invalid TOML"):
        load_runbooks([path])


def test_site_file_overrides_shipped_runbook_by_id(tmp_path):
    site = tmp_path / "site"
    mine = write_runbook(site, "our_vhost.toml", NOTE_RUNBOOK.replace(
        'id = "write_note"', 'id = "add_vhost"').replace("Write a note on the server", "Our vhost"))

    runbooks = load_runbooks([shipped_runbook_dir(), site])

    assert runbooks["add_vhost"].title == "Our vhost"
    assert runbooks["add_vhost"].source == mine
    assert runbooks["create_database"].source.parent == shipped_runbook_dir()


# ------------------------------------------------------------------ validation

@pytest.fixture
def add_vhost():
    return load_runbooks([shipped_runbook_dir()])["add_vhost"]


def test_domain_is_idna_encoded_and_defaults_follow_it(add_vhost):
    params = validate_params(add_vhost, {"domain": "Café.FR.", "server": "web-01"}, servers=SERVERS)

    assert params["domain"] == "xn--caf-dma.fr"
    assert params["webroot"] == "/var/www/xn--caf-dma.fr"


def test_reply_is_in_the_customers_language_with_the_domain_as_they_wrote_it(add_vhost):
    params = validate_params(add_vhost, {"domain": "café.fr", "server": "web-01"}, servers=SERVERS)

    reply = render_reply(add_vhost, params, "fr")

    assert reply.startswith("Bonjour,") and "Le site café.fr est maintenant configuré sur le serveur web-01" in reply
    assert render_reply(add_vhost, params, "ja").startswith("Hello,")  # falls back to English


@pytest.mark.parametrize(("name", "value", "shown"), [
    ("domain", "x; touch /tmp/pwned", "';'"),
    ("domain", "a.com && reboot", "'&&'"),
    ("webroot", "/var/www/$(id)", "'$('"),
    ("webroot", "/var/www/`id`", "'`'"),
    ("owner", "www-data\nrm", "'\\n'"),
    ("owner", "a|b", "'|'"),
    ("owner", "a > /etc/passwd", "'>'"),
    ("owner", "it's", '"\'"'),
])
def test_shell_syntax_in_a_parameter_is_refused(add_vhost, name, value, shown):
    raw = {"domain": "example.com", "server": "web-01", name: value}

    with pytest.raises(RunbookError) as caught:
        validate_params(add_vhost, raw, servers=SERVERS)

    assert str(caught.value) == f"parameter {name!r}: {value!r} contains {shown} — refused"
    assert caught.value.param == name


@pytest.mark.parametrize(("raw", "message"), [
    ({"server": "web-01"}, "parameter 'domain': required (site domain"),
    ({"domain": "example.com", "server": "web-99"}, "is not one of this customer's servers (web-01, db-01)"),
    ({"domain": "example.com", "server": "web-01", "webroot": "/var/www/../etc"}, "contains '..'"),
    ({"domain": "example.com", "server": "web-01", "webroot": "var/www"}, "not an absolute path"),
    ({"domain": "-oProxyCommand=x.com", "server": "web-01"}, "would be read as an option"),
    ({"domain": "exa_mple.com", "server": "web-01"}, "not a valid domain name"),
    ({"domain": "example.com", "server": "web-01", "colour": "red"}, "parameter 'colour': not declared"),
])
def test_bad_values_are_refused_with_the_reason(add_vhost, raw, message):
    with pytest.raises(RunbookError, match=message.replace("(", r"\(").replace(")", r"\)")):
        validate_params(add_vhost, raw, servers=SERVERS)


def test_int_and_choice_parameters():
    rb = load_runbooks([shipped_runbook_dir()])["add_capacity"]
    base = {"server": "web-01", "resource": "disk", "reason": "uploads"}

    assert validate_params(rb, {**base, "amount": "050"}, servers=SERVERS)["amount"] == "50"
    with pytest.raises(RunbookError, match="'5000' is out of range 1..4096"):
        validate_params(rb, {**base, "amount": "5000"}, servers=SERVERS)
    with pytest.raises(RunbookError, match="'gpu' is not one of disk, memory, cpu"):
        validate_params(rb, {**base, "amount": "1", "resource": "gpu"}, servers=SERVERS)


def test_render_refuses_params_that_skipped_validation(add_vhost):
    params = {"domain": "x; reboot", "server": "web-01", "webroot": "/var/www/x", "owner": "www-data"}
    with pytest.raises(RunbookError, match="parameter 'domain'.*contains ';'"):
        render_steps(add_vhost, params)


# ------------------------------------------------------------ running over ssh

async def test_runbook_creates_a_file_on_the_server(ssh, tmp_path):
    rb = one_runbook(tmp_path / "rb", NOTE_RUNBOOK)
    target = tmp_path / "notes" / "today.txt"
    params = validate_params(rb, {"server": "web-01", "file": str(target), "text": "disk  full, 90 %"},
                             servers=SERVERS)
    started: list[str] = []

    outcome = await run_steps(rb, params, ssh, on_step=lambda i, step, argv: started.append(step.title))

    assert outcome.status == "ok", outcome.log
    assert target.read_text() == "note: disk  full, 90 %\n"  # one argument, spaces kept
    assert (tmp_path / "notes" / "today.txt.d").is_dir()
    assert started == ["make the directory", "write the note"]
    assert [s.returncode for s in outcome.steps] == [0, 0]
    assert outcome.target == ssh.description and outcome.duration > 0


async def test_failing_step_stops_the_runbook_and_is_reported(ssh, tmp_path):
    marker = tmp_path / "should-not-exist"
    rb = one_runbook(tmp_path / "rb", steps_runbook(
        ("say hello", ["echo", "hello"], 15),
        ("list a missing directory", ["ls", str(tmp_path / "no such dir")], 15),
        ("touch a marker", ["touch", str(marker)], 15)))
    params = validate_params(rb, {"server": "web-01"}, servers=SERVERS)
    output: list[str] = []

    outcome = await run_steps(rb, params, ssh, on_output=output.append)

    assert outcome.status == "failed"
    assert [s.title for s in outcome.steps] == ["say hello", "list a missing directory"]
    assert outcome.steps[1].returncode not in (0, None)
    assert "no such dir" in outcome.log and "hello" in output
    assert "-> exit status 0" in outcome.log
    assert not marker.exists()
    assert len(ssh.started) == 2


async def test_injection_attempt_is_refused_before_anything_runs(ssh, tmp_path):
    rb = one_runbook(tmp_path / "rb", NOTE_RUNBOOK)
    pwned = tmp_path / "pwned"
    raw = {"server": "web-01", "file": str(tmp_path / "note.txt"), "text": f"x; touch {pwned}"}

    # The value is quoted as typed, shortened when long (a deep temporary folder).
    with pytest.raises(RunbookError, match=r"parameter 'text': 'x; touch /[^']*' contains ';' — refused"):
        params = validate_params(rb, raw, servers=SERVERS)
        await run_steps(rb, params, ssh)
    # Even a caller that skips validation gets nothing run.
    with pytest.raises(RunbookError, match="contains ';'"):
        await run_steps(rb, raw, ssh)

    assert not pwned.exists()
    assert not (tmp_path / "note.txt").exists()
    assert ssh.started == []


async def test_step_timeout_is_reported_as_timed_out(ssh, tmp_path):
    rb = one_runbook(tmp_path / "rb", steps_runbook(
        ("hang", ["sleep", "3"], 0.5), ("after", ["true"], 15)))
    params = validate_params(rb, {"server": "web-01"}, servers=SERVERS)

    outcome = await run_steps(rb, params, ssh)

    assert outcome.status == "timed_out"
    assert [s.title for s in outcome.steps] == ["hang"] and outcome.steps[0].timed_out
    assert "timed out after 0.5s" in outcome.log


async def test_cancel_stops_the_running_step(tmp_path):
    rb = one_runbook(tmp_path / "rb", steps_runbook(
        ("long job", ["sh", "-c", "echo started; exec sleep 30"], 60), ("after", ["true"], 15)))
    params = validate_params(rb, {"server": "web-01"}, servers=SERVERS)
    cancel = asyncio.Event()

    def watch(line: str) -> None:
        if line == "started":
            cancel.set()

    outcome = await asyncio.wait_for(
        run_steps(rb, params, LocalTransport(), on_output=watch, cancel=cancel), 10)

    assert outcome.status == "cancelled"
    assert [(s.title, s.returncode) for s in outcome.steps] == [("long job", None)]


# ------------------------------------------------------------ paths a runbook writes

@pytest.mark.parametrize("webroot", ["/", "/etc", "//etc/", "/etc/nginx", "/usr", "/usr/local/www", "/var", "/var/www",
                                     "/var/lib/mysql", "/boot", "/root", "/home", "/home/bob", "/proc/1"])
def test_a_path_a_runbook_writes_is_never_a_system_folder(add_vhost, webroot):
    raw = {"domain": "example.com", "server": "web-01", "webroot": webroot}
    with pytest.raises(RunbookError, match="a runbook may not create, own or write it — refused") as caught:
        validate_params(add_vhost, raw, servers=SERVERS)
    assert caught.value.param == "webroot"


def test_a_path_a_runbook_only_reads_may_be_a_system_folder():
    disk_usage = load_runbooks([shipped_runbook_dir()])["disk_usage"]
    assert validate_params(disk_usage, {"server": "web-01", "webroots": "/var"}, servers=SERVERS)["webroots"] == "/var"
    assert validate_params(disk_usage, {"server": "web-01", "webroots": "/"}, servers=SERVERS)["webroots"] == "/"


async def test_a_webroot_that_already_holds_files_needs_an_explicit_yes(ssh, tmp_path):
    from datetime import datetime, timezone

    from oncall_tui.actions.base import ActionContext
    from oncall_tui.actions.runbook_action import RunbookAction
    from oncall_tui.usecases.actions import failed_checks, to_confirm

    action = RunbookAction(load_runbooks([shipped_runbook_dir()])["add_vhost"])
    ctx = ActionContext("T-1", "c-1", "Client", "fr", {"web-01": {}}, {}, "alice", "EMEA",
                        lambda: datetime.now(timezone.utc), lambda server: ssh)
    full, empty, missing = tmp_path / "full", tmp_path / "empty", tmp_path / "missing"
    full.mkdir()
    (full / "index.php").write_text("<?php echo 'live site';")
    empty.mkdir()

    async def checks(webroot):
        params = action.validate({"domain": "example.com", "server": "web-01", "webroot": str(webroot)}, ctx)
        return await action.preflight(params, ctx)

    asked = to_confirm(await checks(full))
    assert [c.name for c in asked] == ["webroot"] and "exists and is not empty" in asked[0].message
    assert "index.php" in asked[0].message
    assert to_confirm(await checks(full), ["webroot"]) == []  # --confirm webroot
    for webroot in (empty, missing):
        found = await checks(webroot)
        assert not to_confirm(found) and not failed_checks(found)
