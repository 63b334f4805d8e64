-- Replica schema 7: an activity's `starts_at` and `ends_at` lifted out of
-- its compressed body into columns (integer nanoseconds; see
-- src/compact/). The activity lists filter and sort by them: with the times
-- inside the body they decoded every activity to show fifty. The `records`
-- view shows them as `starts_ns` and `ends_ns`, numbers whichever way a
-- time was stored. Rows with either time are written again, everything in
-- them kept.
ALTER TABLE record_rows ADD COLUMN starts_at;
ALTER TABLE record_rows ADD COLUMN ends_at;
UPDATE record_rows
   SET body = record_body(id_text(key), old.data),
       starts_at = record_lift(old.data, 5),
       ends_at = record_lift(old.data, 6)
  FROM (SELECT rowid AS row,
               record_json(body, key, activity, volunteer, site, team, path) AS data
          FROM record_rows) AS old
 WHERE record_rows.rowid = old.row
   AND (json_type(old.data, '$.starts_at') = 'text'
        OR json_type(old.data, '$.ends_at') = 'text');
DROP VIEW records;
CREATE VIEW records AS
    SELECT kind, id_text(key) AS key,
           record_json(body, key, activity, volunteer, site, team, path,
                       starts_at, ends_at) AS data,
           key AS k, activity, volunteer, site, team, path,
           time_ns(starts_at) AS starts_ns, time_ns(ends_at) AS ends_ns
    FROM record_rows;
