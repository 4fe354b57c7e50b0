"""Site runbooks: one-key actions declared in TOML, run step by step on a target.

A runbook (k9s/lazygit-style) has typed parameters and steps whose commands are
*argument lists*. Each `{param}` is substituted inside one argument, so a value
stays one argument; values are validated before anything runs, and anything
that looks like shell syntax is refused outright. Loading, validation,
rendering and the plan are pure; only `run_steps` touches a transport.
"""

from __future__ import annotations

import asyncio
import re
import shlex
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Literal, Mapping, Sequence

import idna

from .transport import OutputCallback, RunResult, Transport

PARAM_TYPES = ("domain", "identifier", "server", "path", "int", "choice", "string")
TARGETS = ("local", "server")
_RUNBOOK_KEYS = {"id", "title", "key", "target", "confirm", "dangerous", "intent",
                 "params", "steps", "reply"}
_PARAM_KEYS = {"name", "type", "required", "default", "help", "choices", "min", "max"}
_STEP_KEYS = {"title", "run", "timeout"}
DEFAULT_TIMEOUT = 60.0

_ID = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_PATH = re.compile(r"^/[A-Za-z0-9._/@+=,:-]*$")
_STRING = re.compile(r"^[\w .,:@+=/%-]*$")
_INT = re.compile(r"^-?[0-9]{1,18}$")
# Shell syntax no parameter value may carry, even though values are quoted: a
# runbook author may still pass one to `sh -c`, `mysql -e` or a config file.
_MULTI_META = ("$(", "${", "&&", "||", ">>", "<<")
_META = set(";&|$`<>'\"\\(){}[]*?~!#\n\r\t")
_SHELLS = {"sh", "bash", "dash", "zsh", "ksh"}


class RunbookError(ValueError):
    """A runbook file or a parameter value is wrong; the message says where and why."""

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param  # the offending parameter, so a form can focus it


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool = True
    default: str | None = None
    help: str = ""
    choices: tuple[str, ...] = ()
    min: int | None = None
    max: int | None = None


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
        if not _IDENTIFIER.match(name):
            raise self.fail(f"{prefix}.name", f"{name!r} must be lower-case letters, digits and _")
        ptype = self.get(table, "type", prefix, str, "string")
        if ptype not in PARAM_TYPES:
            raise self.fail(f"{prefix}.type", f"unknown type {ptype!r} (expected one of {', '.join(PARAM_TYPES)})")
        choices = tuple(self.get(table, "choices", prefix, list, []))
        if ptype == "choice" and (not choices or not all(isinstance(c, str) for c in choices)):
            raise self.fail(f"{prefix}.choices", "a choice parameter needs a list of strings")
        default = self.get(table, "default", prefix, (str, int), None)
        param = Param(
            name=name, type=ptype, default=None if default is None else str(default),
            required=self.get(table, "required", prefix, bool, default is None),
            help=self.get(table, "help", prefix, str, ""), choices=choices,
            min=self.get(table, "min", prefix, int, None), max=self.get(table, "max", prefix, int, None))
        for choice in choices:
            _check_value(param, choice, servers=(), where=f"{self.file}: {prefix}.choices")
        if param.default is not None and not _PLACEHOLDER.search(param.default) and ptype != "server":
            _check_value(param, param.default, servers=(), where=f"{self.file}: {prefix}.default")
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
                for name in _PLACEHOLDER.findall(re.sub(r"\$\{", "", arg)):
                    if name in names:
                        raise self.fail(f"{prefix}.run[{i}]", f"{{{name}}} inside a shell script; pass it "
                                        "as an argument after the script and use \"$1\", \"$2\"...")
            else:
                self.check_refs(arg, names, f"{prefix}.run[{i}]")
        return Step(title=self.get(table, "title", prefix, str), argv_template=tuple(run), timeout=timeout)

    def check_refs(self, text: str, names: set[str], key: str) -> None:
        for name in _PLACEHOLDER.findall(text):
            if name not in names:
                raise self.fail(key, f"{{{name}}} is not a declared parameter (before this point)")


def _as_tuple(kind: type | tuple) -> tuple:
    return kind if isinstance(kind, tuple) else (kind,)


def _script_positions(argv: Sequence[str]) -> set[int]:
    """Indexes of arguments that are shell scripts (`sh -c SCRIPT`, `sudo -n bash -c SCRIPT`)."""
    return {i + 1 for i in range(1, len(argv) - 1)
            if argv[i] == "-c" and argv[i - 1].rsplit("/", 1)[-1] in _SHELLS}


