"""A store that is damaged, full, read-only or locked: one line saying what and what to do, exit 3 (2 when
only reading is possible), nothing already stored lost, and on the screen the text being written kept.

Real faults, not simulated ones: bytes flipped in the file, a real full file system (a 1 MB tmpfs),
a file another Unix user cannot write, a lock held by another connection.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from textual.widgets import TextArea

from oncall_tui.cli import main

from .ui_helpers import make_app, wait_for

ROOT = Path(__file__).resolve().parents[1]


def dump(path) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


# -- damaged -------------------------------------------------------------------------------

def corrupt(path: Path) -> None:
    """Overwrite every page but the first (the schema stays readable, the data does not)."""
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big") or 65536
    for start in range(page, len(data), page):
        data[start:start + page] = bytes((i * 37 + 11) % 256 for i in range(min(page, len(data) - start)))
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("argv", [["queue"], ["search", "cadenas"], ["history", "c-boul"], ["note", "T-100", "x"],
                                  ["export", "--format", "json"]])
def test_a_damaged_store_says_so_and_what_to_do(store, store_path, capsys, argv):
    store.close()
    corrupt(store_path)
    code = main(["--db", str(store_path), *argv])
    out, err = capsys.readouterr()
    line = one_line_error(err)
    assert code == 3, (argv, out, err)
    assert str(store_path) in line and "damaged" in line and "backup" in line
    assert out == ""  # never "no match" or an empty queue as if all were well


# -- full ------------------------------------------------------------------------------------

@pytest.fixture
def small_disk():
    """A 2 MB file system of its own (tmpfs), removed after the test."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    where = Path(tempfile.mkdtemp(prefix="oncall-full-"))
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(where)], check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)
        shutil.rmtree(where, ignore_errors=True)


def fill(disk: Path) -> None:
    """Take every free byte of *disk*."""
    with open(disk / "filler", "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError:
            pass


def test_a_full_disk_refuses_the_write_keeps_the_store_and_says_what_to_do(store, store_path, small_disk, capsys):
    store.close()
    db = small_disk / "oncall.db"
    shutil.copy(store_path, db)
    before = dump(db)
    fill(small_disk)
    code = main(["--db", str(db), "note", "T-100", "Rappelé, DNS toujours pas changé. " * 200])
    line = one_line_error(capsys.readouterr().err)
    assert code == 3 and "full" in line and "free some space" in line and str(db) in line
    assert "cannot rollback" not in line
    (small_disk / "filler").unlink()
    assert dump(db) == before  # nothing half-written, nothing lost
    assert main(["--db", str(db), "note", "T-100", "Rappelé."]) == 0  # and it works again once space is back


async def test_on_a_full_disk_the_note_being_typed_stays_on_screen(store, store_path, small_disk):
    store.close()
    db = small_disk / "oncall.db"
    shutil.copy(store_path, db)
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter", "n")
        await wait_for(pilot, lambda: app.screen.name == "editor")
        words = "Rappelé le client : le DNS pointe encore vers l'ancien serveur. " * 40
        app.screen.query_one(TextArea).text = words
        fill(small_disk)
        await pilot.press("ctrl+s")
        status = lambda: str(app.screen.query_one("#editor-status").render())  # noqa: E731
        await wait_for(pilot, lambda: "Not saved" in status())
        assert "full" in status() and app.screen.name == "editor"
        assert app.screen.query_one(TextArea).text == words
        (small_disk / "filler").unlink()
        await pilot.press("ctrl+s")  # space is back: the same text saves
        await wait_for(pilot, lambda: app.screen.name == "history")
    assert app.crash_report is None


# -- locked ----------------------------------------------------------------------------------

def test_a_store_locked_too_long_refuses_the_write_and_says_to_try_again(store, store_path, tmp_path, capsys):
    store.close()
    config = tmp_path / "config.toml"
    config.write_text("[store]\nlock_wait = 0.5\n")
    holder = sqlite3.connect(store_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        before = dump(store_path)
        code = main(["--db", str(store_path), "--config", str(config), "note", "T-100", "x"])
        line = one_line_error(capsys.readouterr().err)
        assert code == 3 and "locked" in line and "try again" in line
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert dump(store_path) == before


# -- read-only for this Unix user ------------------------------------------------------------

@pytest.fixture
def shared_store(store, store_path):
    """The store in a folder another user (nobody) may read but not write."""
    if os.geteuid() != 0:
        pytest.skip("running as another user needs root (CI runs as root)")
    store.close()
    folder = Path(tempfile.mkdtemp(prefix="oncall-shared-"))
    folder.chmod(0o755)
    db = folder / "oncall.db"
    shutil.copy(store_path, db)
    db.chmod(0o644)
    config_dir = folder / "config"
    config_dir.mkdir()
    yield db
    shutil.rmtree(folder, ignore_errors=True)


def as_nobody(db: Path, *argv: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "HOME": str(db.parent), "ONCALL_CONFIG_DIR": str(db.parent / "config"),
           "ONCALL_DATA_DIR": str(db.parent / "data"), "ONCALL_USER": "nobody", "PYTHONPATH": str(ROOT)}
    return subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--",
                           sys.executable, "-m", "oncall_tui", "--db", str(db), *argv],
                          capture_output=True, text=True, env=env, cwd=db.parent, timeout=60)


