"""The PostgreSQL schema, as forward migrations numbered like SQLite's (`store/sqlite/schema.py`).

Migration N here reaches the same tables, columns and guarantees as
SQLite's migration N, so one version number means one schema on both
engines, and a migration added there is mirrored here under the same number.
Never edit a released migration: add one. Each runs in one transaction,
applied by `oncall migrate --schema` with the role that owns the tables;
engineers' roles never run DDL (README: Team set-up).

What PostgreSQL spells differently:
- text columns compare with the "C" collation: the byte order SQLite sorts
  by, whatever the database's locale, so both engines list in one order;
- flags and counts are integer columns, as in SQLite (booleans come back 0/1);
- `json_extract`, `json_valid` and `json_each` are defined with SQLite's
  meaning for the queries both engines share;
- `events_fts` holds a tsvector per event (GIN index): the words as written
  (unaccented), plus their stems in the customer's language (French or
  English; none for any other): an exact word always matches, a stem too;
- a trigger refuses DELETE and TRUNCATE of events, and UPDATE of their content
  (append-only; since migration 5 an event may be filed under another customer
  by a merge or a split, as on SQLite);
- the open-case counts per heat band are kept by statement triggers over
  transition tables: a clock tick that rescores 5,000 cases touches each
  band's row once, not 5,000 times;
- every commit that adds events, change-log rows or presence sends NOTIFY on
  channel `oncall` (LISTEN/NOTIFY: other bastions hear it at once).
"""

from __future__ import annotations

#: The channel every writer notifies and every screen listens to.
CHANNEL = "oncall"

T = 'TEXT COLLATE "C"'  # every text column: SQLite's byte order

#: ASCII punctuation, where SQLite's tokenizer splits words (`oncall_tsvector`), as an SQL string's content.
_PUNCTUATION_CHARS = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_PUNCTUATION = _PUNCTUATION_CHARS.replace("'", "''")

