"""A session: one engineer at one store, with their settings, their clock and the heat model.

Both faces open one (`Session.open`) and pass it to every use case. Time is
the session's `now()`: tests give a fixed clock, `--now` gives an instant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from ..config import Config, ConfigError, config_dir, data_dir, resolve_db_path
from ..core.errors import ReadOnlyMode
from ..store import queries
from ..store.db import Store
from ..store.engines import open_store
from ..store.files import private_folder
from .models import Models, models_for


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Engineer:
    """Who is at the keyboard, where, and in which time zone."""

    name: str
    region: str = ""
    city: str = ""
    timezone: str = "UTC"


class Session:
    """One engineer's handle on the shared store (not thread-safe: one per thread)."""

    def __init__(self, store: Store, config: Config, *, user: str, clock: Callable[[], datetime] = utc_now,
                 models: Models | None = None) -> None:
        self.store = store
        self.config = config
        self.models = models or models_for_config(config)
        if store.heat is None:
            store.heat = self.models.heat
        self.clock = clock
        self.engineer = _engineer(store, config, user)
        self._sources: list | None = None
        self.actions: dict | None = None  # the action catalogue, loaded on first use (usecases.actions)

    @classmethod
    def open(cls, db: str | Path | None, config: Config, *, user: str, clock: Callable[[], datetime] = utc_now,
             create: bool = True, readonly: bool = False, migrate: bool = True) -> "Session":
        """Open the store *db* (None: `ONCALL_DB`, then the user data dir) for *user*.

        *create*: a missing store is created (the full screen, imports, syncs);
        read-only commands pass False so a typo in --db is an error, not an empty store.
        """
        models = models_for_config(config)
        path = resolve_db_path(str(db) if db is not None else None)
        if isinstance(path, Path) and path.parent == data_dir():
            private_folder(path.parent)  # the app's own folder: private whatever the umask
        store = open_store(path, heat=models.heat, create=create, readonly=readonly, migrate=migrate,
                           lock_wait=config.lock_wait)
        return cls(store, config, user=user, clock=clock, models=models)

    def reopen(self) -> "Session":
        """Another session like this one on its own connection (for another thread or process)."""
        store = open_store(self.store.target, heat=self.models.heat, create=False, readonly=self.store.readonly,
                           migrate=False, lock_wait=self.config.lock_wait)
        return Session(store, self.config, user=self.user, clock=self.clock, models=self.models)

    def close(self) -> None:
        self.store.close()

    # -- who and when ----------------------------------------------------------
    def now(self) -> datetime:
        return self.clock()

    @property
    def user(self) -> str:
        return self.engineer.name

    @property
    def region(self) -> str:
        return self.engineer.region

    @property
    def timezone(self) -> str:
        return self.engineer.timezone

    def sources(self) -> list:
        """The configured helpdesks and feeds (read once); SourceConfigError names the file and the key."""
        if self._sources is None:
            from ..connectors.catalog import (
                load_sources,  # httpx and the connectors: only with sources
            )

            self._sources = load_sources(self.config, user=self.user, config_dir=config_dir()) \
                if self.config.sources else []
        return self._sources

    # -- may this session write? --------------------------------------------------
    @property
    def readonly(self) -> bool:
        return self.config.readonly or self.store.readonly

    @property
    def readonly_reason(self) -> str:
        if self.config.readonly:
            return self.config.readonly_reason
        return self.store.readonly_reason

    def check_actions(self) -> None:
        """Refuse running actions in read-only mode or when they are off (the demo), saying why."""
        self.check_writable("running actions")
        if self.config.actions_off:
            raise ReadOnlyMode(f"actions are disabled: {self.config.actions_off}")

    def check_writable(self, what: str) -> None:
        """Refuse *what* ("saving the note") in read-only mode, saying why; nothing is written."""
        if self.readonly:
            raise ReadOnlyMode(f"read-only mode: {what} is disabled ({self.readonly_reason})")


def models_for_config(config: Config) -> Models:
    """The models with the config's [heat] weights; a bad key is a ConfigError naming the file."""
    try:
        return models_for(config.heat, str(config.path or "config"))
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def _engineer(store: Store, config: Config, user: str) -> Engineer:
    """The engineer as the config says, completed from the store's engineers table."""
    known = queries.engineer(store, user)
    zone = config.timezone if config.timezone and config.timezone != "UTC" else (known["timezone"] if known else "UTC")
    return Engineer(user, config.region or (known["region"] if known else ""),
                    config.city or (known["city"] if known else ""), zone or "UTC")


def app_folders() -> None:
    """The app's own data and config folders, private to the user (made or tightened)."""
    for folder in (data_dir(), config_dir()):
        if folder.exists():
            private_folder(folder)
