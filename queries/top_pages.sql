-- name: top_pages
-- description: For every day from start_date to end_date, the top_n pages (url_path) by page views over
--   the sliding window of window_days days ending that day (event time, UTC).
-- param: start_date date First window end day, inclusive (YYYY-MM-DD, UTC).
-- param: end_date date[start_date..] Last window end day, inclusive (YYYY-MM-DD, UTC).
-- param: window_days integer[1..10000] Window length in days, counting the end day (1 = that day only).
-- param: top_n integer[1..] How many pages to keep per window.
WITH daily AS (
  -- events_exact holds each event_id once, by event day (docs/queries.md): read the requested days
  -- and the window_days - 1 days before them.
  SELECT url_path, event_date AS event_day, count(*) AS views
  FROM events_exact
  WHERE event_type = 'pageview'
    AND url_path IS NOT NULL
    AND event_date BETWEEN date_add('day', 1 - ? /* window_days */, CAST(? /* start_date */ AS date))
      AND CAST(? /* end_date */ AS date)
  GROUP BY url_path, event_date
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
