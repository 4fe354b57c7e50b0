"""Key bindings as data: the shipped keymap plus the user's overrides, checked for clashes.

Bindings are declared in `keymaps/default.toml` under a section per screen;
each has a stable id `<screen>.<name>`. Screens build their `BINDINGS` from
here, and a user file changes keys by id (applied with Textual's own
`App.set_keymap`). Two bindings of one screen on the same key are reported at
start-up with both ids, never silently dropped.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from textual.binding import Binding
from textual.keys import format_key

from ..config import ConfigError
from ..resources import keymap_file


@dataclass(frozen=True)
class KeySpec:
    id: str  # "queue.explain"
    keys: str  # "e" or "j,down"
    action: str
    description: str
    show: bool = True
    priority: bool = False  # before the focused widget (enter on a form of inputs)

    def binding(self) -> Binding:
        return Binding(self.keys, self.action, self.description, show=self.show, id=self.id, priority=self.priority,
                       tooltip=f"{self.description} ({self.id})")


@dataclass
class Keymap:
    specs: dict[str, dict[str, KeySpec]]  # screen -> id -> spec (defaults, before overrides)
    overrides: dict[str, str]  # id -> keys, from the user file
    problems: list[str]

    def bindings(self, screen: str) -> list[Binding]:
        sections = (screen, *SHARED.get(screen, ()))
        return [spec.binding() for section in sections for spec in self.specs.get(section, {}).values()]

    def keys_for(self, binding_id: str) -> str:
        screen = binding_id.split(".", 1)[0]
        spec = self.specs.get(screen, {}).get(binding_id)
        return self.overrides.get(binding_id) or (spec.keys if spec else "")

    def display(self, binding_id: str) -> str:
        """The first key of a binding as a person types it ("/", "?", "ctrl+s")."""
        return key_label(self.keys_for(binding_id).split(",")[0])

    def display_all(self, binding_id: str) -> str:
        """Every key of a binding as typed: "j down", "? f1"."""
        return " ".join(key_label(k) for k in self.keys_for(binding_id).split(",") if k.strip())

    def help_rows(self, screen: str) -> list[tuple[str, str, str]]:
        """(keys as typed, what it does, id) for the keys live on *screen*, then everywhere."""
        sections = (screen, *SHARED.get(screen, ()), *(("app",) if screen != "app" else ()))
        rows = []
        for section in sections:
            for spec in self.specs.get(section, {}).values():
                rows.append((self.display_all(spec.id), spec.description, spec.id))
        return rows

    def site_actions(self) -> dict[str, str]:
        """Key -> runbook id, for the action keys a user gave site runbooks (not in the shipped keymap)."""
        shipped = {spec.id for spec in _shipped().specs.get("actions", {}).values()}
        out: dict[str, str] = {}
        for spec in self.specs.get("actions", {}).values():
            if spec.id not in shipped:
                for key in self.keys_for(spec.id).split(","):
                    out[key.strip()] = spec.id.split(".", 1)[1]
        return out


def _default_text() -> str:
    return keymap_file().read_text(encoding="utf-8")


def _parse(text: str, source: str, *, defaults: dict | None) -> dict[str, dict[str, dict]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    out: dict[str, dict[str, dict]] = {}
    for screen, table in data.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{source}: [{screen}] must be a table of bindings")
        if defaults is not None and screen not in defaults:
            raise ConfigError(f"{source}: [{screen}]: unknown screen (expected one of {', '.join(defaults)})")
        for name, spec in table.items():
            binding_id = f"{screen}.{name}"
            if isinstance(spec, str):
                spec = {"keys": spec}
            if not isinstance(spec, dict):
                raise ConfigError(f"{source}: {binding_id}: expected a table like {{ keys = \"x\" }}")
            if defaults is not None and name not in defaults[screen] and screen != "actions":
                raise ConfigError(f"{source}: {binding_id}: unknown binding id (see `oncall keys`)")
            allowed = {"keys", "action", "description", "show", "priority"} if defaults is None else {"keys"}
            for key in spec:
                if key not in allowed:
                    raise ConfigError(f"{source}: {binding_id}.{key}: unknown field (expected {', '.join(sorted(allowed))})")
            if not isinstance(spec.get("keys", ""), str) or (defaults is None and not spec.get("keys")):
                raise ConfigError(f"{source}: {binding_id}.keys: expected a string like \"j,down\"")
            out.setdefault(screen, {})[name] = spec
    return out


def load_keymap(user_file: Path | None = None, *, extra: dict[str, list[KeySpec]] | None = None) -> Keymap:
    """The shipped keymap, overridden by *user_file* when it exists; *extra* adds action keys."""
    raw = _parse(_default_text(), "keymaps/default.toml", defaults=None)
    specs: dict[str, dict[str, KeySpec]] = {}
    for screen, table in raw.items():
        for name, spec in table.items():
            binding_id = f"{screen}.{name}"
            specs.setdefault(screen, {})[binding_id] = KeySpec(
                binding_id, spec["keys"], spec.get("action", name), spec.get("description", name),
                bool(spec.get("show", True)), bool(spec.get("priority", False)))
    for screen, extra_specs in (extra or {}).items():
        for spec in extra_specs:
            specs.setdefault(screen, {})[spec.id] = spec
    overrides: dict[str, str] = {}
    if user_file is not None and user_file.exists():
        user = _parse(user_file.read_text(encoding="utf-8"), str(user_file),
                      defaults={s: {i.split('.', 1)[1] for i in t} for s, t in specs.items()})
        for screen, table in user.items():
            for name, spec in table.items():
                binding_id = f"{screen}.{name}"
                if binding_id not in specs.get(screen, {}):
                    # A site runbook given a key by the user: a new action binding.
                    specs.setdefault(screen, {})[binding_id] = KeySpec(
                        binding_id, spec["keys"], f"run_action('{name}')", name.replace("_", " "), True)
                else:
                    overrides[binding_id] = spec["keys"]
    return Keymap(specs, overrides, _clashes(specs, overrides))


# Which binding sections are live together on a screen (the app's keys are live everywhere).
SHARED = {"queue": ("actions",), "history": ("actions",)}


def _clashes(specs: dict[str, dict[str, KeySpec]], overrides: dict[str, str]) -> list[str]:
    problems: list[str] = []

    def keys_of(spec: KeySpec) -> list[str]:
        return [k.strip() for k in overrides.get(spec.id, spec.keys).split(",")]

    for screen in specs:
        if screen == "actions":
            continue
        sections = [screen, *SHARED.get(screen, ()), *(("app",) if screen != "app" else ())]
        seen: dict[str, str] = {}
        for section in sections:
            for spec in specs.get(section, {}).values():
                for key in keys_of(spec):
                    other = seen.get(key)
                    if other and other != spec.id:
                        problem = f"key {key!r} is bound to both {other} and {spec.id}"
                        if problem not in problems:
                            problems.append(problem)
                    seen.setdefault(key, spec.id)
    return problems


def key_label(key: str) -> str:
    """A Textual key name as a person types it ("slash" -> "/", "question_mark" -> "?")."""
    key = key.strip()
    if "+" in key:
        return key
    return format_key(key)


_DEFAULTS: Keymap | None = None


def _shipped() -> Keymap:
    global _DEFAULTS
    if _DEFAULTS is None:
        _DEFAULTS = load_keymap(None)
    return _DEFAULTS


def default_bindings(screen: str) -> list[Binding]:
    """The shipped bindings of *screen*, for a class's `BINDINGS` (user overrides apply by id later)."""
    return _shipped().bindings(screen)
