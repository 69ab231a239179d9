-- name: sessions
-- description: Sessions per day of their first event: a visitor's session ends after gap_minutes without
--   events. Count, average duration, events per session and bounce rate (one-event sessions), for
--   sessions starting on start_date..end_date (UTC, inclusive); sessions may run past midnight.
-- param: start_date date First session start day, inclusive (YYYY-MM-DD, UTC).
-- param: end_date date[start_date..] Last session start day, inclusive (YYYY-MM-DD, UTC).
-- param: gap_minutes integer[1..1440] Inactivity that ends a session, in minutes (30 is customary).
WITH once AS (
  -- events_exact holds each event_id once, by event day (docs/queries.md): read the requested days
  -- and one day either side, so that sessions crossing midnight are whole.
  SELECT event_id, coalesce(user_id, anonymous_id) AS visitor, from_iso8601_timestamp(event_time) AS ts
  FROM events_exact
  WHERE coalesce(user_id, anonymous_id) IS NOT NULL
    AND event_date BETWEEN date_add('day', -1, CAST(? /* start_date */ AS date))
      AND date_add('day', 1, CAST(? /* end_date */ AS date))
),
gaps AS (
  SELECT visitor, ts, event_id, lag(ts) OVER (PARTITION BY visitor ORDER BY ts, event_id) AS previous_ts
  FROM once
),
starts AS (
  -- An event starts a session when it is a visitor's first or comes more than gap_minutes after the
  -- previous one. Athena takes execution parameters only in WHERE clauses, so the starts and the
  -- other events are selected apart, by that condition and its negation, and put back together.
  SELECT visitor, ts, event_id, 1 AS starts_session
  FROM gaps
  WHERE previous_ts IS NULL
    OR date_diff('millisecond', previous_ts, ts) > CAST(? /* gap_minutes */ AS bigint) * 60000
  UNION ALL
  SELECT visitor, ts, event_id, 0 AS starts_session
  FROM gaps
  WHERE previous_ts IS NOT NULL
    AND date_diff('millisecond', previous_ts, ts) <= CAST(? /* gap_minutes */ AS bigint) * 60000
),
numbered AS (
  SELECT
    visitor, ts,
    sum(starts_session) OVER (PARTITION BY visitor ORDER BY ts, event_id ROWS UNBOUNDED PRECEDING) AS session_number
  FROM starts
),
sessions AS (
  SELECT visitor, session_number, min(ts) AS started, max(ts) AS ended, count(*) AS events
  FROM numbered
  GROUP BY visitor, session_number
)
SELECT
  CAST(started AS date) AS session_day,
  count(*) AS sessions,
  avg(CAST(date_diff('millisecond', started, ended) AS double) / 1000) AS avg_duration_seconds,
  avg(CAST(events AS double)) AS avg_events_per_session,
  CAST(count_if(events = 1) AS double) / count(*) AS bounce_rate
FROM sessions
WHERE CAST(started AS date) BETWEEN CAST(? /* start_date */ AS date) AND CAST(? /* end_date */ AS date)
GROUP BY CAST(started AS date)
ORDER BY session_day
