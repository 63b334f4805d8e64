-- Sync server, PostgreSQL backend, schema 3: the feed indexed by audience, so
-- the pull of someone who reads by owner, reader, team or the public reads
-- only rows they may see (feed.rs). Never edit once released.

CREATE INDEX entities_owner_feed ON entities (district, owner, txid, seq)
    WHERE owner IS NOT NULL;
CREATE INDEX entities_reader_feed ON entities (district, reader, txid, seq)
    WHERE reader IS NOT NULL AND NOT owner_only;
CREATE INDEX entities_team_feed ON entities (district, team_id, txid, seq)
    WHERE team_id IS NOT NULL AND NOT owner_only;
CREATE INDEX entities_public_feed ON entities (district, txid, seq)
    WHERE public AND NOT owner_only;
