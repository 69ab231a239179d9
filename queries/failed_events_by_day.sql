-- name: failed_events_by_day
-- description: Records Firehose could not deliver, per arrival day on start_date..end_date (UTC), error
--   output type (processing-failed, AmazonOpenSearchService-failed) and error code.
-- param: start_date date First arrival day, inclusive (YYYY-MM-DD, UTC).
-- param: end_date date[start_date..] Last arrival day, inclusive (YYYY-MM-DD, UTC).
SELECT
  dt AS arrival_day,
  error_output_type,
  errorcode AS error_code,
  count(*) AS failed_records,
  min(errormessage) AS sample_error_message
FROM failed_events
-- Failed records carry no trusted event time: the arrival day is their day, so no margin is needed.
WHERE dt BETWEEN ? /* start_date */ AND ? /* end_date */
GROUP BY dt, error_output_type, errorcode
ORDER BY arrival_day, error_output_type, error_code
