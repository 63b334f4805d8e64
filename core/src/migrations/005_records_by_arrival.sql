-- Replica schema 5. `records` becomes a rowid table, its rows stored in the
-- order they arrive, with (kind, key) as a unique index beside it. As a
-- WITHOUT ROWID table, ordered by key, every page of a download (random
-- keys, a few hundred bytes each) dirtied pages across the whole table,
-- and each commit wrote and checkpointed them: a 100,000-row download
-- took 18 times as long as one of 10,000. Now the rows are appended and
-- only the small key entries land at random (the `apply` bench).
ALTER TABLE records RENAME TO records_v4;
CREATE TABLE records (
    kind TEXT NOT NULL,
    key  TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
INSERT INTO records (kind, key, data) SELECT kind, key, data FROM records_v4;
DROP TABLE records_v4;
CREATE INDEX records_by_activity ON records (kind, json_extract(data, '$.activity_id'));
CREATE INDEX records_by_volunteer ON records (kind, json_extract(data, '$.volunteer_id'));
CREATE INDEX activities_by_site ON records (json_extract(data, '$.site_id'))
    WHERE kind = 'activity';
CREATE INDEX memberships_by_team ON records (json_extract(data, '$.team_id'))
    WHERE kind = 'membership';