def test_a_store_this_user_cannot_write_is_read_and_writes_are_refused(shared_store):
    before = dump(shared_store)
    queue = as_nobody(shared_store, "queue")
    assert queue.returncode == 0, queue.stderr
    assert "T-100" in queue.stdout
    note = as_nobody(shared_store, "note", "T-100", "x")
    assert note.returncode == 2
    # (the store is readable by everyone: that is said first, on its own line)
    line = one_line_error("\n".join(x for x in note.stderr.splitlines() if not x.startswith("oncall: warning:")))
    assert "read-only" in line and "saving the note" in line
    assert dump(shared_store) == before


def test_the_screen_starts_on_a_store_this_user_cannot_write_and_says_so(shared_store):
    script = (
        "import asyncio, sys\n"
        "from oncall_tui.config import Config\n"
        "from oncall_tui.ui.app import OncallApp\n"
        "from oncall_tui.usecases.session import Session\n"
        "from tests.ui_helpers import Notes, screen_text\n"
        "async def main():\n"
        "    notes = Notes()\n"
        "    app = OncallApp(Session.open(sys.argv[1], Config(), user='nobody'))\n"
        "    async with app.run_test(size=(120, 40), message_hook=notes) as pilot:\n"
        "        await pilot.pause(0.5)\n"
        "        print('READONLY' if any('Read-only' in m for m in notes.messages) else 'WRITABLE')\n"
        "        print(screen_text(app))\n"
        "asyncio.run(main())\n")
    env = {"PATH": os.environ["PATH"], "HOME": str(shared_store.parent), "PYTHONPATH": str(ROOT),
           "ONCALL_DATA_DIR": str(shared_store.parent / "data"), "ONCALL_CONFIG_DIR": str(shared_store.parent / "config")}
    done = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--",
                           sys.executable, "-c", script, str(shared_store)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("READONLY") and "T-100" in done.stdout


# -- permissions -------------------------------------------------------------------------------

def modes(*paths: Path) -> list[str]:
    return [oct(p.stat().st_mode & 0o777) for p in paths]


def test_a_new_store_is_private_whatever_the_umask(tmp_path, capsys):
    db = tmp_path / "new" / "deeper" / "oncall.db"
    doc = tmp_path / "doc.json"
    doc.write_text('{"customers": [{"id": "c-1", "name": "Client"}]}')
    old = os.umask(0)
    try:
        assert main(["--db", str(db), "import", str(doc)]) == 0  # creates the store
        session_files = [db, Path(f"{db}-wal"), Path(f"{db}-shm")]
        assert main(["--db", str(db), "queue"]) == 0
    finally:
        os.umask(old)
    assert modes(db.parent, db.parent.parent) == ["0o700", "0o700"]
    assert all(m == "0o600" for m in modes(*[p for p in session_files if p.exists()]))


def test_a_store_open_to_everyone_is_tightened_and_a_team_group_kept(store, store_path):
    store.close()
    store_path.chmod(0o664)  # our own personal group, and everyone
    main(["--db", str(store_path), "queue"])
    assert modes(store_path) == ["0o600"]
    if os.geteuid() == 0:  # a team's group (another gid): the team keeps read and write
        os.chown(store_path, 0, 100)
        store_path.chmod(0o664)
        main(["--db", str(store_path), "queue"])
        assert modes(store_path) == ["0o660"]


def test_a_store_open_to_everyone_that_is_not_ours_is_reported(shared_store):
    os.chown(shared_store, 65534, 65534)  # nobody's file, readable by all
    done = subprocess.run([sys.executable, "-m", "oncall_tui", "--db", str(shared_store), "queue"],
                          capture_output=True, text=True, cwd=ROOT, timeout=60,
                          env={**os.environ, "ONCALL_CONFIG_DIR": str(shared_store.parent / "config"),
                               "ONCALL_DATA_DIR": str(shared_store.parent / "data")})
    assert done.returncode == 0, done.stderr
    assert f"{shared_store} can be read by every user of this machine (mode 0644)" in done.stderr
    assert f"chmod o-rwx {shared_store}" in done.stderr
