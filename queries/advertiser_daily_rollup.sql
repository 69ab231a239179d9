-- name: advertiser_daily_rollup
-- description: Per advertiser and event day on start_date..end_date (UTC): impressions, clicks,
--   conversions, page views, revenue, cost and approximate distinct visitors, each event_id counted once.
-- param: start_date date First event day, inclusive (YYYY-MM-DD, UTC).
-- param: end_date date[start_date..] Last event day, inclusive (YYYY-MM-DD, UTC).
WITH arrived AS (
  -- dt is the arrival day: read the requested days plus the late-arrival margin (docs/queries.md).
  SELECT
    advertiser_id, event_type, revenue, cost, coalesce(user_id, anonymous_id) AS visitor,
    CAST(from_iso8601_timestamp(event_time) AS date) AS event_day,
    row_number() OVER (PARTITION BY event_id ORDER BY received_at) AS copy
  FROM events
  WHERE dt BETWEEN CAST(date_add('day', -1, CAST(? /* start_date */ AS date)) AS varchar)
    AND CAST(date_add('day', 3, CAST(? /* end_date */ AS date)) AS varchar)
)
SELECT
  advertiser_id,
  event_day,
  count_if(event_type = 'impression') AS impressions,
  count_if(event_type = 'click') AS clicks,
  count_if(event_type = 'conversion') AS conversions,
  count_if(event_type = 'pageview') AS page_views,
  coalesce(sum(revenue), 0) AS revenue,
  coalesce(sum(cost), 0) AS cost,
  approx_distinct(visitor) AS unique_visitors
FROM arrived
WHERE copy = 1 AND event_day BETWEEN CAST(? /* start_date */ AS date) AND CAST(? /* end_date */ AS date)
GROUP BY advertiser_id, event_day
ORDER BY advertiser_id, event_day
