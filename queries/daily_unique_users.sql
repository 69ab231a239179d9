-- name: daily_unique_users
-- description: Approximate distinct users (user_id, else anonymous_id) and exact events per event day,
--   for the event days start_date..end_date (UTC, inclusive).
-- param: start_date date First event day, inclusive (YYYY-MM-DD, UTC).
-- param: end_date date[start_date..] Last event day, inclusive (YYYY-MM-DD, UTC).
WITH once AS (
  -- events_exact holds each event_id once, by event day, whenever it arrived (docs/queries.md).
  SELECT event_id, coalesce(user_id, anonymous_id) AS visitor, event_date AS event_day
  FROM events_exact
  WHERE event_date BETWEEN CAST(? /* start_date */ AS date) AND CAST(? /* end_date */ AS date)
)
SELECT
  event_day,
  approx_distinct(visitor) AS unique_users,
  count(*) AS events
FROM once
GROUP BY event_day
ORDER BY event_day
