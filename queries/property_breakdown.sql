-- name: property_breakdown
-- description: Events and approximate distinct visitors per value of one custom property (a key of the
--   properties map) and event type, for the event days start_date..end_date (UTC, inclusive).
-- param: start_date date First event day, inclusive (YYYY-MM-DD, UTC).
-- param: end_date date[start_date..] Last event day, inclusive (YYYY-MM-DD, UTC).
-- param: property_key string The property to break down by, as flattened by the transform (a.b for nested keys).
WITH once AS (
  -- events_exact holds each event_id once, by event day, whenever it arrived (docs/queries.md).
  SELECT event_id, event_type, coalesce(user_id, anonymous_id) AS visitor, properties
  FROM events_exact
  WHERE event_date BETWEEN CAST(? /* start_date */ AS date) AND CAST(? /* end_date */ AS date)
),
chosen AS (
  -- The chosen property's value, for the events that have the key. Athena takes execution
  -- parameters only in WHERE clauses, so the key is picked there among each event's keys.
  SELECT o.event_id, element_at(o.properties, k.property_key) AS property_value
  FROM once AS o
  CROSS JOIN UNNEST(map_keys(o.properties)) AS k (property_key)
  WHERE k.property_key = ? /* property_key */
)
SELECT
  coalesce(c.property_value, '(not set)') AS property_value,
  o.event_type,
  count(*) AS events,
  approx_distinct(o.visitor) AS unique_visitors
FROM once AS o
LEFT JOIN chosen AS c ON c.event_id = o.event_id
GROUP BY coalesce(c.property_value, '(not set)'), o.event_type
ORDER BY property_value, event_type
