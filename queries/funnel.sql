-- name: funnel
-- description: Impression to click to conversion funnel per advertiser and campaign: visitors with an
--   impression on start_date..end_date (UTC), those who then clicked within attribution_days of an
--   impression, and those who then converted within attribution_days of such a click. Billable events
--   only: events of known bots are left out.
-- param: start_date date First impression day, inclusive (YYYY-MM-DD, UTC).
-- param: end_date date[start_date..] Last impression day, inclusive (YYYY-MM-DD, UTC).
-- param: attribution_days integer[1..365] Attribution window, in days, for each step.
WITH once AS (
  -- events_exact holds each event_id once, by event day (docs/queries.md): read the requested days
  -- and the two attribution windows after them (clicks, then conversions).
  SELECT event_type, advertiser_id, campaign_id, coalesce(user_id, anonymous_id) AS visitor,
    from_iso8601_timestamp(event_time) AS ts
  FROM events_exact
  WHERE event_type IN ('impression', 'click', 'conversion')
    AND coalesce(user_id, anonymous_id) IS NOT NULL AND campaign_id IS NOT NULL
    AND coalesce(is_bot, false) = false
    AND event_date BETWEEN CAST(? /* start_date */ AS date)
      AND date_add('day', 2 * ? /* attribution_days */, CAST(? /* end_date */ AS date))
),
impressions AS (
  SELECT advertiser_id, campaign_id, visitor, ts
  FROM once
  WHERE event_type = 'impression'
    AND CAST(ts AS date) BETWEEN CAST(? /* start_date */ AS date) AND CAST(? /* end_date */ AS date)
),
clicks AS (
  SELECT DISTINCT c.advertiser_id, c.campaign_id, c.visitor, c.ts
  FROM once AS c
  JOIN impressions AS i
    ON c.advertiser_id = i.advertiser_id AND c.campaign_id = i.campaign_id AND c.visitor = i.visitor
  -- The window is a WHERE condition, as Athena takes execution parameters only in WHERE clauses
  -- (for an inner join, the same rows as in ON).
  WHERE c.event_type = 'click'
    AND c.ts >= i.ts AND c.ts <= i.ts + INTERVAL '1' DAY * ? /* attribution_days */
),
conversions AS (
  SELECT DISTINCT v.advertiser_id, v.campaign_id, v.visitor
  FROM once AS v
  JOIN clicks AS k
    ON v.advertiser_id = k.advertiser_id AND v.campaign_id = k.campaign_id AND v.visitor = k.visitor
  WHERE v.event_type = 'conversion'
    AND v.ts >= k.ts AND v.ts <= k.ts + INTERVAL '1' DAY * ? /* attribution_days */
),
steps AS (
  SELECT advertiser_id, campaign_id, visitor, 1 AS step FROM impressions
  UNION ALL
  SELECT advertiser_id, campaign_id, visitor, 2 AS step FROM clicks
  UNION ALL
  SELECT advertiser_id, campaign_id, visitor, 3 AS step FROM conversions
),
funnel AS (
  SELECT
    advertiser_id,
    campaign_id,
    count(DISTINCT CASE WHEN step = 1 THEN visitor END) AS impressed_visitors,
    count(DISTINCT CASE WHEN step = 2 THEN visitor END) AS clicked_visitors,
    count(DISTINCT CASE WHEN step = 3 THEN visitor END) AS converted_visitors
  FROM steps
  GROUP BY advertiser_id, campaign_id
)
SELECT
  advertiser_id,
  campaign_id,
  impressed_visitors,
  clicked_visitors,
  converted_visitors,
  CAST(clicked_visitors AS double) / nullif(impressed_visitors, 0) AS click_rate,
  CAST(converted_visitors AS double) / nullif(clicked_visitors, 0) AS conversion_rate
FROM funnel
ORDER BY advertiser_id, campaign_id
