"""The configured sources: `[[sources]]` tables of config.toml turned into `Source` objects.

Example::

    [[sources]]
    kind = "rt"                      # Request Tracker 5 (REST2), see connectors/rt.py
    name = "main"
    base_url = "https://rt.example.net"
    token_file = "~/.config/oncall-tui/rt.token"   # chmod 600; the shared token (sync, and writes of
    queues = ["Support"]                           # engineers without rt-main.token of their own)

    [[sources]]
    kind = "json"                    # any URL serving the interchange format
    name = "crm"
    url = "https://crm.example.net/oncall.json"
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .json_http import JsonSource
from .rt_source import rt_source
from .source import Source, SourceConfigError


def load_sources(cfg: Any, *, user: str = "", config_dir: Path | None = None) -> list[Source]:
    """Build the sources declared as `[[sources]]` in *cfg* (a `config.Config`).

    *user* is the engineer this process writes for; a helpdesk looks for their
    own token in *config_dir* (see rt_source). Every problem names the config
    file and the key, e.g.
    ``config.toml: sources[1].queues: expected a non-empty list of queue names``.
    """
    file = str(cfg.path) if getattr(cfg, "path", None) else "config"
    sources: list[Source] = []
    seen: dict[str, int] = {}
    for i, table in enumerate(cfg.sources or []):
        key = f"sources[{i}]"
        if not isinstance(table, dict):
            raise SourceConfigError(f"{file}: {key}: expected a table ([[sources]])")
        kind = table.get("kind")
        if kind == "rt":
            source: Source = rt_source(table, file, key, user=user, config_dir=config_dir)
        elif kind == "json":
            source = JsonSource.from_dict(table, file=file, key=key)
        else:
            raise SourceConfigError(f"{file}: {key}.kind: expected \"rt\" or \"json\", got {kind!r}")
        if source.name in seen:
            raise SourceConfigError(f"{file}: {key}.name: {source.name!r} is already the name of "
                                    f"sources[{seen[source.name]}]; give each source its own name")
        seen[source.name] = i
        sources.append(source)
    return sources
