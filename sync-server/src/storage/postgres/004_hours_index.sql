-- Sync server, PostgreSQL backend, schema 4: a volunteer's hour entries by
-- start and by activity, so the daily limit, the overlap rule and the
-- one-report-per-activity rule read the entries near a credit (state.rs)
-- instead of the volunteer's whole history. Never edit once released.

-- The start of an hour entry in Unix seconds, truncated as the rules count
-- it (evidence.rs `span`). Declared immutable so an index can hold it: the
-- text is RFC 3339 with its offset ('Z'), read the same whatever the
-- session's TimeZone or DateStyle. (timestamptz keeps microseconds: a time
-- within half a microsecond of the next second may count one second later;
-- the queries allow for that.)
CREATE FUNCTION hour_entry_start(data text) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT floor(extract(epoch FROM (data::jsonb ->> 'started_at')::timestamptz))::bigint $$;

-- An entry of at most a day meets a window only if it starts less than a
-- day before it; the few longer ones (attendance over a multi-day activity)
-- have their own index. The expressions are spelled the same in state.rs.
CREATE INDEX entities_hours_by_start ON entities (district, owner, hour_entry_start(data))
    WHERE kind = 'hour_entry';
CREATE INDEX entities_hours_long ON entities (district, owner)
    WHERE kind = 'hour_entry' AND (data::jsonb ->> 'minutes')::bigint > 1440;
CREATE INDEX entities_hours_by_activity ON entities (district, owner, (data::jsonb ->> 'activity_id'))
    WHERE kind = 'hour_entry';
