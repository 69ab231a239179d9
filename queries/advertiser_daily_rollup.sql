-- name: advertiser_daily_rollup
-- description: Per advertiser and event day on start_date..end_date (UTC): billable impressions, clicks
--   and conversions (known bots excluded), bot impressions and clicks, page views and approximate distinct
--   visitors, each event_id counted once. Revenue and cost by currency: see revenue_by_currency.
-- param: start_date date First event day, inclusive (YYYY-MM-DD, UTC).
-- param: end_date date[start_date..] Last event day, inclusive (YYYY-MM-DD, UTC).
WITH once AS (
  -- events_exact holds each event_id once, by event day, whenever it arrived (docs/queries.md).
  SELECT
    advertiser_id, event_type, coalesce(is_bot, false) AS bot, coalesce(user_id, anonymous_id) AS visitor,
    event_date AS event_day
  FROM events_exact
  WHERE event_date BETWEEN CAST(? /* start_date */ AS date) AND CAST(? /* end_date */ AS date)
)
SELECT
  advertiser_id,
  event_day,
  count_if(event_type = 'impression' AND NOT bot) AS impressions,
  count_if(event_type = 'click' AND NOT bot) AS clicks,
  count_if(event_type = 'conversion' AND NOT bot) AS conversions,
  count_if(event_type = 'impression' AND bot) AS bot_impressions,
  count_if(event_type = 'click' AND bot) AS bot_clicks,
  count_if(event_type = 'pageview') AS page_views,
  approx_distinct(visitor) AS unique_visitors
FROM once
GROUP BY advertiser_id, event_day
ORDER BY advertiser_id, event_day
