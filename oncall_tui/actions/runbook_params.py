"""Runbook parameters: their declaration, value checks (shell syntax refused) and substitution."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import idna

from ..core.errors import Refused

PARAM_TYPES = ("domain", "identifier", "server", "path", "int", "choice", "string")
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_PATH = re.compile(r"^/[A-Za-z0-9._/@+=,:-]*$")
_STRING = re.compile(r"^[\w .,:@+=/%-]*$")
_INT = re.compile(r"^-?[0-9]{1,18}$")
# Shell syntax no parameter value may carry, even though values are quoted: a
# runbook author may still pass one to `sh -c`, `mysql -e` or a config file.
_MULTI_META = ("$(", "${", "&&", "||", ">>", "<<")
_META = set(";&|$`<>'\"\\(){}[]*?~!#\n\r\t")


class RunbookError(Refused):
    """A runbook file or a parameter value is wrong; the message says where and why."""

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message, field=param)  # the offending parameter, so a form can focus it

    @property
    def param(self) -> str | None:
        return self.field


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
    # A path the runbook creates, owns or writes into ("write", the default) or only reads ("read").
    access: str = "write"


def check_params(declared_params: Sequence[Param], raw: Mapping[str, str], *, servers: Sequence[str],
                 owner: str) -> dict[str, str]:
    """Check and normalise the values typed for the parameters of runbook *owner*; fill defaults.

    `servers` are the customer's servers a `server` parameter may name.
    """
    declared = {p.name for p in declared_params}
    for name in raw:
        if name not in declared:
            raise RunbookError(f"parameter {name!r}: not declared by runbook {owner!r}", param=name)
    values: dict[str, str] = {}
    for p in declared_params:
        given = raw.get(p.name)
        if given is not None and str(given).strip() != "":
            values[p.name] = check_value(p, str(given).strip(), servers=servers)
    for p in declared_params:  # defaults may refer to parameters declared before them
        if p.name in values:
            continue
        if p.default is not None:
            values[p.name] = check_value(p, substitute(p.default, values), servers=servers)
        elif p.required:
            hint = f" ({p.help})" if p.help else ""
            raise RunbookError(f"parameter {p.name!r}: required{hint}", param=p.name)
        else:
            values[p.name] = ""
    return values


def check_value(p: Param, value: str, *, servers: Sequence[str], where: str = "") -> str:
    """Validate one value against a parameter declaration; RunbookError says why it is refused."""
    def refuse(reason: str) -> RunbookError:
        shown = value if len(value) <= 80 else value[:77] + "..."
        prefix = f"{where}: " if where else ""
        return RunbookError(f"{prefix}parameter {p.name!r}: {shown!r} {reason}", param=p.name)

    meta = first_metachar(value)
    if meta is not None:
        raise refuse(f"contains {meta!r} — refused")
    if value.startswith("-") and p.type != "int":
        raise refuse("starts with '-' and would be read as an option — refused")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise refuse("contains a control character — refused")
    if p.type == "domain":
        return _check_domain(value, refuse)
    if p.type == "identifier":
        if not IDENTIFIER.match(value):
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
        value = "/" + "/".join(part for part in value.split("/") if part and part != ".")
        if p.access == "write":
            system = system_folder(value)
            if system:
                raise refuse(f"is {system}: a runbook may not create, own or write it — refused")
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


#: Folders a runbook must never create, re-own or write into, themselves...
SYSTEM_FOLDERS = frozenset({"/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/libx32",
                            "/media", "/mnt", "/opt", "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/tmp",
                            "/usr", "/var", "/var/www", "/var/lib", "/var/log", "/var/tmp", "/var/cache",
                            "/var/spool", "/var/mail", "/var/backups", "/var/opt", "/var/run", "/var/lock"})
#: ...nor anything inside these (the system's own files).
SYSTEM_TREES = ("/bin/", "/boot/", "/dev/", "/etc/", "/lib/", "/lib32/", "/lib64/", "/libx32/", "/proc/",
                "/root/", "/run/", "/sbin/", "/sys/", "/usr/", "/var/lib/", "/var/log/", "/var/spool/",
                "/var/cache/", "/var/backups/", "/var/mail/")


def system_folder(path: str) -> str:
    """How *path* (absolute, normalised) is a system folder ("the system folder /etc", "inside /usr"), or ""."""
    if path in SYSTEM_FOLDERS:
        return f"the system folder {path}"
    if path.count("/") == 2 and path.startswith("/home/"):
        return f"the home folder {path}"
    inside = next((tree for tree in SYSTEM_TREES if path.startswith(tree)), None)
    return f"inside {inside.rstrip('/')}" if inside else ""


def first_metachar(value: str) -> str | None:
    """The first piece of shell syntax in *value* ("$(", ";"...), or None."""
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


def substitute(template: str, values: Mapping[str, str]) -> str:
    """*template* with each {name} replaced by its value (unknown names left as they are)."""
    return PLACEHOLDER.sub(lambda m: values[m.group(1)] if m.group(1) in values else m.group(0), template)
