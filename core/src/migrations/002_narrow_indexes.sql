-- Replica schema 2. The site and team indexes served one kind each
-- (activities by site, memberships by team) but every row paid for them:
-- signups, attendance and hour entries, the bulk of a replica, now update
-- two indexes on apply instead of four.
DROP INDEX records_by_site;
DROP INDEX records_by_team;
CREATE INDEX activities_by_site ON records (json_extract(data, '$.site_id'))
    WHERE kind = 'activity';
CREATE INDEX memberships_by_team ON records (json_extract(data, '$.team_id'))
    WHERE kind = 'membership';

-- Fixed planner statistics for `records`. Without any, SQLite guesses that
-- an equality on the primary key's first column (kind) narrows as well as
-- one on (kind, volunteer): it then scanned a whole kind, covering, instead
-- of the index, and a replayed check-in read every attendance row. These
-- describe a large replica's shape (ten kinds, a volunteer's rows, an
-- activity's rows); the planner only compares them.
ANALYZE;
DELETE FROM sqlite_stat1 WHERE tbl = 'records';
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
    ('records', 'records', '100000 10000 1'),
    ('records', 'records_by_volunteer', '100000 10000 5'),
    ('records', 'records_by_activity', '100000 10000 30'),
    ('records', 'activities_by_site', '2000 20'),
    ('records', 'memberships_by_team', '10000 70');
ANALYZE sqlite_schema;
