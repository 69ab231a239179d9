import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EVENT_COLUMNS, FAILED_RECORD_COLUMNS } from '../../../contract';
import { compactLake } from '../../../local/curated/compaction';
import { LocalDatabase } from '../../../local/duckdb/database';
import { attachLake } from '../../../local/duckdb/lake-views';
import { writeEventsObject, writeFailedRecordsObject } from '../../../local/duckdb/lake-writer';

let dir: string;
let db: LocalDatabase;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'clickstream-views-'));
  db = await LocalDatabase.open();
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const arrival = Date.parse('2026-11-01T07:30:00.000Z');
const click = {
  event_id: 'e1',
  event_type: 'click',
  advertiser_id: 'a',
  event_time: '2026-11-01T07:29:00.000Z',
  received_at: '2026-11-01T07:30:00.000Z',
};

describe('attachLake', () => {
  it("gives events and failed_events the Glue tables' columns, partition columns last", async () => {
    writeEventsObject(dir, [click], arrival);

    const counts = await attachLake(db, dir);
    const events = await db.typedRows('SELECT * FROM events');
    const failed = await db.typedRows('SELECT * FROM failed_events');

    expect(counts).toEqual({ events: 1, failedEvents: 0, curated: 0 });
    expect(events.columns).toEqual([
      ...EVENT_COLUMNS.map((c) => ({ name: c.name, type: c.duckdbType })),
      { name: 'dt', type: 'VARCHAR' },
      { name: 'hour', type: 'VARCHAR' },
    ]);
    expect(failed.columns).toEqual([
      ...FAILED_RECORD_COLUMNS.map((c) => ({ name: c.name, type: c.duckdbType })),
      { name: 'error_output_type', type: 'VARCHAR' },
      { name: 'dt', type: 'VARCHAR' },
    ]);
    expect(failed.rows).toEqual([]);
  });

  it('reads partition values from the folders and the error output type from its folder name', async () => {
    const record = {
      attemptsMade: 2,
      arrivalTimestamp: arrival,
      errorCode: '400',
      errorMessage: 'bad',
      attemptEndingTimestamp: arrival,
      rawData: 'e30K',
    };
    writeFailedRecordsObject(dir, 'AmazonOpenSearchService-failed', [record], arrival);
    writeFailedRecordsObject(dir, 'processing-failed', [record, record], arrival);
    writeEventsObject(dir, [{ ...click, properties: { plan: 'pro' } }], arrival);

    await attachLake(db, dir);

    expect(await db.all('SELECT event_id, dt, "hour", properties[\'plan\'] AS plan FROM events')).toEqual([
      { event_id: 'e1', dt: '2026-11-01', hour: '07', plan: 'pro' },
    ]);
    expect(
      await db.all(
        'SELECT error_output_type, dt, count(*)::INTEGER AS n FROM failed_events GROUP BY ALL ORDER BY 1',
      ),
    ).toEqual([
      { error_output_type: 'AmazonOpenSearchService-failed', dt: '2026-11-01', n: 1 },
      { error_output_type: 'processing-failed', dt: '2026-11-01', n: 2 },
    ]);
  });
});

describe('events_exact', () => {
  it('has the raw columns plus event_date, before any compaction and after one', async () => {
    writeEventsObject(dir, [click, { ...click, received_at: '2026-11-01T07:30:01.000Z' }], arrival);
    const expected = [...EVENT_COLUMNS.map((c) => c.name), 'event_date'];

    await attachLake(db, dir);
    const before = await db.typedRows('SELECT * FROM events_exact');
    await compactLake({ lakeDir: dir, now: () => Date.parse('2026-11-01T09:00:00.000Z') });
    await attachLake(db, dir);
    const after = await db.typedRows('SELECT * FROM events_exact');

    for (const result of [before, after]) {
      expect(result.columns.map((c) => c.name)).toEqual(expected);
      expect(result.columns.at(-1)?.type).toBe('DATE');
      expect(result.rows).toHaveLength(1);
    }
  });
});
