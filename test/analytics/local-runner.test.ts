import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSavedQueries } from '../../analytics/catalog';
import { runLocally } from '../../analytics/local-runner';
import { findSavedQuery } from '../../analytics/lookup';
import { parseParameterValues } from '../../analytics/parameters';
import type { StoredEvent } from '../../contract';
import { compactLake } from '../../local/curated/compaction';
import { EmptyLakeError } from '../../local/duckdb/lake-views';
import { writeEventsObject, writeFailedRecordsObject } from '../../local/duckdb/lake-writer';

const queries = loadSavedQueries();
let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'clickstream-runner-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

function run(name: string, params: string[], verbose = false) {
  const query = findSavedQuery(queries, name);
  return runLocally(query, parseParameterValues(query, params), { dataDir, verbose });
}

function impression(day: string, hour: string): StoredEvent {
  const time = `${day}T${hour}:00:00.000Z`;
  return {
    event_id: `${day}-${hour}`,
    event_type: 'impression',
    advertiser_id: 'adv-a',
    campaign_id: 'c1',
    event_time: time,
    received_at: time,
  };
}

/** Ten arrival days, 2026-11-01 to 2026-11-10, with an object at 06:00 and at 18:00 each. */
function writeTenDays(): string[] {
  const files: string[] = [];
  for (let day = 1; day <= 10; day++) {
    const date = `2026-11-${String(day).padStart(2, '0')}`;
    for (const hour of ['06', '18']) {
      const event = impression(date, hour);
      files.push(writeEventsObject(join(dataDir, 'lake'), [event], Date.parse(event.received_at)));
    }
  }
  return files;
}

describe('runLocally', () => {
  it('reads only the curated event days a one-day query needs once the lake is compacted', async () => {
    writeTenDays();
    await compactLake({ lakeDir: join(dataDir, 'lake'), now: () => Date.parse('2026-11-11T00:30:00.000Z') });

    // attribution_days 1: the day, and the day after it for the conversions of its clicks.
    const result = await run('ctr_by_campaign', ['2026-11-05', '2026-11-05', '1'], true);

    expect(result.rows.map((row) => row.slice(0, 5))).toEqual([['adv-a', 'c1', '2', '0', '0']]);
    const parquet = result.scans.filter((s) => s.files.some((f) => f.endsWith('.parquet')));
    const days = new Set(
      parquet.flatMap((s) => s.files.flatMap((f) => f.match(/event_date=([\d-]+)/)?.[1] ?? [])),
    );
    expect([...days].sort()).toEqual(['2026-11-05', '2026-11-06']);
    // Of the ten day files, no scan reads more than those two (the view's check against the curated
    // table reads one, for the empty raw part).
    expect(Math.max(...parquet.map((s) => s.read))).toBeLessThanOrEqual(2);
    // The raw arrivals are all before the watermark: no gzip object is read.
    expect(result.scans.filter((s) => s.files.some((f) => f.endsWith('.gz')))).toEqual([]);
  });

  it('reads one arrival day of failed records for a one-day failed_events query', async () => {
    for (const day of ['2026-11-01', '2026-11-02', '2026-11-03']) {
      const arrival = Date.parse(`${day}T12:00:00.000Z`);
      const record = {
        attemptsMade: 1,
        arrivalTimestamp: arrival,
        errorCode: 'Lambda.ProcessingFailed',
        errorMessage: 'bad event',
        attemptEndingTimestamp: arrival,
        rawData: 'e30K',
      };
      writeFailedRecordsObject(join(dataDir, 'lake'), 'processing-failed', [record], arrival);
    }

    const result = await run('failed_events_by_day', ['2026-11-02', '2026-11-02'], true);

    expect(result.rows).toEqual([
      ['2026-11-02', 'processing-failed', 'Lambda.ProcessingFailed', '1', 'bad event'],
    ]);
    expect(result.scans.map((s) => s.read)).toEqual([1]);
  });

  it('treats a lake without failed records as having an empty failed_events table', async () => {
    writeTenDays();

    const result = await run('failed_events_by_day', ['2026-11-01', '2026-11-10']);

    expect(result.rows).toEqual([]);
    expect(result.columns.map((c) => c.name)).toEqual([
      'arrival_day',
      'error_output_type',
      'error_code',
      'failed_records',
      'sample_error_message',
    ]);
  });

  it.each([
    ['a missing data directory', () => rmSync(dataDir, { recursive: true })],
    ['an empty lake directory', () => mkdirSync(join(dataDir, 'lake', 'events'), { recursive: true })],
  ])('refuses %s with a clear message', async (_, arrange) => {
    arrange();

    const run1 = run('ctr_by_campaign', ['2026-11-01', '2026-11-01', '1']);

    await expect(run1).rejects.toThrow(EmptyLakeError);
    await expect(run1).rejects.toThrow(
      `the lake ${join(dataDir, 'lake')} holds no events and no failed records`,
    );
  });
});
