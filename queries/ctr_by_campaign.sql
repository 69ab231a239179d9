-- name: ctr_by_campaign
-- description: Per advertiser and campaign, for events whose event time falls on start_date..end_date
--   (UTC, inclusive): billable impressions, clicks and conversions (bots excluded), bot impressions and
--   clicks, click-through rate, and conversion_rate: the share of those clicks to which a conversion is
--   attributed (the visitor's latest click on the campaign within attribution_days before the
--   conversion; docs/queries.md). Revenue by currency: see revenue_by_currency.
-- param: start_date date First event day, inclusive (YYYY-MM-DD, UTC).
-- param: end_date date[start_date..] Last event day, inclusive (YYYY-MM-DD, UTC).
-- param: attribution_days integer[1..365] How many days a conversion looks back for the click it is attributed to.
WITH once AS (
  -- events_exact holds each event_id once, by event day, whenever it arrived (docs/queries.md).
  SELECT event_id, event_type, advertiser_id, campaign_id, coalesce(is_bot, false) AS bot, event_time
  FROM events_exact
  WHERE campaign_id IS NOT NULL
    AND event_date BETWEEN CAST(? /* start_date */ AS date) AND CAST(? /* end_date */ AS date)
),
totals AS (
  -- Billable counts exclude known bots (is_bot, set by the transform); bots are counted apart.
  SELECT
    advertiser_id,
    campaign_id,
    count_if(event_type = 'impression' AND NOT bot) AS impressions,
    count_if(event_type = 'click' AND NOT bot) AS clicks,
    count_if(event_type = 'conversion' AND NOT bot) AS conversions,
    count_if(event_type = 'impression' AND bot) AS bot_impressions,
    count_if(event_type = 'click' AND bot) AS bot_clicks
  FROM once
  GROUP BY advertiser_id, campaign_id
),
journey AS (
  -- Billable clicks and conversions of identified visitors, from the first day to attribution_days
  -- after the last: a later click of the same visitor takes a conversion from an earlier one.
  SELECT event_id, event_type, advertiser_id, campaign_id, coalesce(user_id, anonymous_id) AS visitor,
    from_iso8601_timestamp(event_time) AS ts, event_date
  FROM events_exact
  WHERE event_type IN ('click', 'conversion')
    AND campaign_id IS NOT NULL AND coalesce(user_id, anonymous_id) IS NOT NULL
    AND coalesce(is_bot, false) = false
    AND event_date BETWEEN CAST(? /* start_date */ AS date)
      AND date_add('day', ? /* attribution_days */, CAST(? /* end_date */ AS date))
),
candidates AS (
  -- Each conversion with every click that may take it, the latest (then the greatest event_id) first.
  SELECT
    v.event_id AS conversion_id,
    k.event_id AS click_id,
    k.advertiser_id,
    k.campaign_id,
    k.event_date AS click_day,
    row_number() OVER (PARTITION BY v.event_id ORDER BY k.ts DESC, k.event_id DESC) AS recency
  FROM journey AS v
  JOIN journey AS k
    ON v.advertiser_id = k.advertiser_id AND v.campaign_id = k.campaign_id AND v.visitor = k.visitor
  -- The lookback is a WHERE condition, as Athena takes execution parameters only in WHERE clauses
  -- (for an inner join, the same rows as in ON).
  WHERE v.event_type = 'conversion' AND k.event_type = 'click'
    AND k.ts <= v.ts AND k.ts >= v.ts - INTERVAL '1' DAY * ? /* attribution_days */
),
attributed AS (
  -- Last-click attribution: each conversion goes to one click at most, its latest candidate; only
  -- clicks on the requested days count.
  SELECT
    advertiser_id,
    campaign_id,
    count(*) AS attributed_conversions,
    count(DISTINCT click_id) AS converting_clicks
  FROM candidates
  WHERE recency = 1
    AND click_day BETWEEN CAST(? /* start_date */ AS date) AND CAST(? /* end_date */ AS date)
  GROUP BY advertiser_id, campaign_id
)
SELECT
  t.advertiser_id,
  t.campaign_id,
  t.impressions,
  t.clicks,
  t.conversions,
  t.bot_impressions,
  t.bot_clicks,
  CAST(t.clicks AS double) / nullif(t.impressions, 0) AS ctr,
  coalesce(a.attributed_conversions, 0) AS attributed_conversions,
  -- At most 1: a click either has a conversion attributed to it or not.
  CAST(coalesce(a.converting_clicks, 0) AS double) / nullif(t.clicks, 0) AS conversion_rate
FROM totals AS t
LEFT JOIN attributed AS a ON a.advertiser_id = t.advertiser_id AND a.campaign_id = t.campaign_id
ORDER BY t.advertiser_id, t.campaign_id