MIGRATIONS: list[str] = [
    # 1: the nouns of DESIGN.md, with the append-only history and its full-text index
    f"""
    CREATE TABLE oncall_schema (version INTEGER NOT NULL);
    INSERT INTO oncall_schema(version) VALUES (0);

    CREATE FUNCTION json_extract(doc text, path text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT doc::jsonb #>> string_to_array(substr(path, 3), '.') $$;
    CREATE FUNCTION json_valid(doc text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
    BEGIN
        PERFORM doc::jsonb;
        RETURN true;
    EXCEPTION WHEN others THEN
        RETURN false;
    END $$;
    CREATE FUNCTION json_each(doc text) RETURNS TABLE (value text)
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT jsonb_array_elements_text(doc::jsonb) $$;

    CREATE TABLE customers (
        id {T} PRIMARY KEY,
        name {T} NOT NULL,
        language {T} NOT NULL DEFAULT 'en',
        timezone {T} NOT NULL DEFAULT 'UTC',
        tier {T} NOT NULL DEFAULT 'standard',
        owner {T} NOT NULL DEFAULT '',
        emails {T} NOT NULL DEFAULT '[]'
    );
    CREATE TABLE assets (
        customer_id {T} NOT NULL REFERENCES customers(id) DEFERRABLE,
        kind {T} NOT NULL,
        name {T} NOT NULL,
        ipv4 {T} NOT NULL DEFAULT '',
        ipv6 {T} NOT NULL DEFAULT '',
        datacenter {T} NOT NULL DEFAULT '',
        server {T} NOT NULL DEFAULT '',
        webroot {T} NOT NULL DEFAULT '',
        PRIMARY KEY (customer_id, kind, name)
    );
    CREATE INDEX assets_datacenter ON assets(datacenter);
    CREATE TABLE engineers (
        name {T} PRIMARY KEY,
        region {T} NOT NULL DEFAULT '',
        city {T} NOT NULL DEFAULT '',
        timezone {T} NOT NULL DEFAULT 'UTC'
    );
    CREATE TABLE incidents (
        id {T} PRIMARY KEY,
        title {T} NOT NULL,
        scope {T} NOT NULL DEFAULT '{{}}',
        status {T} NOT NULL DEFAULT 'investigating',
        opened_at {T} NOT NULL,
        opened_by {T} NOT NULL DEFAULT '',
        resolved_at {T},
        last_update_at {T}
    );
    CREATE TABLE cases (
        id {T} PRIMARY KEY,
        customer_id {T} NOT NULL REFERENCES customers(id) DEFERRABLE,
        subject {T} NOT NULL,
        status {T} NOT NULL,
        opened_at {T} NOT NULL,
        assignee {T} NOT NULL DEFAULT '',
        summary {T} NOT NULL DEFAULT '',
        external_ref {T} NOT NULL DEFAULT '',
        incident_id {T} REFERENCES incidents(id) DEFERRABLE,
        is_open INTEGER NOT NULL DEFAULT 1,
        heat INTEGER NOT NULL DEFAULT 0,
        stats {T} NOT NULL DEFAULT '{{}}',
        waiting_since {T},
        exchanges INTEGER NOT NULL DEFAULT 0,
        last_event_at {T},
        heat_at {T}
    );
    CREATE INDEX cases_queue ON cases(is_open, heat DESC, id);
    CREATE INDEX cases_customer ON cases(customer_id, opened_at);
    CREATE INDEX cases_incident ON cases(incident_id) WHERE incident_id IS NOT NULL;
    CREATE TABLE events (
        seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        id {T} NOT NULL UNIQUE,
        case_id {T} REFERENCES cases(id) DEFERRABLE,
        customer_id {T} REFERENCES customers(id) DEFERRABLE,
        incident_id {T} REFERENCES incidents(id) DEFERRABLE,
        at {T} NOT NULL,
        kind {T} NOT NULL,
        direction {T} NOT NULL,
        author {T} NOT NULL,
        author_region {T} NOT NULL DEFAULT '',
        channel {T} NOT NULL DEFAULT '',
        body {T} NOT NULL,
        meta {T} NOT NULL DEFAULT '{{}}',
        recorded_at {T} NOT NULL
    );
    CREATE INDEX events_customer ON events(customer_id, at, seq);
    CREATE INDEX events_case ON events(case_id, at, seq);
    CREATE INDEX events_incident ON events(incident_id, at) WHERE incident_id IS NOT NULL;
    CREATE INDEX events_author ON events(author, at);
    CREATE FUNCTION oncall_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'events are append-only: add a correcting event instead'
            USING ERRCODE = 'integrity_constraint_violation';
    END $$;
    CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION oncall_append_only();
    CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION oncall_append_only();

    -- Full text: unaccent, then French or English stemming by the customer's language, `simple` otherwise.
    CREATE EXTENSION IF NOT EXISTS unaccent;
    CREATE TEXT SEARCH CONFIGURATION oncall_fr (COPY = pg_catalog.french);
    ALTER TEXT SEARCH CONFIGURATION oncall_fr
        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
    CREATE TEXT SEARCH CONFIGURATION oncall_en (COPY = pg_catalog.english);
    ALTER TEXT SEARCH CONFIGURATION oncall_en
        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
    CREATE TEXT SEARCH CONFIGURATION oncall_simple (COPY = pg_catalog.simple);
    ALTER TEXT SEARCH CONFIGURATION oncall_simple
        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
    CREATE FUNCTION oncall_ts_config(language text) RETURNS regconfig
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE lower(split_part(coalesce(language, ''), '-', 1))
                    WHEN 'fr' THEN 'oncall_fr' WHEN 'en' THEN 'oncall_en' ELSE 'oncall_simple' END::regconfig
    $$;
    -- Every word as written (accents folded), weight A: what ranks; then the stems of the customer's
    -- language, weight D: they match ("certificats" for "certificat") but add nothing to the rank, so
    -- events rank alike whatever their language.
    -- Words are split at every ASCII punctuation mark first, as SQLite's tokenizer does: PostgreSQL's
    -- parser would keep "shop.example.com", "ann@example.com" or "/var/www" whole, and a search for
    -- "example" or "www" would not find them.
    CREATE FUNCTION oncall_tsvector(language text, body text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE WHEN oncall_ts_config(language) = 'oncall_simple'::regconfig
                    THEN setweight(to_tsvector('oncall_simple', words), 'A')
                    ELSE setweight(to_tsvector('oncall_simple', words), 'A')
                         || setweight(to_tsvector(oncall_ts_config(language), words), 'D') END
          FROM translate(body, '{_PUNCTUATION}', '{" " * len(_PUNCTUATION_CHARS)}') AS words
    $$;
    -- `at` is the event's, kept here so ranking many matches never reads the events themselves.
    CREATE TABLE events_fts (
        seq BIGINT PRIMARY KEY REFERENCES events(seq),
        customer_id {T},
        at {T} NOT NULL,
        tsv tsvector NOT NULL
    );
    CREATE INDEX events_fts_tsv ON events_fts USING gin (tsv);
    CREATE INDEX events_fts_customer ON events_fts(customer_id, seq);
    CREATE FUNCTION oncall_index_events() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO events_fts(seq, customer_id, at, tsv)
        SELECT n.seq, n.customer_id, n.at, oncall_tsvector(cu.language, n.body)
          FROM new_events n LEFT JOIN customers cu ON cu.id = n.customer_id;
        RETURN NULL;
    END $$;
    CREATE TRIGGER events_fts_insert AFTER INSERT ON events REFERENCING NEW TABLE AS new_events
        FOR EACH STATEMENT EXECUTE FUNCTION oncall_index_events();
    -- A customer's language changes how their words stem: their events are indexed again.
    CREATE FUNCTION oncall_reindex_customer() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE events_fts f SET tsv = oncall_tsvector(NEW.language, e.body)
          FROM events e WHERE f.customer_id = NEW.id AND e.seq = f.seq;
        RETURN NULL;
    END $$;
    CREATE TRIGGER customers_language AFTER UPDATE OF language ON customers
        FOR EACH ROW WHEN (OLD.language IS DISTINCT FROM NEW.language)
        EXECUTE FUNCTION oncall_reindex_customer();

    CREATE TABLE handoffs (
        rowid BIGINT GENERATED BY DEFAULT AS IDENTITY UNIQUE,  -- insertion order, as SQLite's rowid
        id {T} PRIMARY KEY,
        author {T} NOT NULL,
        region {T} NOT NULL DEFAULT '',
        at {T} NOT NULL,
        body {T} NOT NULL,
        case_ids {T} NOT NULL DEFAULT '[]'
    );
    CREATE TABLE handoff_acks (
        handoff_id {T} NOT NULL REFERENCES handoffs(id) DEFERRABLE,
        case_id {T} NOT NULL,
        engineer {T} NOT NULL,
        at {T} NOT NULL,
        PRIMARY KEY (handoff_id, case_id, engineer)
    );
    CREATE TABLE outbox (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        event_id {T} NOT NULL REFERENCES events(id) DEFERRABLE,
        case_id {T} NOT NULL,
        source {T} NOT NULL,
        action {T} NOT NULL,
        payload {T} NOT NULL DEFAULT '{{}}',
        state {T} NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error {T} NOT NULL DEFAULT '',
        next_attempt_at {T},
        remote_ref {T} NOT NULL DEFAULT '',
        created_at {T} NOT NULL,
        sent_at {T},
        UNIQUE (event_id, source)
    );
    CREATE INDEX outbox_pending ON outbox(state, next_attempt_at);
    CREATE TABLE sync_cursors (
        source {T} PRIMARY KEY,
        cursor {T} NOT NULL,
        updated_at {T} NOT NULL
    );
    CREATE TABLE presence (
        engineer {T} NOT NULL,
        pid BIGINT NOT NULL,
        host {T} NOT NULL DEFAULT '',
        region {T} NOT NULL DEFAULT '',
        city {T} NOT NULL DEFAULT '',
        case_id {T},
        state {T} NOT NULL DEFAULT 'viewing',
        seen_at {T} NOT NULL,
        PRIMARY KEY (engineer, pid, host)
    );
    CREATE TABLE heat_samples (
        at {T} PRIMARY KEY,
        hot INTEGER NOT NULL,
        warm INTEGER NOT NULL,
        open INTEGER NOT NULL
    );

    -- Other bastions hear every commit that adds to the history or changes who is where.
    CREATE FUNCTION oncall_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME);
        RETURN NULL;
    END $$;
    CREATE TRIGGER events_notify AFTER INSERT ON events
        FOR EACH STATEMENT EXECUTE FUNCTION oncall_notify();
    CREATE TRIGGER presence_notify AFTER INSERT OR UPDATE OR DELETE ON presence
        FOR EACH STATEMENT EXECUTE FUNCTION oncall_notify();
    """,
    # 2: what we know about a customer beyond assets (contacts, habits), revised like summaries
    f"""
    ALTER TABLE customers ADD COLUMN facts {T} NOT NULL DEFAULT '';
    """,
    # 3: open cases per heat band (hot from 60, warm from 35: core.model, COUNTED_BANDS), kept by triggers
    """
    CREATE TABLE queue_counts (
        band TEXT COLLATE "C" PRIMARY KEY,
        n BIGINT NOT NULL
    );
    INSERT INTO queue_counts(band, n) VALUES
        ('hot', (SELECT COUNT(*) FROM cases WHERE is_open = 1 AND heat >= 60)),
        ('warm', (SELECT COUNT(*) FROM cases WHERE is_open = 1 AND heat >= 35 AND heat < 60)),
        ('cool', (SELECT COUNT(*) FROM cases WHERE is_open = 1 AND heat < 35));
    CREATE FUNCTION oncall_band(heat integer) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE WHEN heat >= 60 THEN 'hot' WHEN heat >= 35 THEN 'warm' ELSE 'cool' END
    $$;
    CREATE FUNCTION oncall_count_cases() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            UPDATE queue_counts q SET n = q.n + d.n
              FROM (SELECT oncall_band(heat) AS band, COUNT(*) AS n FROM new_rows WHERE is_open = 1 GROUP BY 1) d
             WHERE q.band = d.band;
        ELSIF TG_OP = 'DELETE' THEN
            UPDATE queue_counts q SET n = q.n - d.n
              FROM (SELECT oncall_band(heat) AS band, COUNT(*) AS n FROM old_rows WHERE is_open = 1 GROUP BY 1) d
             WHERE q.band = d.band;
        ELSE
            UPDATE queue_counts q SET n = q.n + d.n
              FROM (SELECT band, SUM(n) AS n FROM (
                        SELECT oncall_band(heat) AS band, 1 AS n FROM new_rows WHERE is_open = 1
                        UNION ALL
                        SELECT oncall_band(heat), -1 FROM old_rows WHERE is_open = 1) moves
                     GROUP BY band) d
             WHERE q.band = d.band AND d.n <> 0;
        END IF;
        RETURN NULL;
    END $$;
    CREATE TRIGGER cases_count_insert AFTER INSERT ON cases REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION oncall_count_cases();
    CREATE TRIGGER cases_count_update AFTER UPDATE ON cases REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION oncall_count_cases();
    CREATE TRIGGER cases_count_delete AFTER DELETE ON cases REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION oncall_count_cases();
    """,
    # 4: a log of what changed besides new events (each screen refreshes only what a change touches);
    #    drafts of text being written, per case, engineer and kind, so nothing typed is ever lost
    f"""
    CREATE TABLE changes (
        seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        case_id {T},
        customer_id {T},
        incident_id {T},
        what {T} NOT NULL
    );
    CREATE FUNCTION oncall_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        r record;
    BEGIN
        IF TG_OP = 'DELETE' THEN
            r := OLD;
        ELSE
            r := NEW;
        END IF;
        IF TG_TABLE_NAME = 'cases' THEN
            INSERT INTO changes(case_id, customer_id, what) VALUES (r.id, r.customer_id, 'case');
        ELSIF TG_TABLE_NAME = 'customers' THEN
            INSERT INTO changes(customer_id, what) VALUES (r.id, 'customer');
        ELSIF TG_TABLE_NAME = 'assets' THEN
            INSERT INTO changes(customer_id, what) VALUES (r.customer_id, 'customer');
        ELSIF TG_TABLE_NAME = 'incidents' THEN
            INSERT INTO changes(incident_id, what) VALUES (r.id, 'incident');
        ELSE
            INSERT INTO changes(case_id, what) VALUES (r.case_id, 'outbox');
        END IF;
        RETURN NULL;
    END $$;
    -- Heat-only updates (the clock tick) are not logged per case: the tick logs one "heat" row.
    CREATE TRIGGER changes_case_insert AFTER INSERT ON cases
        FOR EACH ROW EXECUTE FUNCTION oncall_log_change();
    CREATE TRIGGER changes_case_update
        AFTER UPDATE OF status, subject, assignee, summary, incident_id, customer_id, external_ref, is_open ON cases
        FOR EACH ROW EXECUTE FUNCTION oncall_log_change();
    CREATE TRIGGER changes_customer_update AFTER UPDATE ON customers
        FOR EACH ROW EXECUTE FUNCTION oncall_log_change();
    CREATE TRIGGER changes_asset_insert AFTER INSERT OR DELETE ON assets
        FOR EACH ROW EXECUTE FUNCTION oncall_log_change();
    CREATE TRIGGER changes_incident AFTER INSERT OR UPDATE ON incidents
        FOR EACH ROW EXECUTE FUNCTION oncall_log_change();
    CREATE TRIGGER changes_outbox_insert AFTER INSERT ON outbox
        FOR EACH ROW EXECUTE FUNCTION oncall_log_change();
    CREATE TRIGGER changes_outbox_update AFTER UPDATE OF state, last_error ON outbox
        FOR EACH ROW EXECUTE FUNCTION oncall_log_change();
    CREATE TRIGGER changes_notify AFTER INSERT ON changes
        FOR EACH STATEMENT EXECUTE FUNCTION oncall_notify();

    CREATE TABLE drafts (
        case_id {T} NOT NULL,
        engineer {T} NOT NULL,
        kind {T} NOT NULL,
        text {T} NOT NULL,
        base {T} DEFAULT '',
        updated_at {T} NOT NULL,
        PRIMARY KEY (case_id, engineer, kind)
    );
    """,
    # 5: what a helpdesk tells about people, files sent with messages, identity repairs (customer merges
    # and splits), outbox authors; an event may be filed under another customer, its content never changes
    f"""
    CREATE TABLE people (
        source {T} NOT NULL,
        email {T} NOT NULL,
        name {T} NOT NULL DEFAULT '',
        language {T} NOT NULL DEFAULT '',
        timezone {T} NOT NULL DEFAULT '',
        organization {T} NOT NULL DEFAULT '',
        customer_id {T} NOT NULL,
        updated_at {T} NOT NULL,
        PRIMARY KEY (source, email)
    );
    CREATE INDEX people_customer ON people(customer_id);
    CREATE TABLE attachments (
        event_id {T} NOT NULL REFERENCES events(id) DEFERRABLE,
        position INTEGER NOT NULL,
        name {T} NOT NULL,
        name_folded {T} NOT NULL,
        content_type {T} NOT NULL DEFAULT '',
        size BIGINT NOT NULL DEFAULT 0,
        ref {T} NOT NULL DEFAULT '',
        PRIMARY KEY (event_id, position)
    );
    CREATE TABLE customer_overrides (
        kind {T} NOT NULL,
        key {T} NOT NULL,
        customer_id {T} NOT NULL,
        at {T} NOT NULL,
        author {T} NOT NULL DEFAULT '',
        PRIMARY KEY (kind, key)
    );
    ALTER TABLE outbox ADD COLUMN author {T} NOT NULL DEFAULT '';
    ALTER TABLE outbox ADD COLUMN exclusive_until {T};

    -- Append-only stays for an event's content; which customer it is filed under may change (a merge, a split).
    DROP TRIGGER events_no_update ON events;
    CREATE TRIGGER events_no_update BEFORE UPDATE OF seq, id, case_id, incident_id, at, kind, direction, author,
        author_region, channel, body, meta, recorded_at ON events
        FOR EACH ROW EXECUTE FUNCTION oncall_append_only();
    CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION oncall_append_only();
    -- The search index follows: the event's new customer, stemmed in that customer's language.
    CREATE FUNCTION oncall_refile_event() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE events_fts f SET customer_id = NEW.customer_id,
               tsv = oncall_tsvector((SELECT language FROM customers WHERE id = NEW.customer_id), NEW.body)
         WHERE f.seq = NEW.seq;
        RETURN NULL;
    END $$;
    CREATE TRIGGER events_refile AFTER UPDATE OF customer_id ON events
        FOR EACH ROW WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id)
        EXECUTE FUNCTION oncall_refile_event();
    """,
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

SCHEMA_VERSION = len(MIGRATIONS)

#: What an engineers' role may do (`oncall migrate --schema --grant ROLE`): read everything, write the working
#: tables, only add to the history, never change the schema or its version.
GRANTS = """
GRANT USAGE ON SCHEMA {schema} TO {role};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role};
REVOKE UPDATE, DELETE, TRUNCATE ON events FROM {role};
GRANT UPDATE (customer_id) ON events TO {role};
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON oncall_schema FROM {role};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role};
"""
