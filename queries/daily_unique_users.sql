-- name: daily_unique_users
-- description: Approximate distinct users (user_id, else anonymous_id) and exact events per event day,
--   for the event days start_date..end_date (UTC, inclusive).
-- param: start_date date First event day, inclusive (YYYY-MM-DD, UTC).
-- param: end_date date[start_date..] Last event day, inclusive (YYYY-MM-DD, UTC).
WITH arrived AS (
  -- dt is the arrival day: read the requested days plus the late-arrival margin (docs/queries.md).
  SELECT event_id, coalesce(user_id, anonymous_id) AS visitor, CAST(from_iso8601_timestamp(event_time) AS date) AS event_day
  FROM events
  WHERE dt BETWEEN CAST(date_add('day', -1, CAST(? /* start_date */ AS date)) AS varchar)
    AND CAST(date_add('day', 3, CAST(? /* end_date */ AS date)) AS varchar)
)
SELECT
  event_day,
  -- Duplicates cannot add a distinct user, so no de-duplication is needed for this column.
  approx_distinct(visitor) AS unique_users,
  count(DISTINCT event_id) AS events
FROM arrived
WHERE event_day BETWEEN CAST(? /* start_date */ AS date) AND CAST(? /* end_date */ AS date)
GROUP BY event_day
ORDER BY event_day
