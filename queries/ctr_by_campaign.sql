-- name: ctr_by_campaign
-- description: Impressions, clicks, conversions, click-through rate, conversion rate and revenue per
--   advertiser and campaign, for events whose event time falls on start_date..end_date (UTC, inclusive).
-- param: start_date date First event day, inclusive (YYYY-MM-DD, UTC).
-- param: end_date date[start_date..] Last event day, inclusive (YYYY-MM-DD, UTC).
WITH arrived AS (
  -- dt is the arrival day: read the requested days plus the late-arrival margin (docs/queries.md).
  SELECT
    event_id, event_type, advertiser_id, campaign_id, revenue, event_time,
    row_number() OVER (PARTITION BY event_id ORDER BY received_at) AS copy
  FROM events
  WHERE campaign_id IS NOT NULL
    AND dt BETWEEN CAST(date_add('day', -1, CAST(? /* start_date */ AS date)) AS varchar)
      AND CAST(date_add('day', 3, CAST(? /* end_date */ AS date)) AS varchar)
),
once AS (
  -- The lake is at-least-once: count each event_id once.
  SELECT * FROM arrived
  WHERE copy = 1
    AND CAST(from_iso8601_timestamp(event_time) AS date)
      BETWEEN CAST(? /* start_date */ AS date) AND CAST(? /* end_date */ AS date)
),
totals AS (
  SELECT
    advertiser_id,
    campaign_id,
    count_if(event_type = 'impression') AS impressions,
    count_if(event_type = 'click') AS clicks,
    count_if(event_type = 'conversion') AS conversions,
    coalesce(sum(revenue), 0) AS revenue
  FROM once
  GROUP BY advertiser_id, campaign_id
)
SELECT
  advertiser_id,
  campaign_id,
  impressions,
  clicks,
  conversions,
  CAST(clicks AS double) / nullif(impressions, 0) AS ctr,
  CAST(conversions AS double) / nullif(clicks, 0) AS conversion_rate,
  revenue
FROM totals
ORDER BY advertiser_id, campaign_id
