"""The store's schema as forward migrations.

Each entry moves the schema from version N-1 to N and is applied once, in
order, inside a transaction. Never edit a released migration: add one.
Migrations 1-3 were written as SQL; later ones use sqlite-utils for tables,
columns and indexes (`create`, `add_column`, `transform`, `create_index`) and
SQL only for what it has no call for (triggers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:  # sqlite-utils loads only when a store is migrated, not at every start
    from sqlite_utils import Database


def _changes_and_drafts(db: Database) -> None:
    """4: a log of what changed besides new events, so each screen refreshes only what a change touches;
    drafts of text being written, per case, engineer and kind, so nothing typed is ever lost."""
    db["changes"].create({"seq": int, "case_id": str, "customer_id": str, "incident_id": str, "what": str},
                         pk="seq", not_null={"what"})
    # Heat-only updates (the clock tick) are not logged per case: the tick logs one "heat" row.
    watched = "status, subject, assignee, summary, incident_id, customer_id, external_ref, is_open"
    for statement in (
        "CREATE TRIGGER changes_case_insert AFTER INSERT ON cases BEGIN "
        "INSERT INTO changes(case_id, customer_id, what) VALUES (NEW.id, NEW.customer_id, 'case'); END",
        f"CREATE TRIGGER changes_case_update AFTER UPDATE OF {watched} ON cases BEGIN "
        "INSERT INTO changes(case_id, customer_id, what) VALUES (NEW.id, NEW.customer_id, 'case'); END",
        "CREATE TRIGGER changes_customer_update AFTER UPDATE ON customers BEGIN "
        "INSERT INTO changes(customer_id, what) VALUES (NEW.id, 'customer'); END",
        "CREATE TRIGGER changes_asset_insert AFTER INSERT ON assets BEGIN "
        "INSERT INTO changes(customer_id, what) VALUES (NEW.customer_id, 'customer'); END",
        "CREATE TRIGGER changes_asset_delete AFTER DELETE ON assets BEGIN "
        "INSERT INTO changes(customer_id, what) VALUES (OLD.customer_id, 'customer'); END",
        "CREATE TRIGGER changes_incident_insert AFTER INSERT ON incidents BEGIN "
        "INSERT INTO changes(incident_id, what) VALUES (NEW.id, 'incident'); END",
        "CREATE TRIGGER changes_incident_update AFTER UPDATE ON incidents BEGIN "
        "INSERT INTO changes(incident_id, what) VALUES (NEW.id, 'incident'); END",
        "CREATE TRIGGER changes_outbox_insert AFTER INSERT ON outbox BEGIN "
        "INSERT INTO changes(case_id, what) VALUES (NEW.case_id, 'outbox'); END",
        "CREATE TRIGGER changes_outbox_update AFTER UPDATE OF state, last_error ON outbox BEGIN "
        "INSERT INTO changes(case_id, what) VALUES (NEW.case_id, 'outbox'); END",
    ):
        db.execute(statement)
    db["drafts"].create({"case_id": str, "engineer": str, "kind": str, "text": str, "base": str,
                         "updated_at": str}, pk=("case_id", "engineer", "kind"),
                        not_null={"text", "updated_at"}, defaults={"base": ""})


def _helpdesk_identity(db: Database) -> None:
    """5: what a helpdesk tells about people, files sent with messages, identity repairs, outbox authors.

    - `people`: each requestor a source knows (name, language, time zone,
      organisation), refreshed on every sync; `customer_id` is the customer
      their cases are filed under.
    - `attachments`: name, type and size of the files of an event, and where to
      fetch one (`ref`); `name_folded` (lower case, no accents) is what search matches.
    - `customer_overrides`: identity repairs that later syncs keep: a merged
      customer id (kind 'customer') or a requestor address moved by a split
      (kind 'email'), and the customer they now belong to.
    - `outbox.author` (who wrote the row) and `outbox.exclusive_until` (until
      then only the author's own oncall sends it, with their own helpdesk token).
    - The append-only guard lets an event be filed under another customer
      (`customer_id`, by a merge or a split); its content still never changes.
    """
    db["people"].create({"source": str, "email": str, "name": str, "language": str, "timezone": str,
                         "organization": str, "customer_id": str, "updated_at": str},
                        pk=("source", "email"),
                        not_null={"source", "email", "name", "language", "timezone", "organization", "customer_id",
                                  "updated_at"},
                        defaults={"name": "", "language": "", "timezone": "", "organization": ""})
    db["people"].create_index(["customer_id"], index_name="people_customer")
    db["attachments"].create({"event_id": str, "position": int, "name": str, "name_folded": str,
                              "content_type": str, "size": int, "ref": str},
                             pk=("event_id", "position"), foreign_keys=[("event_id", "events", "id")],
                             not_null={"event_id", "position", "name", "name_folded", "content_type", "size", "ref"},
                             defaults={"content_type": "", "size": 0, "ref": ""})
    db["customer_overrides"].create({"kind": str, "key": str, "customer_id": str, "at": str, "author": str},
                                    pk=("kind", "key"), not_null={"kind", "key", "customer_id", "at", "author"},
                                    defaults={"author": ""})
    db["outbox"].add_column("author", str, not_null_default="")
    db["outbox"].add_column("exclusive_until", str)
    for statement in (
        "DROP TRIGGER events_no_update",
        "CREATE TRIGGER events_no_update BEFORE UPDATE OF seq, id, case_id, incident_id, at, kind, direction, "
        "author, author_region, channel, body, meta, recorded_at ON events "
        "BEGIN SELECT RAISE(ABORT, 'events are append-only: add a correcting event instead'); END",
    ):
        db.execute(statement)


MIGRATIONS: list[str | Callable[[Database], None]] = [
    # 1: the nouns of DESIGN.md
    """
    CREATE TABLE customers (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        language TEXT NOT NULL DEFAULT 'en',
        timezone TEXT NOT NULL DEFAULT 'UTC',
        tier TEXT NOT NULL DEFAULT 'standard',
        owner TEXT NOT NULL DEFAULT '',
        emails TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE assets (
        customer_id TEXT NOT NULL REFERENCES customers(id),
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        ipv4 TEXT NOT NULL DEFAULT '',
        ipv6 TEXT NOT NULL DEFAULT '',
        datacenter TEXT NOT NULL DEFAULT '',
        server TEXT NOT NULL DEFAULT '',
        webroot TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (customer_id, kind, name)
    );
    CREATE INDEX assets_datacenter ON assets(datacenter);
    CREATE TABLE engineers (
        name TEXT PRIMARY KEY,
        region TEXT NOT NULL DEFAULT '',
        city TEXT NOT NULL DEFAULT '',
        timezone TEXT NOT NULL DEFAULT 'UTC'
    );
    CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        scope TEXT NOT NULL DEFAULT '{}',
        status TEXT NOT NULL DEFAULT 'investigating',
        opened_at TEXT NOT NULL,
        opened_by TEXT NOT NULL DEFAULT '',
        resolved_at TEXT,
        last_update_at TEXT
    );
    CREATE TABLE cases (
        id TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL REFERENCES customers(id),
        subject TEXT NOT NULL,
        status TEXT NOT NULL,
        opened_at TEXT NOT NULL,
        assignee TEXT NOT NULL DEFAULT '',
        summary TEXT NOT NULL DEFAULT '',
        external_ref TEXT NOT NULL DEFAULT '',
        incident_id TEXT REFERENCES incidents(id),
        -- Derived from the events and kept current by the store, so the queue
        -- reads one index instead of recomputing per frame.
        is_open INTEGER NOT NULL DEFAULT 1,
        heat INTEGER NOT NULL DEFAULT 0,
        stats TEXT NOT NULL DEFAULT '{}',
        waiting_since TEXT,
        exchanges INTEGER NOT NULL DEFAULT 0,
        last_event_at TEXT,
        heat_at TEXT
    );
    CREATE INDEX cases_queue ON cases(is_open, heat DESC, id);
    CREATE INDEX cases_customer ON cases(customer_id, opened_at);
    CREATE INDEX cases_incident ON cases(incident_id) WHERE incident_id IS NOT NULL;
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        case_id TEXT REFERENCES cases(id),
        customer_id TEXT REFERENCES customers(id),
        incident_id TEXT REFERENCES incidents(id),
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        direction TEXT NOT NULL,
        author TEXT NOT NULL,
        author_region TEXT NOT NULL DEFAULT '',
        channel TEXT NOT NULL DEFAULT '',
        body TEXT NOT NULL,
        meta TEXT NOT NULL DEFAULT '{}',
        recorded_at TEXT NOT NULL
    );
    CREATE INDEX events_customer ON events(customer_id, at, seq);
    CREATE INDEX events_case ON events(case_id, at, seq);
    CREATE INDEX events_incident ON events(incident_id, at) WHERE incident_id IS NOT NULL;
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only: add a correcting event instead'); END;
    CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only: add a correcting event instead'); END;
    CREATE VIRTUAL TABLE events_fts USING fts5(
        body, content='events', content_rowid='seq', tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER events_fts_insert AFTER INSERT ON events
        BEGIN INSERT INTO events_fts(rowid, body) VALUES (new.seq, new.body); END;
    CREATE TABLE handoffs (
        id TEXT PRIMARY KEY,
        author TEXT NOT NULL,
        region TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL,
        body TEXT NOT NULL,
        case_ids TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE handoff_acks (
        handoff_id TEXT NOT NULL REFERENCES handoffs(id),
        case_id TEXT NOT NULL,
        engineer TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (handoff_id, case_id, engineer)
    );
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL REFERENCES events(id),
        case_id TEXT NOT NULL,
        source TEXT NOT NULL,
        action TEXT NOT NULL,
        payload TEXT NOT NULL DEFAULT '{}',
        state TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT '',
        next_attempt_at TEXT,
        remote_ref TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        sent_at TEXT,
        UNIQUE (event_id, source)
    );
    CREATE INDEX outbox_pending ON outbox(state, next_attempt_at);
    CREATE TABLE sync_cursors (
        source TEXT PRIMARY KEY,
        cursor TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE presence (
        engineer TEXT NOT NULL,
        pid INTEGER NOT NULL,
        host TEXT NOT NULL DEFAULT '',
        region TEXT NOT NULL DEFAULT '',
        city TEXT NOT NULL DEFAULT '',
        case_id TEXT,
        state TEXT NOT NULL DEFAULT 'viewing',
        seen_at TEXT NOT NULL,
        PRIMARY KEY (engineer, pid, host)
    );
    CREATE TABLE heat_samples (
        at TEXT PRIMARY KEY,
        hot INTEGER NOT NULL,
        warm INTEGER NOT NULL,
        open INTEGER NOT NULL
    );
    """,
    # 2: what we know about a customer beyond assets (contacts, habits), revised like summaries
    """
    ALTER TABLE customers ADD COLUMN facts TEXT NOT NULL DEFAULT '';
    """,
    # 3: open cases per heat band, kept by triggers: the queue's header and row
    #    count are read at every start, and counting 100k cases delayed the first
    #    frame. Bands are core.model's HOT_HEAT = 60 and WARM_HEAT = 35
    #    (tests/test_store.py keeps them equal; changing them needs a migration).
    """
    CREATE TABLE queue_counts (
        band TEXT PRIMARY KEY,
        n INTEGER NOT NULL
    );
    INSERT INTO queue_counts(band, n) VALUES
        ('hot', (SELECT COUNT(*) FROM cases WHERE is_open = 1 AND heat >= 60)),
        ('warm', (SELECT COUNT(*) FROM cases WHERE is_open = 1 AND heat >= 35 AND heat < 60)),
        ('cool', (SELECT COUNT(*) FROM cases WHERE is_open = 1 AND heat < 35));
    CREATE TRIGGER cases_count_insert AFTER INSERT ON cases WHEN NEW.is_open = 1
    BEGIN
        UPDATE queue_counts SET n = n + 1
         WHERE band = CASE WHEN NEW.heat >= 60 THEN 'hot' WHEN NEW.heat >= 35 THEN 'warm' ELSE 'cool' END;
    END;
    CREATE TRIGGER cases_count_delete AFTER DELETE ON cases WHEN OLD.is_open = 1
    BEGIN
        UPDATE queue_counts SET n = n - 1
         WHERE band = CASE WHEN OLD.heat >= 60 THEN 'hot' WHEN OLD.heat >= 35 THEN 'warm' ELSE 'cool' END;
    END;
    CREATE TRIGGER cases_count_update AFTER UPDATE OF is_open, heat ON cases
        WHEN OLD.is_open != NEW.is_open OR (NEW.is_open = 1 AND
             (CASE WHEN OLD.heat >= 60 THEN 2 WHEN OLD.heat >= 35 THEN 1 ELSE 0 END) !=
             (CASE WHEN NEW.heat >= 60 THEN 2 WHEN NEW.heat >= 35 THEN 1 ELSE 0 END))
    BEGIN
        UPDATE queue_counts SET n = n - 1 WHERE OLD.is_open = 1
           AND band = CASE WHEN OLD.heat >= 60 THEN 'hot' WHEN OLD.heat >= 35 THEN 'warm' ELSE 'cool' END;
        UPDATE queue_counts SET n = n + 1 WHERE NEW.is_open = 1
           AND band = CASE WHEN NEW.heat >= 60 THEN 'hot' WHEN NEW.heat >= 35 THEN 'warm' ELSE 'cool' END;
    END;
    """,
    _changes_and_drafts,
    _helpdesk_identity,
    # 6: the heat's exact sum (tenths of a point, uncapped) beside the whole points shown, so the queue orders
    #    cases shown at the same heat by it rather than by their ids; until the next clock tick a case's
    #    rank is its heat's
    """
    ALTER TABLE cases ADD COLUMN heat_rank INTEGER NOT NULL DEFAULT 0;
    UPDATE cases SET heat_rank = heat * 10;
    DROP INDEX cases_queue;
    CREATE INDEX cases_queue ON cases(is_open, heat DESC, heat_rank DESC, id);
    """,
]

#: The heat bands migration 3 wrote into its triggers (hot from, warm from).
COUNTED_BANDS = (60, 35)

SCHEMA_VERSION = len(MIGRATIONS)
