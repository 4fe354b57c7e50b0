"""Moving the store between engines, and bringing a shared database's schema forward (administrators).

`oncall migrate --from PATH --to postgresql://…` copies a whole store (and
back again: a team can leave PostgreSQL as easily as it came). `oncall
migrate --schema --to postgresql://…` creates or upgrades the schema with the
role that owns it, and `--grant ROLE` gives the engineers' role what it needs
and nothing more: engineers never run DDL.
"""

from __future__ import annotations

from typing import Callable

from ..core.errors import StoreError
from ..store.engines import open_store
from ..store.transfer import Moved, transfer
from .models import shipped


def migrate_store(source: str, target: str, *, grant: str | None = None,
                  progress: Callable[[str, int], None] | None = None) -> tuple[Moved, str, str]:
    """Copy the store at *source* into the empty store at *target* (created if need be); then count again.

    Returns what moved and both stores' names as shown to people (never a password).
    """
    src = open_store(source, create=False, heat=shipped().heat)
    try:
        dst = open_store(target, heat=shipped().heat)
        try:
            if grant:
                dst.grant(grant)
            moved = transfer(src, dst, progress=progress)
            for table, n in moved.tables.items():
                found = dst.query_one(f"SELECT COUNT(*) FROM {table}")[0]
                if found != n:
                    raise StoreError(f"{dst.path}: {table} holds {found} rows after copying {n}: the copy is "
                                     "not trustworthy; empty the target and run it again")
            return moved, src.path, dst.path
        finally:
            dst.close()
    finally:
        src.close()


def upgrade_schema(target: str, *, grant: str | None = None) -> tuple[int, str]:
    """Create or bring forward the schema at *target* (with a role allowed to); grant *grant* the engineers'
    rights. Returns the schema version and the store's name."""
    store = open_store(target)
    try:
        if grant:
            store.grant(grant)
        return store.schema_version, store.path
    finally:
        store.close()
