-- Sync server, SQLite backend, schema 3: the feed indexed by audience, so the
-- pull of someone who reads by owner, reader, team or the public reads only
-- rows they may see (feed.rs). Never edit once released.

CREATE INDEX entities_owner_feed ON entities (owner, seq) WHERE owner IS NOT NULL;
CREATE INDEX entities_reader_feed ON entities (reader, seq)
    WHERE reader IS NOT NULL AND owner_only = 0;
CREATE INDEX entities_team_feed ON entities (team_id, seq)
    WHERE team_id IS NOT NULL AND owner_only = 0;
CREATE INDEX entities_public_feed ON entities (seq) WHERE public = 1 AND owner_only = 0;
