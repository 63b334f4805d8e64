-- Replica schema 4. The mutations the server confirmed, kept for a while
-- after they leave the outbox: if the server is restored from a backup
-- (it says so with a new epoch), the device sends them again (every rule
-- is idempotent) before its pending ones, so nothing it remembers is lost.
CREATE TABLE journal (
    ord          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    mutation     TEXT NOT NULL,
    confirmed_at TEXT NOT NULL
);
