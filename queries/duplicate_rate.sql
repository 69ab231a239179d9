-- name: duplicate_rate
-- description: Deliveries, distinct event_ids and the share of deliveries that repeat an event_id, per
--   event day on start_date..end_date (UTC); a repeat may arrive on another day than the original.
-- param: start_date date First event day, inclusive (YYYY-MM-DD, UTC).
-- param: end_date date[start_date..] Last event day, inclusive (YYYY-MM-DD, UTC).
WITH arrived AS (
  -- Deliveries are what this counts, so it reads the raw arrivals (events_exact keeps one copy):
  -- every arrival day from the day before start_date (clock skew) to the newest, since a repeat may
  -- arrive any time later (docs/queries.md).
  SELECT event_id, CAST(from_iso8601_timestamp(event_time) AS date) AS event_day
  FROM events
  WHERE dt >= CAST(date_add('day', -1, CAST(? /* start_date */ AS date)) AS varchar)
),
per_day AS (
  SELECT event_day, count(*) AS deliveries, count(DISTINCT event_id) AS unique_events
  FROM arrived
  WHERE event_day BETWEEN CAST(? /* start_date */ AS date) AND CAST(? /* end_date */ AS date)
  GROUP BY event_day
)
SELECT
  event_day,
  deliveries,
  unique_events,
  deliveries - unique_events AS duplicates,
  CAST(deliveries - unique_events AS double) / deliveries AS duplicate_rate
FROM per_day
ORDER BY event_day
