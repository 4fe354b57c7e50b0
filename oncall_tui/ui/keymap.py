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

from ..config import ConfigError
from ..resources import keymap_file

@dataclass(frozen=True)
class KeySpec:
    id: str  # "queue.explain"
    keys: str  # "e" or "j,down"
    action: str
    description: str
    show: bool = True

    def binding(self) -> Binding:
        return Binding(self.keys, self.action, self.description, show=self.show, id=self.id,
                       tooltip=f"{self.description} ({self.id})")


@dataclass
class Keymap:
    specs: dict[str, dict[str, KeySpec]]  # screen -> id -> spec (defaults, before overrides)
    overrides: dict[str, str]  # id -> keys, from the user file
    problems: list[str]

    def bindings(self, screen: str) -> list[Binding]:
        return [spec.binding() for spec in self.specs.get(screen, {}).values()]

    def keys_for(self, binding_id: str) -> str:
        screen = binding_id.split(".", 1)[0]
        spec = self.specs.get(screen, {}).get(binding_id)
        return self.overrides.get(binding_id) or (spec.keys if spec else "")

    def display(self, binding_id: str) -> str:
        return self.keys_for(binding_id).split(",")[0]


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
            if defaults is not None and name not in defaults[screen]:
                raise ConfigError(f"{source}: {binding_id}: unknown binding id (see `oncall keys`)")
            allowed = {"keys", "action", "description", "show"} if defaults is None else {"keys"}
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
                bool(spec.get("show", True)))
    for screen, extra_specs in (extra or {}).items():
        for spec in extra_specs:
            specs.setdefault(screen, {})[spec.id] = spec
    overrides: dict[str, str] = {}
    if user_file is not None and user_file.exists():
        user = _parse(user_file.read_text(encoding="utf-8"), str(user_file),
                      defaults={s: {i.split('.', 1)[1] for i in t} for s, t in specs.items()})
        for screen, table in user.items():
            for name, spec in table.items():
                overrides[f"{screen}.{name}"] = spec["keys"]
    return Keymap(specs, overrides, _clashes(specs, overrides))


def _clashes(specs: dict[str, dict[str, KeySpec]], overrides: dict[str, str]) -> list[str]:
    problems = []
    app_keys = {}
    for spec in specs.get("app", {}).values():
        for key in overrides.get(spec.id, spec.keys).split(","):
            app_keys[key.strip()] = spec.id
    for screen, table in specs.items():
        seen: dict[str, str] = {} if screen == "app" else {}
        for spec in table.values():
            for key in overrides.get(spec.id, spec.keys).split(","):
                key = key.strip()
                other = seen.get(key) or (app_keys.get(key) if screen != "app" else None)
                if other and other != spec.id:
                    problems.append(f"key {key!r} is bound to both {other} and {spec.id}")
                seen[key] = spec.id
    return problems


_DEFAULTS: Keymap | None = None


def default_bindings(screen: str) -> list[Binding]:
    """The shipped bindings of *screen*, for a class's `BINDINGS` (user overrides apply by id later)."""
    global _DEFAULTS
    if _DEFAULTS is None:
        _DEFAULTS = load_keymap(None)
    return _DEFAULTS.bindings(screen)
