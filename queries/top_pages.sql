-- name: top_pages
-- description: For every day from start_date to end_date, the top_n pages (url_path) by page views over
--   the sliding window of window_days days ending that day (event time, UTC).
-- param: start_date date First window end day, inclusive (YYYY-MM-DD, UTC).
-- param: end_date date[start_date..] Last window end day, inclusive (YYYY-MM-DD, UTC).
-- param: window_days integer[1..10000] Window length in days, counting the end day (1 = that day only).
-- param: top_n integer[1..] How many pages to keep per window.
WITH arrived AS (
  -- dt is the arrival day: read the requested days, the window before them and the late-arrival
  -- margin (docs/queries.md).
  SELECT
    url_path, event_time,
    row_number() OVER (PARTITION BY event_id ORDER BY received_at) AS copy
  FROM events
  WHERE event_type = 'pageview'
    AND url_path IS NOT NULL
    AND dt BETWEEN CAST(date_add('day', -? /* window_days */, CAST(? /* start_date */ AS date)) AS varchar)
      AND CAST(date_add('day', 3, CAST(? /* end_date */ AS date)) AS varchar)
),
daily AS (
  SELECT url_path, CAST(from_iso8601_timestamp(event_time) AS date) AS event_day, count(*) AS views
  FROM arrived
  WHERE copy = 1
  GROUP BY url_path, CAST(from_iso8601_timestamp(event_time) AS date)
),
windowed AS (
  -- A day's views count toward the windows that end on that day and on the window_days - 1 days
  -- after it. Athena takes execution parameters only in WHERE clauses, so the window ends are the
  -- days plus offsets picked there, up to 10,000 days (the most one Trino sequence holds).
  SELECT date_add('day', o.day_offset, d.event_day) AS window_end, d.url_path, sum(d.views) AS page_views
  FROM daily AS d
  CROSS JOIN UNNEST(sequence(0, 9999)) AS o (day_offset)
  WHERE o.day_offset < ? /* window_days */
    AND date_add('day', o.day_offset, d.event_day)
      BETWEEN CAST(? /* start_date */ AS date) AND CAST(? /* end_date */ AS date)
  GROUP BY date_add('day', o.day_offset, d.event_day), d.url_path
),
ranked AS (
  SELECT window_end, url_path, page_views, rank() OVER (PARTITION BY window_end ORDER BY page_views DESC) AS page_rank
  FROM windowed
)
SELECT window_end, page_rank, url_path, page_views
FROM ranked
WHERE page_rank <= ? /* top_n */
ORDER BY window_end, page_rank, url_path
