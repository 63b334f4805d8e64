-- Replica schema 3. Changes this app version cannot read (a kind it does
-- not know, a value it does not know, from a server newer than the app)
-- are kept here instead of failing the page, and moved into `records` by a
-- later version that can read them (on open).
CREATE TABLE kept_aside (
    kind        TEXT NOT NULL,
    key         TEXT NOT NULL,
    data        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;
