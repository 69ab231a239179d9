-- name: late_arrivals
-- description: How late events arrive, per event day on start_date..end_date (UTC): percentiles and
--   maximum of received_at - event_time in seconds, over each event_id's first delivery.
-- param: start_date date First event day, inclusive (YYYY-MM-DD, UTC).
-- param: end_date date[start_date..] Last event day, inclusive (YYYY-MM-DD, UTC).
WITH delays AS (
  -- events_exact keeps each event_id's first delivery (the smallest received_at), whenever it
  -- arrived, so events of any lateness are measured (docs/queries.md).
  SELECT
    event_date AS event_day,
    CAST(date_diff('millisecond', from_iso8601_timestamp(event_time), from_iso8601_timestamp(received_at)) AS double)
      / 1000 AS delay_seconds
  FROM events_exact
  WHERE event_date BETWEEN CAST(? /* start_date */ AS date) AND CAST(? /* end_date */ AS date)
)
SELECT
  event_day,
  count(*) AS events,
  approx_percentile(delay_seconds, 0.5) AS p50_seconds,
  approx_percentile(delay_seconds, 0.9) AS p90_seconds,
  approx_percentile(delay_seconds, 0.99) AS p99_seconds,
  max(delay_seconds) AS max_seconds,
  CAST(count_if(delay_seconds > 3600) AS double) / count(*) AS later_than_1h_share
FROM delays
GROUP BY event_day
ORDER BY event_day
