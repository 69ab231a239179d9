-- name: hourly_traffic
-- description: Events per hour of event time and event type, each event_id counted once, for the
--   event days start_date..end_date (UTC, inclusive).
-- param: start_date date First event day, inclusive (YYYY-MM-DD, UTC).
-- param: end_date date[start_date..] Last event day, inclusive (YYYY-MM-DD, UTC).
WITH arrived AS (
  -- dt is the arrival day: read the requested days plus the late-arrival margin (docs/queries.md).
  SELECT
    event_type, event_time,
    row_number() OVER (PARTITION BY event_id ORDER BY received_at) AS copy
  FROM events
  WHERE dt BETWEEN CAST(date_add('day', -1, CAST(? /* start_date */ AS date)) AS varchar)
    AND CAST(date_add('day', 3, CAST(? /* end_date */ AS date)) AS varchar)
),
once AS (
  SELECT event_type, from_iso8601_timestamp(event_time) AS ts
  FROM arrived
  WHERE copy = 1
)
SELECT
  CAST(ts AS date) AS event_day,
  hour(ts) AS event_hour,
  event_type,
  count(*) AS events
FROM once
WHERE CAST(ts AS date) BETWEEN CAST(? /* start_date */ AS date) AND CAST(? /* end_date */ AS date)
GROUP BY CAST(ts AS date), hour(ts), event_type
ORDER BY event_day, event_hour, event_type
