"""A closed SSH session or a `kill` ends everything the demo started and leaves nothing behind.

The demo runs on a real pseudo-terminal that is its controlling terminal, as in an SSH
session: closing the terminal's side is the hang-up the kernel turns into SIGHUP.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

from devtools.bench.pty import Terminal, child_env


def descendants(pid: int) -> dict[int, str]:
    """Every process below *pid* (pid → command name), read from /proc."""
    found: dict[int, str] = {}
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            with open(f"/proc/{parent}/task/{parent}/children", encoding="ascii") as f:
                kids = [int(k) for k in f.read().split()]
        except FileNotFoundError:
            continue
        for kid in kids:
            try:
                found[kid] = Path(f"/proc/{kid}/comm").read_text().strip()
            except FileNotFoundError:
                continue
            todo.append(kid)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.parametrize("how", ["hangup", "SIGTERM"])
@pytest.mark.parametrize("acme_local", [True, False], ids=["acme-local", "plain"])
def test_the_end_of_the_session_stops_what_the_demo_started_and_removes_its_folder(tmp_path, how, acme_local):
    env = child_env({"TMPDIR": str(tmp_path), "HOME": str(tmp_path / "home"),
                     "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")},
                    pycache=str(tmp_path / "pycache"))
    argv = [sys.executable, "-m", "oncall_tui", "demo", *(["--acme-local"] if acme_local else [])]
    term = Terminal(argv, env)
    try:
        term.wait_for_text(["Boulangerie Martin"], timeout=60)
        folders = list(tmp_path.glob("oncall-demo-*"))
        assert len(folders) == 1 and (folders[0] / "demo.db").exists()
        started = descendants(term.pid)
        if acme_local:
            assert {"pebble", "pebble-challtes"} <= set(started.values()), started  # comm is cut at 15

        if how == "hangup":
            os.close(term.master)  # the SSH session is gone: the kernel sends SIGHUP
            term.master = -1
        else:
            os.kill(term.pid, signal.SIGTERM)
        status = term.proc.wait(timeout=30)

        assert status != 0  # ended by a signal, not "all is well"
        left = {pid: name for pid, name in started.items() if alive(pid)}
        assert left == {}, f"still running after the demo ended: {left}"
        assert not folders[0].exists(), "the demo folder was left behind"
    finally:
        if term.master >= 0:
            term.close(quit_keys=None)
        elif term.proc.poll() is None:
            os.killpg(term.pid, signal.SIGKILL)
            term.proc.wait()
