-- name: property_breakdown
-- description: Events and approximate distinct visitors per value of one custom property (a key of the
--   properties map) and event type, for the event days start_date..end_date (UTC, inclusive).
-- param: start_date date First event day, inclusive (YYYY-MM-DD, UTC).
-- param: end_date date Last event day, inclusive (YYYY-MM-DD, UTC).
-- param: property_key string The property to break down by, as flattened by the transform (a.b for nested keys).
WITH arrived AS (
  -- dt is the arrival day: read the requested days plus the late-arrival margin (docs/queries.md).
  SELECT
    event_type, coalesce(user_id, anonymous_id) AS visitor, event_time,
    element_at(properties, ? /* property_key */) AS property_value,
    row_number() OVER (PARTITION BY event_id ORDER BY received_at) AS copy
  FROM events
  WHERE dt BETWEEN CAST(date_add('day', -1, CAST(? /* start_date */ AS date)) AS varchar)
    AND CAST(date_add('day', 3, CAST(? /* end_date */ AS date)) AS varchar)
)
SELECT
  coalesce(property_value, '(not set)') AS property_value,
  event_type,
  count(*) AS events,
  approx_distinct(visitor) AS unique_visitors
FROM arrived
WHERE copy = 1
  AND CAST(from_iso8601_timestamp(event_time) AS date)
    BETWEEN CAST(? /* start_date */ AS date) AND CAST(? /* end_date */ AS date)
GROUP BY coalesce(property_value, '(not set)'), event_type
ORDER BY property_value, event_type
