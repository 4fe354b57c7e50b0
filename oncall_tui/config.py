"""Configuration: where things live, who the engineer is, and the user's settings.

Config is TOML, validated up front: an unknown key or a bad value is an error
naming the file, the key and what was expected (STYLE.md habit 7).
"""

from __future__ import annotations

import getpass
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .core.secrets import Secret

APP_NAME = "oncall-tui"


class ConfigError(ValueError):
    """A configuration file is wrong; the message names the file and the key."""


def data_dir() -> Path:
    from platformdirs import user_data_path

    return Path(os.environ.get("ONCALL_DATA_DIR") or user_data_path(APP_NAME))


def config_dir() -> Path:
    from platformdirs import user_config_path

    return Path(os.environ.get("ONCALL_CONFIG_DIR") or user_config_path(APP_NAME))


def default_db_path() -> Path:
    return data_dir() / "oncall.db"


def resolve_db_path(cli_value: str | None) -> Path:
    """`--db` wins, then `ONCALL_DB`, then the user data dir."""
    if cli_value:
        return Path(cli_value).expanduser()
    if os.environ.get("ONCALL_DB"):
        return Path(os.environ["ONCALL_DB"]).expanduser()
    return default_db_path()


# section -> key -> (type, description); None as type means "any table, validated elsewhere"
_SCHEMA: dict[str, dict[str, tuple[type | tuple[type, ...], str]]] = {
    "user": {"name": (str, "a user name"), "region": (str, "APAC, EMEA or AMER"),
             "city": (str, "a city name"), "timezone": (str, "an IANA time zone")},
    "ui": {"readonly": (bool, "true or false"), "tick_seconds": (int, "seconds between heat ticks"),
           "refresh_seconds": ((int, float), "seconds between checks for other engineers' changes")},
    "handoff": {"webhook": (str, "an http(s) URL"), "timeout": ((int, float), "seconds")},
    "acme": {"directory": (str, "an ACME directory URL"), "ca_bundle": (str, "a path to a PEM CA bundle"),
             "contact": (str, "an email address"), "account_key": (str, "a path"),
             "cert_dir": (str, "a path template with {domain}"),
             "reload": (list, "a command as a list of arguments"),
             "check_tls": (bool, "true or false"), "tls_port": (int, "a port number")},
    "dns": {"nameserver": (str, "an IP address"), "port": (int, "a port number"),
            "timeout": ((int, float), "seconds")},
    "incidents": {"update_interval_minutes": (int, "minutes between customer updates")},
    "store": {"lock_wait": ((int, float), "seconds a write waits for other engineers' writes before giving up")},
    "actions": {"runbook_dirs": (list, "a list of directories"),
                "transport": (str, '"ssh" or "local"'), "ssh_config": (str, "a path to an ssh_config file"),
                "local_root": (str, "a directory standing in for the servers' filesystems")},
}
_TABLES = {"heat"}  # validated by their own modules
_ARRAYS = {"sources"}


@dataclass
class Config:
    """Validated settings with defaults; `raw` keeps tables other modules validate."""

    path: Path | None = None
    user: str = ""
    region: str = ""
    city: str = ""
    timezone: str = "UTC"
    readonly: bool = False
    readonly_reason: str = "started with --readonly or [ui] readonly = true"
    actions_off: str = ""  # why one-key actions are off while writing is on (the demo's fictional servers)
    tick_seconds: int = 60
    refresh_seconds: float = 1.0
    lock_wait: float = 30.0  # seconds a write waits for the store's lock before it is refused (text kept)
    # The webhook URL holds its secret in its path: a Secret never shows it.
    handoff_webhook: Secret = field(default_factory=lambda: Secret(""))
    handoff_timeout: float = 10.0
    acme_directory: str = "https://acme-staging-v02.api.letsencrypt.org/directory"
    acme_ca_bundle: str = ""
    acme_contact: str = ""
    acme_account_key: str = ""
    dns_nameserver: str = ""
    dns_port: int = 53
    dns_timeout: float = 3.0
    incident_update_minutes: int = 30
    runbook_dirs: list[str] = field(default_factory=list)
    acme_cert_dir: str = "/etc/ssl/oncall/{domain}"
    acme_reload: list[str] = field(default_factory=lambda: ["sudo", "-n", "systemctl", "reload", "nginx"])
    acme_check_tls: bool = True
    acme_tls_port: int = 443
    transport: str = "ssh"
    ssh_config: str = ""
    local_root: str = ""
    heat: dict[str, Any] = field(default_factory=dict)  # weights over the shipped heat.toml (checked by the session)
    sources: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if isinstance(self.handoff_webhook, str):  # given as text (tests, scripts): kept secret from here on
            self.handoff_webhook = Secret(self.handoff_webhook)


