-- Sync server, SQLite backend, schema 2: accounts that staff make and
-- switch off, self-registration, and one-time codes. Never edit once released.

-- pending: made by staff, waiting for its owner to set a password.
ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('pending', 'active', 'deactivated'));
CREATE INDEX users_phone ON users (phone) WHERE phone IS NOT NULL;

-- A revoked session is refused; it is kept until it expires so that the
-- device of a deactivated account learns why (and resets).
ALTER TABLE sessions ADD COLUMN revoked_at TEXT;

-- At most one open code per account, stored only as its Argon2 hash.
CREATE TABLE access_codes (
    user_id    TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('activation', 'reset')),
    code_hash  TEXT NOT NULL,
    issued_by  TEXT NOT NULL,
    issued_at  TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- What happened to accounts outside the mutation log: registrations,
-- codes issued, redeemed and failed.
CREATE TABLE account_events (
    seq      INTEGER PRIMARY KEY,
    user_id  TEXT NOT NULL,
    actor_id TEXT,
    event    TEXT NOT NULL,
    at       TEXT NOT NULL
);
CREATE INDEX account_events_user ON account_events (user_id);

-- A console form is deduplicated by its mutation id.
CREATE INDEX mutations_id ON mutations (client_id, id);
