-- name: hourly_traffic
-- description: Events per hour of event time and event type, each event_id counted once, for the
--   event days start_date..end_date (UTC, inclusive).
-- param: start_date date First event day, inclusive (YYYY-MM-DD, UTC).
-- param: end_date date[start_date..] Last event day, inclusive (YYYY-MM-DD, UTC).
WITH once AS (
  -- events_exact holds each event_id once, by event day, whenever it arrived (docs/queries.md).
  SELECT event_type, event_date, from_iso8601_timestamp(event_time) AS ts
  FROM events_exact
  WHERE event_date BETWEEN CAST(? /* start_date */ AS date) AND CAST(? /* end_date */ AS date)
)
SELECT
  event_date AS event_day,
  hour(ts) AS event_hour,
  event_type,
  count(*) AS events
FROM once
GROUP BY event_date, hour(ts), event_type
ORDER BY event_day, event_hour, event_type