def load_config(path: Path | None = None) -> Config:
    """Load *path* (default: config.toml in the config dir, if present) over the defaults."""
    explicit = path is not None
    path = path or Path(os.environ.get("ONCALL_CONFIG") or config_dir() / "config.toml")
    cfg = Config()
    raw: dict[str, Any] = {}
    if path.exists():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
        cfg.path = path
    elif explicit:
        raise ConfigError(f"{path}: no such config file")
    for section, table in raw.items():
        if section in _TABLES:
            if not isinstance(table, dict):
                raise ConfigError(f"{path}: [{section}] must be a table")
            continue
        if section in _ARRAYS:
            if not isinstance(table, list):
                raise ConfigError(f"{path}: {section} must be an array of tables ([[{section}]])")
            continue
        if section not in _SCHEMA:
            raise ConfigError(f"{path}: unknown section [{section}] (expected one of "
                              f"{', '.join(sorted([*_SCHEMA, *_TABLES, *_ARRAYS]))})")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [{section}] must be a table")
        for key, value in table.items():
            if key not in _SCHEMA[section]:
                raise ConfigError(f"{path}: {section}.{key}: unknown key (expected one of "
                                  f"{', '.join(sorted(_SCHEMA[section]))})")
            expected, description = _SCHEMA[section][key]
            if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                raise ConfigError(f"{path}: {section}.{key}: expected {description}, got {value!r}")
    user = raw.get("user", {})
    ui = raw.get("ui", {})
    handoff = raw.get("handoff", {})
    acme = raw.get("acme", {})
    dns = raw.get("dns", {})
    cfg.user = user.get("name", "")
    cfg.region = user.get("region", "")
    cfg.city = user.get("city", "")
    cfg.timezone = user.get("timezone", "UTC")
    cfg.readonly = ui.get("readonly", False)
    cfg.tick_seconds = ui.get("tick_seconds", 60)
    cfg.refresh_seconds = float(ui.get("refresh_seconds", 1.0))
    cfg.handoff_webhook = Secret(handoff.get("webhook", ""))
    cfg.handoff_timeout = float(handoff.get("timeout", 10.0))
    cfg.acme_directory = acme.get("directory", cfg.acme_directory)
    cfg.acme_ca_bundle = acme.get("ca_bundle", "")
    cfg.acme_contact = acme.get("contact", "")
    cfg.acme_account_key = acme.get("account_key", "")
    cfg.dns_nameserver = dns.get("nameserver", "")
    cfg.dns_port = dns.get("port", 53)
    cfg.dns_timeout = float(dns.get("timeout", 3.0))
    cfg.incident_update_minutes = raw.get("incidents", {}).get("update_interval_minutes", 30)
    cfg.lock_wait = float(raw.get("store", {}).get("lock_wait", cfg.lock_wait))
    if cfg.lock_wait <= 0:
        raise ConfigError(f"{path}: store.lock_wait: expected a positive number of seconds, got {cfg.lock_wait!r}")
    actions = raw.get("actions", {})
    cfg.runbook_dirs = list(actions.get("runbook_dirs", []))
    cfg.transport = actions.get("transport", "ssh")
    if cfg.transport not in ("ssh", "local"):
        raise ConfigError(f"{path}: actions.transport: expected \"ssh\" or \"local\", got {cfg.transport!r}")
    cfg.ssh_config = actions.get("ssh_config", "")
    cfg.local_root = actions.get("local_root", "")
    cfg.acme_cert_dir = acme.get("cert_dir", cfg.acme_cert_dir)
    cfg.acme_reload = list(acme.get("reload", cfg.acme_reload))
    cfg.acme_check_tls = acme.get("check_tls", True)
    cfg.acme_tls_port = acme.get("tls_port", 443)
    cfg.heat = raw.get("heat", {})
    cfg.sources = raw.get("sources", [])
    return cfg


def current_user(cfg: Config | None = None) -> str:
    """The engineer's name: ONCALL_USER, then the config, then the Unix user."""
    return os.environ.get("ONCALL_USER") or (cfg.user if cfg else "") or getpass.getuser()