# ------------------------------------------------------------------ validation

def validate_params(rb: Runbook, raw: Mapping[str, str], *,
                    servers: Sequence[str]) -> dict[str, str]:
    """Check and normalise the values typed for *rb*; fill defaults.

    `servers` are the customer's servers a `server` parameter may name.
    """
    declared = {p.name for p in rb.params}
    for name in raw:
        if name not in declared:
            raise RunbookError(f"parameter {name!r}: not declared by runbook {rb.id!r}", param=name)
    values: dict[str, str] = {}
    for p in rb.params:
        given = raw.get(p.name)
        if given is not None and str(given).strip() != "":
            values[p.name] = _check_value(p, str(given).strip(), servers=servers)
    for p in rb.params:  # defaults may refer to parameters declared before them
        if p.name in values:
            continue
        if p.default is not None:
            values[p.name] = _check_value(p, _substitute(p.default, values), servers=servers)
        elif p.required:
            hint = f" ({p.help})" if p.help else ""
            raise RunbookError(f"parameter {p.name!r}: required{hint}", param=p.name)
        else:
            values[p.name] = ""
    return values


def _check_value(p: Param, value: str, *, servers: Sequence[str], where: str = "") -> str:
    def refuse(reason: str) -> RunbookError:
        shown = value if len(value) <= 80 else value[:77] + "..."
        prefix = f"{where}: " if where else ""
        return RunbookError(f"{prefix}parameter {p.name!r}: {shown!r} {reason}", param=p.name)

    meta = _first_metachar(value)
    if meta is not None:
        raise refuse(f"contains {meta!r} — refused")
    if value.startswith("-") and p.type != "int":
        raise refuse("starts with '-' and would be read as an option — refused")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise refuse("contains a control character — refused")
    if p.type == "domain":
        return _check_domain(value, refuse)
    if p.type == "identifier":
        if not _IDENTIFIER.match(value):
            raise refuse("is not an identifier (a-z, 0-9, _; starts with a letter or _; at most 63)")
    elif p.type == "server":
        if value not in servers:
            known = ", ".join(servers) or "none"
            raise refuse(f"is not one of this customer's servers ({known})")
    elif p.type == "path":
        if not value.startswith("/"):
            raise refuse("is not an absolute path")
        if ".." in value.split("/"):
            raise refuse("contains '..'")
        if not _PATH.match(value):
            raise refuse("contains characters not allowed in a path (letters, digits, . _ - / @ + = , :)")
    elif p.type == "int":
        if not _INT.match(value):
            raise refuse("is not a whole number")
        number = int(value)
        if (p.min is not None and number < p.min) or (p.max is not None and number > p.max):
            raise refuse(f"is out of range {p.min if p.min is not None else ''}..{p.max if p.max is not None else ''}")
        return str(number)
    elif p.type == "choice":
        if value not in p.choices:
            raise refuse(f"is not one of {', '.join(p.choices)}")
    elif not _STRING.match(value):
        raise refuse("contains characters not allowed (letters, digits, space and . , : @ + = / % - _)")
    return value


def _first_metachar(value: str) -> str | None:
    for i, ch in enumerate(value):
        for multi in _MULTI_META:
            if value.startswith(multi, i):
                return multi
        if ch in _META:
            return ch
    return None


def _check_domain(value: str, refuse: Callable[[str], RunbookError]) -> str:
    name = value.rstrip(".")
    try:
        ascii_name = idna.encode(name, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise refuse(f"is not a valid domain name ({exc})") from None
    labels = ascii_name.split(".")
    if len(labels) < 2:
        raise refuse("is not a fully qualified domain name (e.g. example.com)")
    if len(ascii_name) > 253:
        raise refuse("is longer than 253 characters")
    for label in labels:
        if not _LABEL.match(label):
            raise refuse(f"has an invalid label {label!r} (letters, digits, '-', at most 63, "
                         "no '-' at either end)")
    if labels[-1].isdigit():
        raise refuse("is an address, not a domain name")
    return ascii_name


# ------------------------------------------------------------------- rendering

def _substitute(template: str, values: Mapping[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)] if m.group(1) in values else m.group(0), template)


