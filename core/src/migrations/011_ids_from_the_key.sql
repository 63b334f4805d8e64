-- Replica schema 11: a lifted id that is also a part of the row's key is
-- stored as the number of that part, not again: 0 for the key's first id
-- (its first 16 bytes), 1 for its second. A signup's or an attendance's key
-- is `activity/volunteer`, a membership's `team/volunteer`: each repeated
-- 32 bytes of its key, and SQLite stores the integers 0 and 1 in no bytes.
-- An institute's replica shrinks by 11 bytes a record.
--
-- The ids themselves are generated columns (`activity_packed` and the
-- others, computed when read, built into the indexes when written) with
-- the names the `records` view has always shown. Their expressions are
-- SQLite's own, so that any connection can still write the table.
ALTER TABLE record_rows ADD COLUMN activity_packed AS (CASE activity
    WHEN 0 THEN substr(key, 1, 16) WHEN 1 THEN substr(key, 17, 16) ELSE activity END) VIRTUAL;
ALTER TABLE record_rows ADD COLUMN volunteer_packed AS (CASE volunteer
    WHEN 0 THEN substr(key, 1, 16) WHEN 1 THEN substr(key, 17, 16) ELSE volunteer END) VIRTUAL;
ALTER TABLE record_rows ADD COLUMN site_packed AS (CASE site
    WHEN 0 THEN substr(key, 1, 16) WHEN 1 THEN substr(key, 17, 16) ELSE site END) VIRTUAL;
ALTER TABLE record_rows ADD COLUMN team_packed AS (CASE team
    WHEN 0 THEN substr(key, 1, 16) WHEN 1 THEN substr(key, 17, 16) ELSE team END) VIRTUAL;
DROP INDEX IF EXISTS records_by_activity;
DROP INDEX IF EXISTS records_by_volunteer;
DROP INDEX activities_by_site;
DROP INDEX memberships_by_team;
-- Only packed ids (16-byte blobs) and packed keys (blobs of 16 or 32) are
-- parts of one another.
UPDATE record_rows SET
    activity = CASE WHEN activity = substr(key, 1, 16) THEN 0
                    WHEN activity = substr(key, 17, 16) THEN 1 ELSE activity END,
    volunteer = CASE WHEN volunteer = substr(key, 1, 16) THEN 0
                     WHEN volunteer = substr(key, 17, 16) THEN 1 ELSE volunteer END,
    site = CASE WHEN site = substr(key, 1, 16) THEN 0
                WHEN site = substr(key, 17, 16) THEN 1 ELSE site END,
    team = CASE WHEN team = substr(key, 1, 16) THEN 0
                WHEN team = substr(key, 17, 16) THEN 1 ELSE team END
WHERE typeof(key) = 'blob';
-- As schema::BULK_INDEXES creates them again, word for word.
CREATE INDEX records_by_activity ON record_rows (kind, activity_packed) WHERE activity_packed IS NOT NULL;
CREATE INDEX records_by_volunteer ON record_rows (kind, volunteer_packed) WHERE volunteer_packed IS NOT NULL;
CREATE INDEX activities_by_site ON record_rows (site_packed) WHERE kind = 0; -- activity
CREATE INDEX memberships_by_team ON record_rows (team_packed) WHERE kind = 5; -- membership
DROP VIEW records;
CREATE VIEW records AS
    SELECT kind AS kind_code, id_text(key) AS key,
           record_json(body, key, activity_packed, volunteer_packed, site_packed,
                       team_packed, path, starts_at, ends_at) AS data,
           key AS key_packed, activity_packed, volunteer_packed, site_packed, team_packed,
           path, time_ns(starts_at) AS starts_ns, time_ns(ends_at) AS ends_ns
    FROM record_rows;
