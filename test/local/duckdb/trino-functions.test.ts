import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalDatabase } from '../../../local/duckdb/database';
import { TRINO_MACROS } from '../../../local/duckdb/trino-functions';

let db: LocalDatabase;

beforeAll(async () => {
  db = await LocalDatabase.open();
  await db.run("SET TimeZone = 'UTC'");
  for (const macro of TRINO_MACROS) await db.run(macro);
});
afterAll(() => db.close());

async function value(expression: string): Promise<unknown> {
  const { rows } = await db.table(`SELECT ${expression} AS v`);
  return rows[0]?.v;
}

// Expected values are Trino's results for the same expressions (Athena engine v3 documentation).
describe('Trino functions as DuckDB macros', () => {
  it.each([
    ["from_iso8601_timestamp('2026-11-01T23:30:00.250-02:00')", '2026-11-02 01:30:00.25+00'],
    ["CAST(from_iso8601_timestamp('2026-11-01T23:59:59.999Z') AS date)", '2026-11-01'],
    ["date_add('day', -1, DATE '2026-03-01')", '2026-02-28'],
    ["CAST(date_add('day', 3, DATE '2026-12-30') AS varchar)", '2027-01-02'],
    ["date_add('hour', 2, from_iso8601_timestamp('2026-11-01T23:00:00Z'))", '2026-11-02 01:00:00+00'],
    ["date_add('minute', -30, from_iso8601_timestamp('2026-11-01T00:10:00Z'))", '2026-10-31 23:40:00+00'],
    // Whole units elapsed, truncated toward zero (DuckDB's own date_diff counts boundaries: 1 and -1).
    [
      "date_diff('second', from_iso8601_timestamp('2026-11-01T00:00:00.900Z'), from_iso8601_timestamp('2026-11-01T00:00:01.100Z'))",
      '0',
    ],
    [
      "date_diff('second', from_iso8601_timestamp('2026-11-01T00:00:01.100Z'), from_iso8601_timestamp('2026-11-01T00:00:00.900Z'))",
      '0',
    ],
    [
      "date_diff('millisecond', from_iso8601_timestamp('2026-11-01T23:59:59.500Z'), from_iso8601_timestamp('2026-11-02T00:00:00.250Z'))",
      '750',
    ],
    [
      "date_diff('day', from_iso8601_timestamp('2026-11-01T12:00:00Z'), from_iso8601_timestamp('2026-11-03T11:59:59Z'))",
      '1',
    ],
    ["element_at(MAP {'plan': 'pro'}, 'plan')", 'pro'],
    ["element_at(MAP {'plan': 'pro'}, 'missing')", null],
    ["element_at(CAST(NULL AS MAP(VARCHAR, VARCHAR)), 'plan')", null],
    [
      "CAST(sequence(DATE '2026-10-31', DATE '2026-11-02') AS varchar[])",
      ['2026-10-31', '2026-11-01', '2026-11-02'],
    ],
    ['CAST(sequence(0, 3) AS varchar[])', ['0', '1', '2', '3']],
  ])('%s', async (expression, expected) => {
    expect(await value(expression)).toEqual(expected);
  });

  it.each([
    ['approx_distinct(x)', 'SELECT x FROM (VALUES (1), (2), (2), (NULL), (3)) AS t (x)', '3'],
    ['approx_percentile(x, 0.5)', 'SELECT x FROM (VALUES (1.0), (2.0), (3.0), (4.0)) AS t (x)', '2.0'],
    ['approx_percentile(x, 0.9)', 'SELECT x FROM (VALUES (1.0), (2.0), (3.0), (4.0)) AS t (x)', '4.0'],
  ])('aggregate %s', async (aggregate, rows, expected) => {
    const { rows: result } = await db.table(`SELECT ${aggregate} AS v FROM (${rows})`);

    expect(result[0]?.v).toEqual(expected);
  });

  it('names the unit it cannot handle', async () => {
    await expect(value("date_add('fortnight', 1, DATE '2026-11-01')")).rejects.toThrow(
      'date_add: unknown unit fortnight',
    );
  });
});