def render_steps(rb: Runbook, params: dict[str, str]) -> list[tuple[Step, list[str]]]:
    """The concrete argument list of every step, with each value as (part of) one argument."""
    for p in rb.params:
        if p.name not in params:
            raise RunbookError(f"parameter {p.name!r}: missing (run validate_params first)", param=p.name)
        meta = _first_metachar(params[p.name])
        if meta is not None:  # defence in depth: params that skipped validation
            raise RunbookError(f"parameter {p.name!r}: {params[p.name]!r} contains {meta!r} — refused",
                               param=p.name)
    rendered = []
    for step in rb.steps:
        scripts = _script_positions(step.argv_template)
        argv = [arg if i in scripts else _substitute(arg, params)
                for i, arg in enumerate(step.argv_template)]
        rendered.append((step, argv))
    return rendered


def render_reply(rb: Runbook, params: dict[str, str], language: str) -> str | None:
    """The customer reply in *language* (falling back to English), or None if none is declared."""
    text = rb.reply.get(language) or rb.reply.get("en")
    if text is None:
        return None
    return _substitute(text, {k: _display(rb, k, v) for k, v in params.items()})


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


# --------------------------------------------------------------------- running

Status = Literal["ok", "failed", "timed_out", "cancelled"]


@dataclass(frozen=True)
class StepResult:
    title: str
    argv: tuple[str, ...]
    returncode: int | None  # None when cancelled before it finished
    timed_out: bool
    duration: float
    output: str


@dataclass(frozen=True)
class RunbookOutcome:
    runbook_id: str
    target: str
    status: Status
    steps: tuple[StepResult, ...]  # the steps that started, in order
    log: str
    duration: float

    @property
    def ok(self) -> bool:
        return self.status == "ok"


StepCallback = Callable[[int, Step, list[str]], None]


async def run_steps(rb: Runbook, params: dict[str, str], transport: Transport, *,
                    on_output: OutputCallback | None = None, on_step: StepCallback | None = None,
                    cancel: asyncio.Event | None = None,
                    clock: Callable[[], float] = time.monotonic) -> RunbookOutcome:
    """Run the steps in order on *transport*, stopping at the first that fails.

    Every command is rendered before the first one starts, so a bad value stops
    the runbook with nothing run. Setting *cancel* kills the running step and
    returns a "cancelled" outcome; cancelling the task itself propagates.
    """
    rendered = render_steps(rb, params)
    log: list[str] = []
    results: list[StepResult] = []
    status: Status = "ok"
    started = clock()

    def out(line: str) -> None:
        log.append(line)
        if on_output:
            on_output(line)

    for index, (step, argv) in enumerate(rendered):
        if cancel is not None and cancel.is_set():
            status = "cancelled"
            break
        if on_step:
            on_step(index, step, argv)
        log.append(f"== {index + 1}/{len(rendered)} {step.title} on {transport.description}")
        log.append(f"$ {shlex.join(argv)}")
        step_start = clock()
        try:
            result = await _run_step(transport, argv, step.timeout, out, cancel)
        except asyncio.CancelledError:
            if asyncio.current_task().cancelling():  # our caller cancelled us: let it through
                raise
            results.append(StepResult(step.title, tuple(argv), None, False, clock() - step_start, ""))
            log.append("-> cancelled")
            status = "cancelled"
            break
        except OSError as exc:  # e.g. the ssh client is not installed
            results.append(StepResult(step.title, tuple(argv), None, False, clock() - step_start, ""))
            log.append(f"-> could not start: {exc}")
            status = "failed"
            break
        results.append(StepResult(step.title, tuple(argv), result.returncode, result.timed_out,
                                  clock() - step_start, result.output))
        if result.timed_out:
            log.append(f"-> timed out after {step.timeout:g}s")
            status = "timed_out"
            break
        log.append(f"-> exit status {result.returncode}")
        if result.returncode != 0:
            status = "failed"
            break
    return RunbookOutcome(rb.id, transport.description, status, tuple(results),
                          "\n".join(log) + "\n", clock() - started)


async def _run_step(transport: Transport, argv: list[str], timeout: float,
                    on_output: OutputCallback, cancel: asyncio.Event | None) -> RunResult:
    """Run one step; if *cancel* is set first, kill it and raise CancelledError."""
    if cancel is None:
        return await transport.run(argv, timeout=timeout, on_output=on_output)
    run = asyncio.ensure_future(transport.run(argv, timeout=timeout, on_output=on_output))
    waiter = asyncio.ensure_future(cancel.wait())
    try:
        await asyncio.wait({run, waiter}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
        if not run.done():
            run.cancel()  # run_process kills the process when cancelled
            await asyncio.gather(run, return_exceptions=True)
    return run.result()


def check_value(p: Param, value: str, *, servers: Sequence[str]) -> str:
    """Validate one value against a parameter declaration (used by built-in actions too)."""
    return _check_value(p, value, servers=servers)
