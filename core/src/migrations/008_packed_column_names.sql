-- Replica schema 8: the `records` view names its packed columns for what
-- they hold (`key_packed`, `activity_packed`, `volunteer_packed`,
-- `site_packed`, `team_packed`). Under their plain names, a query that
-- compared one with an id as text, forgetting `id_pack(?)`, ran and found
-- nothing for a UUID; now it must name a packed column to compare with one.
DROP VIEW records;
CREATE VIEW records AS
    SELECT kind, id_text(key) AS key,
           record_json(body, key, activity, volunteer, site, team, path,
                       starts_at, ends_at) AS data,
           key AS key_packed, activity AS activity_packed,
           volunteer AS volunteer_packed, site AS site_packed, team AS team_packed,
           path, time_ns(starts_at) AS starts_ns, time_ns(ends_at) AS ends_ns
    FROM record_rows;
