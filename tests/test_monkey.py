"""A monkey at the keyboard: thousands of random keys from the keymap, typed and pasted text, resizes.

The app must never crash nor show a traceback, whatever the order of keys. Each
run draws from a seed: a fixed one always, plus a fresh one per run (printed,
and named in any failure) so a new path is tried every time and any failure can
be replayed with `MONKEY_SEED=<seed> pytest tests/test_monkey.py -k fresh`.
"""

from __future__ import annotations

import os
import random
import secrets
import tomllib
import unicodedata
from datetime import datetime, timezone

import pytest
from textual import events
from textual.keys import key_to_character

from oncall_tui.config import Config
from oncall_tui.demo.environment import seed_demo_store
from oncall_tui.resources import keymap_file
from oncall_tui.ui.app import OncallApp
from oncall_tui.usecases.session import Session

from .ui_helpers import Notes, screen_text

# Screens run on SQLite only; the store and service tests cover both engines.
pytestmark = pytest.mark.sqlite_only

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
FIXED_SEED = 20261203
# Seeds a fresh run once crashed with, kept so their crash cannot come back unseen:
# 4105621438 — `up` reached a history screen whose widgets were not composed yet (NoMatches).
# 1246631707 — the command palette dismissed itself after quitting had emptied the screen stack.
# 1404276979 — quitting with the palette open: a search it started after its workers were cancelled looked
#              for its list once the list was gone (NoMatches).
REGRESSION_SEEDS = (4105621438, 1246631707, 1404276979)
KEYS_PER_RUN = int(os.environ.get("MONKEY_KEYS", 5000))  # a fresh seed: a new path each run
KEYS_PER_REPLAY = int(os.environ.get("MONKEY_REPLAY_KEYS", 2500))  # the fixed and regression seeds
SIZES = [(120, 40), (80, 24), (100, 30), (60, 20), (200, 60)]

# Typed text: the languages customers write in, and what hostile text looks like.
WORDS = ["bonjour", "mémoire pleine", "charger un SSL", "ftp", "URGENT", "déçu", "çà", "œuvre", "日本語",
         "[bold]x[/]", "[link=http://x]y[/]", "$HOME", "; rm -rf /", "'\"", "\\", "%s", "{0}", "T-2090", "🙂"]
PASTES = ["\x1b[2J\x1b]0;pwned\x07cleared", "[red]markup[/red] [@click=app.quit]quit[/]", "a\u202eb\u200bc\u2066d",
          "ligne 1\r\nligne 2\n\n\tindent", "x" * 5000, "\x00\x01\x7f nul", "é" * 300 + "\n" * 50]


def keymap_keys() -> list[str]:
    """Every key the shipped keymap binds, on every screen (ctrl+q aside: quitting ends the run)."""
    doc = tomllib.loads(keymap_file().read_text(encoding="utf-8"))
    keys = {key.strip() for section in doc.values() for spec in section.values()
            for key in spec["keys"].split(",")}
    keys.discard("ctrl+q")
    return sorted(keys | {"tab", "shift+tab", "space", "backspace", "left", "right", "delete"})


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("monkey") / "demo.db"
    seed_demo_store(path, now=NOW)
    return path


def demo_app(store, tmp_path) -> OncallApp:
    tmp_path.mkdir(parents=True, exist_ok=True)
    db = tmp_path / "demo.db"
    db.write_bytes(store.read_bytes())
    cfg = Config(timezone="Europe/Paris", region="EMEA", city="Paris")
    cfg.actions_off = "the demo's servers are fictional"  # as `oncall demo` does
    return OncallApp(Session.open(db, cfg, user="alice", clock=lambda: NOW), demo=True)


class Monkey:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.keys = keymap_keys()
        self.log: list[str] = []

    def next_move(self) -> tuple[str, object]:
        roll = self.rng.random()
        if roll < 0.80:
            return "key", self.rng.choice(self.keys)
        if roll < 0.93:
            return "type", self.rng.choice(WORDS)
        if roll < 0.97:
            return "paste", self.rng.choice(PASTES)
        return "resize", self.rng.choice(SIZES)


def key_event(key: str) -> events.Key:
    return events.Key(key, key_to_character(key))


def char_event(char: str) -> events.Key:
    """The event a terminal sends for one typed character (its key name as Textual spells it)."""
    if char.isalnum():
        return events.Key(char, char)
    try:
        name = unicodedata.name(char).lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        name = char
    return events.Key(name, char)


async def drive(app: OncallApp, monkey: Monkey, budget: int, notes: Notes, size) -> int:
    """Play moves until *budget* keys are sent or the app quits (`q` on the queue); return the keys sent.

    Keys go out in bursts, as fast as an engineer's fingers (the app is not waited for between
    the keys of a burst), then the app is let settle and the screen read.
    """
    sent = 0
    async with app.run_test(size=size, message_hook=notes) as pilot:
        await pilot.pause()
        while sent < budget and app.is_running and app.return_code is None:
            for _ in range(monkey.rng.randint(1, 12)):
                kind, value = monkey.next_move()
                monkey.log.append(f"{kind}:{value!r}"[:60])
                if kind == "key":
                    app.post_message(key_event(value))
                    sent += 1
                elif kind == "type":
                    for char in value:
                        app.post_message(char_event(char))
                    sent += len(value)
                elif kind == "paste":
                    (app.focused or app.screen).post_message(events.Paste(value))
                else:
                    await pilot.resize_terminal(*value)
            await pilot.pause()
            if app.is_running:
                shown = screen_text(app)
                assert "Traceback" not in shown, shown
        await pilot.pause()
    return sent


# Each app runs a share of the keys, then a fresh one starts in the next setting.
SETTINGS = [((120, 40), False), ((80, 24), True), ((80, 24), False), ((120, 40), True)]
KEYS_PER_APP = 1250


@pytest.mark.parametrize("which", ["fixed", "fresh", *(f"seed{seed}" for seed in REGRESSION_SEEDS)])
async def test_random_keys_never_crash(demo_store, tmp_path, monkeypatch, which):
    if which.startswith("seed"):
        seed = int(which[4:])
    else:
        seed = FIXED_SEED if which == "fixed" else int(os.environ.get("MONKEY_SEED") or secrets.randbits(32))
    print(f"monkey seed {seed}: replay with MONKEY_SEED={seed} pytest tests/test_monkey.py -k fresh")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # where a crash report would go
    monkey = Monkey(seed)
    total, runs = 0, 0
    budget = KEYS_PER_RUN if which == "fresh" else KEYS_PER_REPLAY
    while total < budget:
        size, no_color = SETTINGS[runs % len(SETTINGS)]
        # Textual reads NO_COLOR when the app starts.
        if no_color:
            monkeypatch.setenv("NO_COLOR", "1")
        else:
            monkeypatch.delenv("NO_COLOR", raising=False)
        notes = Notes()
        app = demo_app(demo_store, tmp_path / f"run{runs}")
        try:
            total += await drive(app, monkey, min(KEYS_PER_APP, budget - total), notes, size)
        except BaseException as exc:
            raise AssertionError(f"seed {seed}: crashed after {total} keys ({size[0]}×{size[1]}, "
                                 f"NO_COLOR={no_color}); last moves: {monkey.log[-20:]}") from exc
        assert app.crash_report is None, f"seed {seed}: crash report {app.crash_report}"
        broken = [m for m in notes.messages if "Traceback" in m or "object has no attribute" in m]
        assert not broken, f"seed {seed}: {broken[0]}"
        runs += 1
