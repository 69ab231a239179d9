/**
 * Trino functions the saved queries use that DuckDB lacks or defines differently, as DuckDB macros,
 * so that the same SQL text runs on Athena and locally. Each macro keeps Trino's name, argument
 * order and result; docs/queries.md lists them. A macro shadows a DuckDB built-in of the same name.
 */

// Trino's date_add/date_diff units; months and years have no fixed length, so date_diff rejects them.
const UNIT_INTERVAL = `CASE lower(unit)
    WHEN 'millisecond' THEN to_milliseconds(n) WHEN 'second' THEN to_seconds(n)
    WHEN 'minute' THEN to_minutes(n) WHEN 'hour' THEN to_hours(n) WHEN 'day' THEN to_days(CAST(n AS INTEGER))
    WHEN 'week' THEN to_weeks(CAST(n AS INTEGER)) WHEN 'month' THEN to_months(CAST(n AS INTEGER))
    WHEN 'year' THEN to_years(CAST(n AS INTEGER))
    ELSE error('date_add: unknown unit ' || unit) END`;

const UNIT_MILLIS = `CASE lower(unit)
    WHEN 'millisecond' THEN 1 WHEN 'second' THEN 1000 WHEN 'minute' THEN 60000
    WHEN 'hour' THEN 3600000 WHEN 'day' THEN 86400000
    ELSE error('date_diff: unit ' || unit || ' is not supported locally') END`;

export const TRINO_MACROS: readonly string[] = [
  // Lake timestamps are ISO-8601 text with an offset; Trino parses them into timestamp with time zone.
  'CREATE OR REPLACE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)',
  // Athena's HyperLogLog estimate has a 2.3% standard error; locally the exact count honours that bound.
  'CREATE OR REPLACE MACRO approx_distinct(x) AS count(DISTINCT x)',
  // Trino returns a value of the input (a quantile digest), as quantile_disc does.
  'CREATE OR REPLACE MACRO approx_percentile(x, p) AS quantile_disc(x, p)',
  // Trino's element_at gives NULL for a missing map key (a subscript fails); DuckDB's returns a list.
  'CREATE OR REPLACE MACRO element_at(m, k) AS m[k]',
  // date_add(unit, value, date) keeps the type of its third argument, as Trino does.
  `CREATE OR REPLACE MACRO date_add(unit, n, d DATE) AS CAST(d + ${UNIT_INTERVAL} AS DATE),
    (unit, n, d TIMESTAMPTZ) AS d + ${UNIT_INTERVAL}`,
  // Trino counts whole units elapsed, truncated toward zero; DuckDB's built-in counts boundaries crossed.
  `CREATE OR REPLACE MACRO date_diff(unit, a, b) AS
    CAST(trunc((epoch_ms(CAST(b AS TIMESTAMPTZ)) - epoch_ms(CAST(a AS TIMESTAMPTZ))) / ${UNIT_MILLIS}) AS BIGINT)`,
  // sequence(start, stop): every day (or whole number) from start to stop, inclusive.
  `CREATE OR REPLACE MACRO sequence(a DATE, b DATE) AS
    list_transform(generate_series(a, b, INTERVAL 1 DAY), x -> CAST(x AS DATE)),
    (a BIGINT, b BIGINT) AS generate_series(a, b)`,
];
