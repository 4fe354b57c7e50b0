"""`oncall migrate`: move a store between SQLite and PostgreSQL, or set up a shared database's schema."""

from __future__ import annotations

from .common import EXIT_OK, EXIT_REFUSED, Stop, config, say, say_progress


def register(sub, common) -> None:
    p = sub.add_parser(
        "migrate", help="copy a store to PostgreSQL (or back), or create/upgrade a PostgreSQL schema",
        description="Copy every record of a store into an empty one, keys and history included, in one "
                    "transaction: `oncall migrate --from oncall.db --to postgresql://admin@db/oncall`. "
                    "With --schema, only create or upgrade the schema of --to (or --db) with the role that "
                    "owns it; engineers' roles never change the schema. --grant ROLE gives the engineers' "
                    "role its rights (README: Team set-up).")
    p.add_argument("--from", dest="source", metavar="STORE", help="the store to copy (a path or a URL)")
    p.add_argument("--to", dest="target", metavar="STORE",
                   help="the empty store to copy into (a path or a postgresql:// URL; created if need be)")
    p.add_argument("--schema", action="store_true", help="create or upgrade the schema of --to (or --db) only")
    p.add_argument("--grant", metavar="ROLE", help="PostgreSQL role of the engineers: give it what oncall needs")
    p.set_defaults(run="migrate:cmd_migrate")


def cmd_migrate(args) -> int:
    from ..config import resolve_db_path
    from ..usecases.transfer import migrate_store, upgrade_schema

    cfg = config(args)
    if cfg.readonly:  # it writes a store (the copy, or a schema): refused before anything is opened
        raise Stop(EXIT_REFUSED, f"oncall migrate: read-only mode: migrating is disabled ({cfg.readonly_reason})")
    if args.schema:
        if args.source:
            raise Stop(EXIT_REFUSED, "oncall migrate: --schema works on one store (--to or --db), not --from")
        target = str(resolve_db_path(args.target or getattr(args, "db", None)))
        version, name = upgrade_schema(target, grant=args.grant)
        say(f"{name}: schema at version {version}" + (f"; role {args.grant} granted" if args.grant else ""))
        return EXIT_OK
    if not args.source or not args.target:
        raise Stop(EXIT_REFUSED, "oncall migrate: give --from STORE and --to STORE (or --schema --to URL)")

    def progress(table: str, n: int) -> None:
        say_progress(f"{table}: {n} rows")

    moved, source, target = migrate_store(str(resolve_db_path(args.source)), str(resolve_db_path(args.target)),
                                          grant=args.grant, progress=progress)
    say_progress(None)
    say(f"migrated {source} to {target}: {moved.line()}")
    return EXIT_OK
