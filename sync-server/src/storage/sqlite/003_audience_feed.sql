-- Sync server, SQLite backend, schema 3: the feed indexed by audience, so the
-- pull of someone who reads by owner, reader, team or the public reads only
-- rows they may see (feed.rs). Never edit once released.

-- No partial index on `x IS NOT NULL`: to use one, SQLite proves the
-- condition from the bound value of `x = ?`, and then re-plans the statement
-- each time that parameter changes (every pull, every push's rules). The
-- owner index of schema 1 is made whole for the same reason.
DROP INDEX entities_owner;
CREATE INDEX entities_owner ON entities (owner, kind);
CREATE INDEX entities_owner_feed ON entities (owner, seq);
CREATE INDEX entities_reader_feed ON entities (reader, seq) WHERE owner_only = 0;
CREATE INDEX entities_team_feed ON entities (team_id, seq) WHERE owner_only = 0;
CREATE INDEX entities_public_feed ON entities (seq) WHERE public = 1 AND owner_only = 0;
