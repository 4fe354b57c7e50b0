"""Site runbooks: one-key actions declared in TOML, run step by step on a target.

A runbook (k9s/lazygit-style) has typed parameters and steps whose commands are
*argument lists*. Each `{param}` is substituted inside one argument, so a value
stays one argument; values are validated before anything runs, and anything
that looks like shell syntax is refused outright. Loading, validation,
rendering and the plan are pure; only `runbook_runner.run_steps` touches a transport.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import idna

from .runbook_params import (
    IDENTIFIER,
    PARAM_TYPES,
    PLACEHOLDER,
    Param,
    RunbookError,
    check_params,
    check_value,
    first_metachar,
    substitute,
)

TARGETS = ("local", "server")
_RUNBOOK_KEYS = {"id", "title", "key", "target", "confirm", "dangerous", "intent",
                 "params", "steps", "reply"}
_PARAM_KEYS = {"name", "type", "required", "default", "help", "choices", "min", "max", "access"}
_STEP_KEYS = {"title", "run", "timeout"}
DEFAULT_TIMEOUT = 60.0

_ID = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_SHELLS = {"sh", "bash", "dash", "zsh", "ksh"}


@dataclass(frozen=True)
class Step:
    title: str
    argv_template: tuple[str, ...]
    timeout: float = DEFAULT_TIMEOUT


@dataclass(frozen=True)
class Runbook:
    id: str
    title: str
    key: str | None
    target: str
    confirm: bool
    dangerous: bool
    intent: str | None
    params: tuple[Param, ...]
    steps: tuple[Step, ...]
    reply: dict[str, str]
    source: Path

    @property
    def server_param(self) -> str | None:
        """Name of the parameter that picks the target server, if any."""
        return next((p.name for p in self.params if p.type == "server"), None)


# --------------------------------------------------------------------- loading

def shipped_runbook_dir() -> Path:
    """The directory of runbooks shipped with oncall-tui."""
    return Path(__file__).resolve().parent.parent / "data" / "runbooks"


def load_runbooks(paths: Iterable[Path]) -> dict[str, Runbook]:
    """Load runbook files (or directories of `*.toml`); a later file overrides an earlier id."""
    runbooks: dict[str, Runbook] = {}
    for path in paths:
        path = Path(path)
        files = sorted(path.glob("*.toml")) if path.is_dir() else [path]
        for file in files:
            rb = load_runbook(file)
            runbooks[rb.id] = rb
    return runbooks


def load_runbook(file: Path) -> Runbook:
    """Parse and check one runbook file; errors name the file and the key."""
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise RunbookError(f"{file}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RunbookError(f"{file}: invalid TOML: {exc}") from exc
    return _Loader(file).runbook(data)


class _Loader:
    def __init__(self, file: Path) -> None:
        self.file = file

    def fail(self, key: str, reason: str) -> RunbookError:
        return RunbookError(f"{self.file}: {key.lstrip('.')}: {reason}")

    def get(self, table: dict, key: str, prefix: str, kind: type | tuple, default: Any = ...) -> Any:
        if key not in table:
            if default is ...:
                raise self.fail(f"{prefix}.{key}", "missing")
            return default
        value = table[key]
        # bool is an int in Python; a timeout of `true` is still a mistake.
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
            names = " or ".join(k.__name__ for k in _as_tuple(kind))
            raise self.fail(f"{prefix}.{key}", f"expected {names}, got {value!r}")
        return value

    def unknown(self, table: dict, allowed: set[str], prefix: str) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail(f"{prefix}.{key}", f"unknown key (expected one of {', '.join(sorted(allowed))})")

    def runbook(self, data: dict) -> Runbook:
        self.unknown(data, {"runbook"}, "")
        table = self.get(data, "runbook", "", dict) if "runbook" in data else None
        if table is None:
            raise self.fail("runbook", "missing [runbook] table")
        self.unknown(table, _RUNBOOK_KEYS, "runbook")
        rb_id = self.get(table, "id", "runbook", str)
        if not _ID.match(rb_id):
            raise self.fail("runbook.id", f"{rb_id!r} must be lower-case letters, digits and _")
        target = self.get(table, "target", "runbook", str, "server")
        if target not in TARGETS:
            raise self.fail("runbook.target", f"{target!r} is not one of {', '.join(TARGETS)}")
        params = tuple(self.param(p, f"runbook.params[{i}]")
                       for i, p in enumerate(self.get(table, "params", "runbook", list, [])))
        names = [p.name for p in params]
        for name in names:
            if names.count(name) > 1:
                raise self.fail("runbook.params", f"parameter {name!r} is declared twice")
        if target == "server" and "server" not in [p.type for p in params]:
            raise self.fail("runbook.params", 'target = "server" needs a parameter of type "server"')
        steps = tuple(self.step(s, f"runbook.steps[{i}]", set(names))
                      for i, s in enumerate(self.get(table, "steps", "runbook", list)))
        if not steps:
            raise self.fail("runbook.steps", "at least one step is needed")
        for i, p in enumerate(params):
            if p.default is not None:
                self.check_refs(p.default, set(names[:i]), f"runbook.params[{i}].default")
        reply = self.get(table, "reply", "runbook", dict, {})
        for lang, text in reply.items():
            if not isinstance(text, str):
                raise self.fail(f"runbook.reply.{lang}", f"expected str, got {text!r}")
            self.check_refs(text, set(names), f"runbook.reply.{lang}")
        key = self.get(table, "key", "runbook", str, None)
        return Runbook(
            id=rb_id, title=self.get(table, "title", "runbook", str), key=key or None, target=target,
            confirm=self.get(table, "confirm", "runbook", bool, True),
            dangerous=self.get(table, "dangerous", "runbook", bool, False),
            intent=self.get(table, "intent", "runbook", str, None),
            params=params, steps=steps, reply=dict(reply), source=self.file)

    def param(self, table: Any, prefix: str) -> Param:
        if not isinstance(table, dict):
            raise self.fail(prefix, "expected a table ([[runbook.params]])")
        self.unknown(table, _PARAM_KEYS, prefix)
        name = self.get(table, "name", prefix, str)
        if not IDENTIFIER.match(name):
            raise self.fail(f"{prefix}.name", f"{name!r} must be lower-case letters, digits and _")
        ptype = self.get(table, "type", prefix, str, "string")
        if ptype not in PARAM_TYPES:
            raise self.fail(f"{prefix}.type", f"unknown type {ptype!r} (expected one of {', '.join(PARAM_TYPES)})")
        choices = tuple(self.get(table, "choices", prefix, list, []))
        if ptype == "choice" and (not choices or not all(isinstance(c, str) for c in choices)):
            raise self.fail(f"{prefix}.choices", "a choice parameter needs a list of strings")
        default = self.get(table, "default", prefix, (str, int), None)
        access = self.get(table, "access", prefix, str, "write")
        if access not in ("write", "read"):
            raise self.fail(f"{prefix}.access", f"expected \"write\" or \"read\", got {access!r}")
        param = Param(access=access,
            name=name, type=ptype, default=None if default is None else str(default),
            required=self.get(table, "required", prefix, bool, default is None),
            help=self.get(table, "help", prefix, str, ""), choices=choices,
            min=self.get(table, "min", prefix, int, None), max=self.get(table, "max", prefix, int, None))
        for choice in choices:
            check_value(param, choice, servers=(), where=f"{self.file}: {prefix}.choices")
        if param.default is not None and not PLACEHOLDER.search(param.default) and ptype != "server":
            check_value(param, param.default, servers=(), where=f"{self.file}: {prefix}.default")
        return param

    def step(self, table: Any, prefix: str, names: set[str]) -> Step:
        if not isinstance(table, dict):
            raise self.fail(prefix, "expected a table ([[runbook.steps]])")
        self.unknown(table, _STEP_KEYS, prefix)
        run = self.get(table, "run", prefix, list)
        if not run or not all(isinstance(a, str) for a in run):
            raise self.fail(f"{prefix}.run", "expected a non-empty list of strings (an argument list)")
        timeout = float(self.get(table, "timeout", prefix, (int, float), DEFAULT_TIMEOUT))
        if timeout <= 0:
            raise self.fail(f"{prefix}.timeout", f"must be positive, got {timeout:g}")
        scripts = _script_positions(run)
        for i, arg in enumerate(run):
            if i in scripts:
                # A shell script is taken literally: a value pasted into it would be parsed
                # by the shell. Parameters go in as positional arguments ($1, $2...).
                for name in PLACEHOLDER.findall(re.sub(r"\$\{", "", arg)):
                    if name in names:
                        raise self.fail(f"{prefix}.run[{i}]", f"{{{name}}} inside a shell script; pass it "
                                        "as an argument after the script and use \"$1\", \"$2\"...")
            else:
                self.check_refs(arg, names, f"{prefix}.run[{i}]")
        return Step(title=self.get(table, "title", prefix, str), argv_template=tuple(run), timeout=timeout)

    def check_refs(self, text: str, names: set[str], key: str) -> None:
        for name in PLACEHOLDER.findall(text):
            if name not in names:
                raise self.fail(key, f"{{{name}}} is not a declared parameter (before this point)")


def _as_tuple(kind: type | tuple) -> tuple:
    return kind if isinstance(kind, tuple) else (kind,)


def _script_positions(argv: Sequence[str]) -> set[int]:
    """Indexes of arguments that are shell scripts (`sh -c SCRIPT`, `sudo -n bash -c SCRIPT`)."""
    return {i + 1 for i in range(1, len(argv) - 1)
            if argv[i] == "-c" and argv[i - 1].rsplit("/", 1)[-1] in _SHELLS}


def validate_params(rb: Runbook, raw: dict[str, str], *, servers: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Check and normalise the values typed for *rb*; fill defaults (see `runbook_params.check_params`)."""
    return check_params(rb.params, raw, servers=servers, owner=rb.id)


