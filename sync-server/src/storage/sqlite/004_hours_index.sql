-- Sync server, SQLite backend, schema 4: a volunteer's hour entries by
-- start and by activity, so the daily limit, the overlap rule and the
-- one-report-per-activity rule read the entries near a credit (state.rs)
-- instead of the volunteer's whole history: a report from a volunteer with
-- years of entries read every one of them. Never edit once released.

-- The start in Unix seconds, as the rules count it (evidence.rs `span`:
-- started_at truncated to the second). An entry of at most a day meets a
-- window only if it starts less than a day before it; the few longer ones
-- (attendance over a multi-day activity) have their own index. The
-- expressions are spelled the same in state.rs, or the indexes go unused.
CREATE INDEX entities_hours_by_start ON entities (
    owner,
    unixepoch(json_extract(data, '$.started_at'))
) WHERE kind = 'hour_entry';
CREATE INDEX entities_hours_long ON entities (owner)
    WHERE kind = 'hour_entry' AND json_extract(data, '$.minutes') > 1440;
CREATE INDEX entities_hours_by_activity ON entities (
    owner,
    json_extract(data, '$.activity_id')
) WHERE kind = 'hour_entry';
