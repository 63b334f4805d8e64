-- Replica schema 6: records in their compact form (see src/compact/).
-- `record_rows` holds each record's key packed, the ids the replica looks
-- rows up by lifted into columns (packed), a site's path beside them, and
-- the rest of its JSON compressed. The `records` view reads them back as
-- JSON, so queries keep reading `kind`, `key` and `data`; to use an index
-- they compare the packed columns (`k`, `activity`, `volunteer`, `site`,
-- `team`) with `id_pack(?)`, and a subtree test reads `path` without
-- decoding the site. Writes go to `record_rows`. (`record_body(…, 5)`:
-- the five fields this schema lifts; schema 7 lifts two more.)
CREATE TABLE record_rows (
    kind      TEXT NOT NULL,
    key       NOT NULL,
    body      BLOB NOT NULL,
    activity,
    volunteer,
    site,
    team,
    path,
    UNIQUE (kind, key)
);
INSERT INTO record_rows (kind, key, body, activity, volunteer, site, team, path)
    SELECT kind, id_pack(key), record_body(key, data, 5), record_lift(data, 0),
           record_lift(data, 1), record_lift(data, 2), record_lift(data, 3),
           record_lift(data, 4)
    FROM records;
DROP TABLE records;
CREATE VIEW records AS
    SELECT kind, id_text(key) AS key,
           record_json(body, key, activity, volunteer, site, team, path) AS data,
           key AS k, activity, volunteer, site, team, path
    FROM record_rows;
CREATE INDEX records_by_activity ON record_rows (kind, activity) WHERE activity IS NOT NULL;
CREATE INDEX records_by_volunteer ON record_rows (kind, volunteer) WHERE volunteer IS NOT NULL;
CREATE INDEX activities_by_site ON record_rows (site) WHERE kind = 'activity';
CREATE INDEX memberships_by_team ON record_rows (team) WHERE kind = 'membership';
