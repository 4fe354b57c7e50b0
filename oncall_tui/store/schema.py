"""The store's schema as forward migrations.

Each entry moves the schema from version N-1 to N and is applied once, in
order, inside a transaction. Never edit a released migration: add one.
"""

from __future__ import annotations

MIGRATIONS: list[str] = [
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
]

SCHEMA_VERSION = len(MIGRATIONS)
