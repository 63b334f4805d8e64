-- Sync server, PostgreSQL backend, schema 2: accounts that staff make and
-- switch off, self-registration, and one-time codes. Never edit once released.

-- pending: made by staff, waiting for its owner to set a password.
ALTER TABLE users ADD COLUMN status text NOT NULL DEFAULT 'active'
    CHECK (status IN ('pending', 'active', 'deactivated'));
CREATE INDEX users_phone ON users (phone) WHERE phone IS NOT NULL;

-- A revoked session is refused; it is kept until it expires so that the
-- device of a deactivated account learns why (and resets).
ALTER TABLE sessions ADD COLUMN revoked_at timestamptz;

-- At most one open code per account, stored only as its Argon2 hash.
CREATE TABLE access_codes (
    district   text COLLATE "C" NOT NULL,
    user_id    text COLLATE "C" NOT NULL,
    purpose    text NOT NULL CHECK (purpose IN ('activation', 'reset')),
    code_hash  text NOT NULL,
    issued_by  text NOT NULL,
    issued_at  timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    attempts   integer NOT NULL DEFAULT 0,
    PRIMARY KEY (district, user_id),
    FOREIGN KEY (district, user_id) REFERENCES users (district, id) ON DELETE CASCADE
);

-- What happened to accounts outside the mutation log: registrations,
-- codes issued, redeemed and failed.
CREATE TABLE account_events (
    district text COLLATE "C" NOT NULL,
    seq      bigserial,
    user_id  text COLLATE "C" NOT NULL,
    actor_id text,
    event    text NOT NULL,
    at       timestamptz NOT NULL,
    PRIMARY KEY (district, seq)
);
CREATE INDEX account_events_user ON account_events (district, user_id);

-- A console form is deduplicated by its mutation id.
CREATE INDEX mutations_id ON mutations (district, client_id, id);
