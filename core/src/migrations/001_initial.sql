-- Device replica, schema 1. Never edit once released: add a new file instead.

-- Small settings: session, client id, cursor, sequence counter.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Every replicated record as JSON, keyed by kind and key. The visible state:
-- confirmed server state plus the effects of pending mutations.
CREATE TABLE records (
    kind TEXT NOT NULL,
    key  TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;
CREATE INDEX records_by_activity ON records (kind, json_extract(data, '$.activity_id'));
CREATE INDEX records_by_volunteer ON records (kind, json_extract(data, '$.volunteer_id'));
CREATE INDEX records_by_site ON records (kind, json_extract(data, '$.site_id'));
CREATE INDEX records_by_team ON records (kind, json_extract(data, '$.team_id'));

-- User intents not yet settled by the server. 'pending': not yet acknowledged;
-- 'applied': acknowledged, kept (and replayed) until the pull catches up with it.
CREATE TABLE outbox (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL,
    created_at TEXT NOT NULL,
    mutation   TEXT NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('pending', 'applied'))
);

-- Pre-images of the rows each outbox mutation changed, so its optimistic effect
-- can be taken back before server changes are applied (rebase).
CREATE TABLE undo (
    seq  INTEGER NOT NULL REFERENCES outbox (seq) ON DELETE CASCADE,
    ord  INTEGER NOT NULL,
    kind TEXT NOT NULL,
    key  TEXT NOT NULL,
    prev TEXT,
    PRIMARY KEY (seq, ord)
) WITHOUT ROWID;

-- Mutations the server refused, with their original input, until the user
-- resends or discards them.
CREATE TABLE rejections (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    mutation    TEXT NOT NULL,
    code        TEXT NOT NULL,
    message     TEXT NOT NULL,
    rejected_at TEXT NOT NULL
);