# ------------------------------------------------------------------- rendering

def render_steps(rb: Runbook, params: dict[str, str]) -> list[tuple[Step, list[str]]]:
    """The concrete argument list of every step, with each value as (part of) one argument."""
    for p in rb.params:
        if p.name not in params:
            raise RunbookError(f"parameter {p.name!r}: missing (run validate_params first)", param=p.name)
        meta = first_metachar(params[p.name])
        if meta is not None:  # defence in depth: params that skipped validation
            raise RunbookError(f"parameter {p.name!r}: {params[p.name]!r} contains {meta!r} — refused",
                               param=p.name)
    rendered = []
    for step in rb.steps:
        scripts = _script_positions(step.argv_template)
        argv = [arg if i in scripts else substitute(arg, params)
                for i, arg in enumerate(step.argv_template)]
        rendered.append((step, argv))
    return rendered


def render_reply(rb: Runbook, params: dict[str, str], language: str) -> str | None:
    """The customer reply in *language* (falling back to English), or None if none is declared."""
    text = rb.reply.get(language) or rb.reply.get("en")
    if text is None:
        return None
    return substitute(text, {k: _display(rb, k, v) for k, v in params.items()})


def _display(rb: Runbook, name: str, value: str) -> str:
    """A value as a person reads it: domains in Unicode ("café.fr", not "xn--caf-dma.fr")."""
    if any(p.name == name and p.type == "domain" for p in rb.params) and "xn--" in value:
        try:
            return idna.decode(value)
        except idna.IDNAError:
            pass
    return value


def plan_lines(rb: Runbook, params: dict[str, str], target_description: str) -> list[str]:
    """What will run, where and as whom, for the confirmation screen."""
    lines = [f"{rb.title} — on {target_description}"]
    if rb.dangerous:
        lines.append("DANGEROUS: this changes or interrupts a running service.")
    for p in rb.params:
        value = params.get(p.name, "")
        shown = _display(rb, p.name, value)
        lines.append(f"  {p.name} = {value}" + (f" ({shown})" if shown != value else ""))
    for n, (step, argv) in enumerate(render_steps(rb, params), start=1):
        as_whom = " (as root, via sudo)" if argv[:2] == ["sudo", "-n"] else ""
        lines.append(f"{n}. {step.title}{as_whom} [timeout {step.timeout:g}s]")
        # One entry per screen line: a multi-line script must not break the plan's layout.
        command = f"$ {shlex.join(argv)}".splitlines()
        lines += [f"   {part}" for part in command]
    return lines
