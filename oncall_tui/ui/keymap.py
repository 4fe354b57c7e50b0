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
        sections = (screen, *SHARED.get(screen, ()))
        return [spec.binding() for section in sections for spec in self.specs.get(section, {}).values()]

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
            if defaults is not None and name not in defaults[screen] and screen != "actions":
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


_DEFAULTS: Keymap | None = None


def default_bindings(screen: str) -> list[Binding]:
    """The shipped bindings of *screen*, for a class's `BINDINGS` (user overrides apply by id later)."""
    global _DEFAULTS
    if _DEFAULTS is None:
        _DEFAULTS = load_keymap(None)
    return _DEFAULTS.bindings(screen)


def add_site_action_bindings(node, keymap: Keymap) -> None:
    """Bind the action keys a user added for site runbooks (ids not in the shipped keymap) on *node*."""
    shipped = {b.id for b in default_bindings("history")}
    extra = [spec.binding() for spec in keymap.specs.get("actions", {}).values() if spec.id not in shipped]
    for binding in Binding.make_bindings(extra):
        node._bindings.key_to_bindings.setdefault(binding.key, []).append(binding)
