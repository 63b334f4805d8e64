-- Sync server, PostgreSQL backend, schema 1. Never edit once released.
--
-- The district leads every key and index of the data tables, so a city's
-- database can be partitioned (or sharded) by it. Two lookups are city-wide
-- by nature and keep their own unique index: a login at sign-in and a session
-- token, which arrive before anyone knows the district. Keys compare as bytes
-- (COLLATE "C"): key ranges such as `activity/` .. `activity0` rely on it.

CREATE TABLE districts (
    id         text COLLATE "C" PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    district      text COLLATE "C" NOT NULL REFERENCES districts (id),
    id            text COLLATE "C" NOT NULL,
    login         text NOT NULL,
    password_hash text,
    role          text NOT NULL CHECK (role IN ('volunteer', 'staff', 'admin', 'resident')),
    site_id       text,
    display_name  text NOT NULL,
    phone         text,
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (district, id)
);
CREATE UNIQUE INDEX users_login ON users (login);

-- Only the SHA-256 of each token is stored.
CREATE TABLE sessions (
    token_hash text PRIMARY KEY,
    district   text COLLATE "C" NOT NULL,
    user_id    text COLLATE "C" NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    FOREIGN KEY (district, user_id) REFERENCES users (district, id) ON DELETE CASCADE
);
CREATE INDEX sessions_user ON sessions (district, user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- One row per device replica: the last mutation seq applied for it, and the
-- highest transaction id that advanced it (see `confirmed_seq`).
CREATE TABLE clients (
    district     text COLLATE "C" NOT NULL,
    client_id    text COLLATE "C" NOT NULL,
    user_id      text COLLATE "C" NOT NULL,
    last_seq     bigint NOT NULL,
    last_txid    bigint NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    PRIMARY KEY (district, client_id),
    FOREIGN KEY (district, user_id) REFERENCES users (district, id) ON DELETE CASCADE
);

-- Every mutation received, with the device's clock, the server's receive time
-- and the outcome. A retried push is answered from here.
CREATE TABLE mutations (
    district    text COLLATE "C" NOT NULL,
    client_id   text COLLATE "C" NOT NULL,
    seq         bigint NOT NULL,
    id          text NOT NULL,
    user_id     text NOT NULL,
    name        text NOT NULL,
    body        text NOT NULL,
    device_time timestamptz NOT NULL,
    received_at timestamptz NOT NULL,
    status      text NOT NULL CHECK (status IN ('applied', 'rejected')),
    code        text,
    message     text,
    PRIMARY KEY (district, client_id, seq),
    FOREIGN KEY (district, client_id) REFERENCES clients (district, client_id) ON DELETE CASCADE
);

-- Current state and change feed in one. A row's position in the feed is
-- (txid, seq): the transaction that last changed it and a sequence number
-- drawn in that transaction. data NULL is a tombstone. Scope columns decide
-- who may pull the row.
CREATE TABLE entities (
    district   text COLLATE "C" NOT NULL,
    kind       text COLLATE "C" NOT NULL,
    key        text COLLATE "C" NOT NULL,
    txid       bigint NOT NULL,
    seq        bigint NOT NULL,
    data       text,
    public     boolean NOT NULL,
    owner      text COLLATE "C",
    site_path  text COLLATE "C",
    owner_only boolean NOT NULL,
    team_id    text COLLATE "C",
    reader     text COLLATE "C",
    PRIMARY KEY (district, kind, key)
);
CREATE INDEX entities_feed ON entities (district, txid, seq);
CREATE INDEX entities_owner ON entities (district, owner, kind) WHERE owner IS NOT NULL;

CREATE SEQUENCE change_seq;

CREATE TABLE meta (
    name  text PRIMARY KEY,
    value text NOT NULL
);
-- Identifies this database's history; part of every cursor, so a cursor from
-- another database is never taken for one of ours.
INSERT INTO meta (name, value) VALUES ('epoch', substr(md5(random()::text || clock_timestamp()::text), 1, 16));
