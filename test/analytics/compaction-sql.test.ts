import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  affectedErrorObjectsSql,
  affectedRawObjectsSql,
  arrivalRangePredicate,
  createCuratedTableSql,
  eraseCuratedSql,
  mergeSql,
  optimizeSql,
  vacuumSql,
} from '../../analytics/compaction-sql';
import {
  curatedTable,
  lakeTables,
  type Watermark,
  watermarkMillis,
  watermarkOf,
} from '../../analytics/lake-tables';
import { LocalDatabase } from '../../local/duckdb/database';

const HOUR = 3_600_000;
const table = curatedTable(lakeTables({ eventsDays: 30, errorsDays: 30 })[0]);

describe('arrivalRangePredicate', () => {
  let db: LocalDatabase;
  // Every arrival partition of 2026-10-30 .. 2026-11-06, as the raw table's dt and hour columns.
  const START = Date.parse('2026-10-30T00:00:00Z');
  const HOURS = 8 * 24;
  beforeAll(async () => {
    db = await LocalDatabase.open();
    await db.run(
      `CREATE TABLE partitions AS SELECT strftime(TIMESTAMP '2026-10-30 00:00:00' + INTERVAL (i) HOUR, '%Y-%m-%d') AS dt,
         strftime(TIMESTAMP '2026-10-30 00:00:00' + INTERVAL (i) HOUR, '%H') AS hour FROM range(${HOURS}) t(i)`,
    );
  });
  afterAll(() => db.close());

  const selected = async (predicate: string) =>
    (
      await db.all<{ dt: string; hour: string }>(
        `SELECT dt, hour FROM partitions WHERE ${predicate} ORDER BY dt, hour`,
      )
    ).map((p) => watermarkMillis(p));
  const hourArb = fc.integer({ min: 0, max: HOURS }).map((h) => watermarkOf(START + h * HOUR));

  it('selects exactly the partitions from `from` (inclusive) to `to` (exclusive), across midnights', async () => {
    await fc.assert(
      fc.asyncProperty(hourArb, hourArb, async (a, b) => {
        const [from, to] = watermarkMillis(a) <= watermarkMillis(b) ? [a, b] : [b, a];
        const expected = Array.from({ length: HOURS }, (_, h) => START + h * HOUR).filter(
          (t) => t >= watermarkMillis(from) && t < watermarkMillis(to),
        );
        expect(await selected(arrivalRangePredicate(from, to))).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('without `from`, selects every partition before `to`', async () => {
    const to: Watermark = { dt: '2026-11-02', hour: '00' };
    const expected = Array.from({ length: HOURS }, (_, h) => START + h * HOUR).filter(
      (t) => t < watermarkMillis(to),
    );

    expect(await selected(arrivalRangePredicate(undefined, to))).toEqual(expected);
  });

  it('refuses a watermark that is not a whole UTC hour, rather than render it into SQL', () => {
    expect(() => arrivalRangePredicate(undefined, { dt: "2026-11-02' OR '1'='1", hour: '00' })).toThrow(
      /invalid watermark/,
    );
    expect(() =>
      arrivalRangePredicate({ dt: '2026-11-02', hour: '24' }, { dt: '2026-11-03', hour: '00' }),
    ).toThrow(/invalid watermark/);
  });
});

describe('createCuratedTableSql', () => {
  it('Athena: an Iceberg table with the raw columns and event_date, partitioned by event_date, Parquet', () => {
    const sql = createCuratedTableSql('athena', table, 's3://lake/curated/', {
      vacuumMaxSnapshotAgeSeconds: 259_200,
    });

    for (const column of table.columns) expect(sql).toContain(`\`${column.name}\` ${column.type}`);
    expect(sql).toContain('`event_date` date');
    expect(sql).toContain('PARTITIONED BY (event_date)');
    expect(sql).toContain("LOCATION 's3://lake/curated/'");
    expect(sql).toContain("'table_type' = 'ICEBERG'");
    expect(sql).toContain("'format' = 'parquet'");
    expect(sql).toContain("'vacuum_max_snapshot_age_seconds' = '259200'");
  });

  it('Trino: the same columns in Trino types, partitioning and location as table properties', () => {
    const sql = createCuratedTableSql('trino', table, 'local:///x/curated/');

    expect(sql).toContain('"properties" map(varchar, varchar)');
    expect(sql).toContain('"event_date" date');
    expect(sql).toContain("partitioning = ARRAY['event_date']");
    expect(sql).toContain("location = 'local:///x/curated/'");
  });
});

describe('mergeSql', () => {
  it('inserts only keys the table lacks, from the arrival range, one row per (event_date, event_id)', () => {
    const sql = mergeSql(table, {
      from: { dt: '2026-11-02', hour: '21' },
      to: { dt: '2026-11-03', hour: '06' },
    });

    expect(sql).toContain('ON curated.event_date = fresh.event_date AND curated.event_id = fresh.event_id');
    expect(sql).toContain('WHEN NOT MATCHED THEN INSERT');
    expect(sql).not.toContain('WHEN MATCHED');
    expect(sql).toContain(
      arrivalRangePredicate({ dt: '2026-11-02', hour: '21' }, { dt: '2026-11-03', hour: '06' }),
    );
    expect(sql).toContain('WHERE copy = 1');
  });
});

describe('maintenance and erasure statements', () => {
  it.each([
    ['athena', "OPTIMIZE curated_events REWRITE DATA USING BIN_PACK WHERE event_date >= DATE '2026-10-01'"],
    ['trino', "ALTER TABLE curated_events EXECUTE optimize WHERE event_date >= DATE '2026-10-01'"],
  ] as const)('optimize in %s', (dialect, expected) => {
    expect(optimizeSql(dialect, table, '2026-10-01')).toBe(expected);
  });

  it('vacuum: one VACUUM on Athena, the two procedures with the retention on Trino', () => {
    expect(vacuumSql('athena', table, 3600)).toEqual(['VACUUM curated_events']);
    expect(vacuumSql('trino', table, 3600)).toEqual([
      "ALTER TABLE curated_events EXECUTE expire_snapshots(retention_threshold => '3600s')",
      "ALTER TABLE curated_events EXECUTE remove_orphan_files(retention_threshold => '3600s')",
    ]);
  });

  it('erasure quotes the subject as a literal, whatever it holds', () => {
    const subject = { column: 'user_id' as const, value: "o'brien'; DROP TABLE events; --" };

    expect(eraseCuratedSql(table, subject)).toBe(
      "DELETE FROM curated_events WHERE user_id = 'o''brien''; DROP TABLE events; --'",
    );
    expect(affectedRawObjectsSql(subject, '2026-10-01', '2026-11-01')).toContain(
      "AND user_id = 'o''brien''; DROP TABLE events; --'",
    );
    const errors = affectedErrorObjectsSql(subject, '2026-10-01', '2026-11-01');
    expect(errors).toContain(
      "try(json_extract_scalar(from_utf8(bytes), '$.user_id')) = 'o''brien''; DROP TABLE events; --'",
    );
    expect(errors).toContain(
      `regexp_like(from_utf8(bytes), '"user_id"[^"]*"o''brien''; DROP TABLE events; --"')`,
    );
  });

  it('refuses a day that is not YYYY-MM-DD', () => {
    expect(() => optimizeSql('athena', table, "2026-10-01' OR 1=1")).toThrow(/not a day/);
    expect(() =>
      affectedRawObjectsSql({ column: 'anonymous_id', value: 'a' }, '2026-10-01', 'today'),
    ).toThrow(/not a day/);
    expect(() =>
      affectedErrorObjectsSql({ column: 'anonymous_id', value: 'a' }, "2026-10-01' OR 1=1", '2026-10-02'),
    ).toThrow(/not a day/);
  });
});
