-- Sync server, SQLite backend, schema 1. Never edit once released.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    role          TEXT NOT NULL CHECK (role IN ('volunteer', 'staff', 'admin', 'resident')),
    site_id       TEXT,
    display_name  TEXT NOT NULL,
    phone         TEXT,
    created_at    TEXT NOT NULL
);

-- Only the SHA-256 of each token is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- One row per device replica: the last mutation seq applied for it.
CREATE TABLE clients (
    client_id    TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    last_seq     INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX clients_user ON clients (user_id);

-- Every mutation received, with the device's clock, the server's receive time
-- and the outcome. A retried push is answered from here.
CREATE TABLE mutations (
    client_id   TEXT NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    id          TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    name        TEXT NOT NULL,
    body        TEXT NOT NULL,
    device_time TEXT NOT NULL,
    received_at TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('applied', 'rejected')),
    code        TEXT,
    message     TEXT,
    PRIMARY KEY (client_id, seq)
) WITHOUT ROWID;

-- Current state and change feed in one: seq is the sequence number of the
-- row's latest change; data NULL is a tombstone. Scope columns decide who
-- may pull the row.
CREATE TABLE entities (
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    data       TEXT,
    public     INTEGER NOT NULL,
    owner      TEXT,
    site_path  TEXT,
    owner_only INTEGER NOT NULL,
    team_id    TEXT,
    reader     TEXT,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;
CREATE UNIQUE INDEX entities_seq ON entities (seq);
CREATE INDEX entities_owner ON entities (owner, kind) WHERE owner IS NOT NULL;

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO counters (name, value) VALUES ('change_seq', 0);
-- Identifies this database's history; part of every cursor, so a cursor from
-- another database is never taken for one of ours.
INSERT INTO counters (name, value) VALUES ('epoch', abs(random()));
