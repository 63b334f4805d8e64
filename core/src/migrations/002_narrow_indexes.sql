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
