-- name: revenue_by_currency
-- description: Revenue and cost per advertiser, event day on start_date..end_date (UTC), campaign and
--   currency: one row per currency, as amounts in different currencies are never added. Billable events
--   only (known bots left out); an amount sent without a currency is in the row of currency XXX.
-- param: start_date date First event day, inclusive (YYYY-MM-DD, UTC).
-- param: end_date date[start_date..] Last event day, inclusive (YYYY-MM-DD, UTC).
SELECT
  advertiser_id,
  event_date AS event_day,
  campaign_id,
  -- XXX is ISO 4217's code for "no currency": the pipeline never guesses one.
  coalesce(currency, 'XXX') AS currency,
  coalesce(sum(revenue), 0) AS revenue,
  coalesce(sum(cost), 0) AS cost,
  count_if(revenue IS NOT NULL) AS events_with_revenue,
  count_if(cost IS NOT NULL) AS events_with_cost
-- events_exact holds each event_id once, by event day, whenever it arrived (docs/queries.md).
FROM events_exact
WHERE (revenue IS NOT NULL OR cost IS NOT NULL)
  AND coalesce(is_bot, false) = false
  AND event_date BETWEEN CAST(? /* start_date */ AS date) AND CAST(? /* end_date */ AS date)
GROUP BY advertiser_id, event_date, campaign_id, coalesce(currency, 'XXX')
ORDER BY advertiser_id, event_day, campaign_id NULLS FIRST, currency
