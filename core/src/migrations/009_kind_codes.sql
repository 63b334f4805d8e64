-- Replica schema 9: `record_rows` stores a record's kind as a small integer
-- (`kind_code(name)`, see src/compact/kinds.rs), not its name, which each
-- row and each index entry repeated: an institute's replica shrinks by 19
-- bytes a record. The `records` view shows it as `kind_code`: a query
-- compares it with `kind_code('activity')` (under the old name, one that
-- compared it with the name would have found nothing). The two partial
-- indexes name their kind's code as a number, so that any connection can
-- write the table, and SQLite uses one only for a query that compares
-- `kind_code` with that same number. Rows keep their rowids (their order
-- of arrival).
DROP VIEW records;
CREATE TABLE record_rows_v9 (
    kind      INTEGER NOT NULL,
    key       NOT NULL,
    body      BLOB NOT NULL,
    activity,
    volunteer,
    site,
    team,
    path,
    starts_at,
    ends_at,
    UNIQUE (kind, key)
);
INSERT INTO record_rows_v9
       (rowid, kind, key, body, activity, volunteer, site, team, path, starts_at, ends_at)
    SELECT rowid, kind_code(kind), key, body, activity, volunteer, site, team, path,
           starts_at, ends_at
    FROM record_rows ORDER BY rowid;
DROP TABLE record_rows;
ALTER TABLE record_rows_v9 RENAME TO record_rows;
CREATE INDEX records_by_activity ON record_rows (kind, activity) WHERE activity IS NOT NULL;
CREATE INDEX records_by_volunteer ON record_rows (kind, volunteer) WHERE volunteer IS NOT NULL;
CREATE INDEX activities_by_site ON record_rows (site) WHERE kind = 0; -- activity
CREATE INDEX memberships_by_team ON record_rows (team) WHERE kind = 5; -- membership
CREATE VIEW records AS
    SELECT kind AS kind_code, id_text(key) AS key,
           record_json(body, key, activity, volunteer, site, team, path,
                       starts_at, ends_at) AS data,
           key AS key_packed, activity AS activity_packed,
           volunteer AS volunteer_packed, site AS site_packed, team AS team_packed,
           path, time_ns(starts_at) AS starts_ns, time_ns(ends_at) AS ends_ns
    FROM record_rows;
