// Every saved query on a local lake of 1,000,000 event deliveries (one week of arrivals, one gzip
// NDJSON object per arrival hour, 2% re-deliveries, 1% late events, 10 failed records an hour), timed end to end as
// `clickstream query run` runs it: open DuckDB, attach the lake views, run, read every row.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSavedQueries } from '../analytics/catalog';
import { runLocally } from '../analytics/local-runner';
import { findSavedQuery } from '../analytics/lookup';
import { parseParameterValues } from '../analytics/parameters';
import type { StoredEvent } from '../contract';
import { writeEventsObject, writeFailedRecordsObject } from '../local/duckdb/lake-writer';
import { SeededRandom } from '../local/traffic/random';
import type { BenchSuite } from './suites';

const DELIVERIES = 1_000_000;
const FIRST_DAY = Date.parse('2026-11-01T00:00:00.000Z');
const DAYS = 7;
const HOUR = 3_600_000;
// Generated once and reused across runs: the data is deterministic (seeded), so a finished lake is valid.
const DATA_DIR = join(tmpdir(), 'clickstream-bench-queries-1m-v2');
const COMPLETE_MARKER = join(DATA_DIR, 'complete');

const PARAMS: Record<string, string[]> = {
  top_pages: ['2026-11-01', '2026-11-07', '7', '10'],
  sessions: ['2026-11-01', '2026-11-07', '30'],
  funnel: ['2026-11-01', '2026-11-07', '1'],
  property_breakdown: ['2026-11-01', '2026-11-07', 'plan'],
};
const WEEK = ['2026-11-01', '2026-11-07'];

function generateLake(): void {
  rmSync(DATA_DIR, { recursive: true, force: true });
  const random = new SeededRandom(42);
  const types = [
    'impression',
    'impression',
    'impression',
    'impression',
    'pageview',
    'pageview',
    'pageview',
    'click',
    'conversion',
  ];
  const plans = ['free', 'pro', 'team'];
  const hours = DAYS * 24;
  const perHour = Math.ceil(DELIVERIES / hours);
  let written = 0;
  let serial = 0;
  let redeliver: StoredEvent[] = [];
  for (let h = 0; h < hours && written < DELIVERIES; h++) {
    const hourStart = FIRST_DAY + h * HOUR;
    const batch: StoredEvent[] = [];
    for (const copy of redeliver)
      batch.push({ ...copy, received_at: new Date(hourStart + random.next() * HOUR).toISOString() });
    redeliver = [];
    while (batch.length < perHour && written + batch.length < DELIVERIES) {
      const received = hourStart + random.next() * HOUR;
      // Mostly seconds late; 1% of events hours to two days late (offline devices).
      const delay = random.next() < 0.01 ? random.next() * 48 * HOUR : random.next() * 10_000;
      const advertiser = Math.floor(random.next() * 20);
      const user = Math.floor(random.next() * 50_000);
      const type = random.pick(types);
      const event: StoredEvent = {
        event_id: `ev-${serial++}`,
        event_type: type,
        advertiser_id: `adv-${advertiser}`,
        campaign_id: `cmp-${advertiser}-${Math.floor(random.next() * 10)}`,
        user_id: `u-${user}`,
        event_time: new Date(Math.max(FIRST_DAY, received - delay)).toISOString(),
        received_at: new Date(received).toISOString(),
        url_path: `/page/${Math.floor(random.next() * 500)}`,
        properties: { plan: random.pick(plans) },
        ...(type === 'conversion' ? { revenue: Math.round(random.next() * 10_000) / 100 } : {}),
        ...(type === 'impression' ? { cost: 0.002 } : {}),
      };
      batch.push(event);
      if (random.next() < 0.02) redeliver.push(event);
    }
    writeEventsObject(join(DATA_DIR, 'lake'), batch, hourStart);
    written += batch.length;
    // Beside the events, a few records per hour that the transform refused.
    const failures = Array.from({ length: 10 }, (_, i) => ({
      attemptsMade: 1,
      arrivalTimestamp: hourStart + i,
      errorCode: random.pick(['Lambda.ProcessingFailed', 'Lambda.FunctionError']),
      errorMessage: random.pick(['event_time: must be ISO-8601', 'advertiser_id: required']),
      attemptEndingTimestamp: hourStart + i,
      rawData: 'e30K',
    }));
    writeFailedRecordsObject(join(DATA_DIR, 'lake'), 'processing-failed', failures, hourStart);
  }
  writeFileSync(COMPLETE_MARKER, `${written} deliveries\n`);
}

async function timeQuery(name: string, params: string[]): Promise<{ ms: number; rows: number }> {
  const query = findSavedQuery(loadSavedQueries(), name);
  const started = performance.now();
  const result = await runLocally(query, parseParameterValues(query, params), { dataDir: DATA_DIR });
  return { ms: performance.now() - started, rows: result.rows.length };
}

export const queriesBench: BenchSuite = {
  name: 'queries',
  async run() {
    if (existsSync(COMPLETE_MARKER)) {
      console.log(`reusing the lake in ${DATA_DIR}`);
    } else {
      const started = performance.now();
      generateLake();
      console.log(
        `generated ${DELIVERIES.toLocaleString('en')} deliveries in ${DATA_DIR} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    }
    console.log('query                      params                          time (ms)   rows');
    for (const query of loadSavedQueries()) {
      const params = PARAMS[query.name] ?? WEEK;
      const { ms, rows } = await timeQuery(query.name, params);
      console.log(
        `${query.name.padEnd(26)} ${params.join(' ').padEnd(31)} ${ms.toFixed(0).padStart(9)} ${String(rows).padStart(6)}`,
      );
    }
    // Pruning pays locally as it does on Athena: 2026-11-01 reads arrival days 11-01 to 11-04, not the week.
    const oneDay = await timeQuery('ctr_by_campaign', ['2026-11-01', '2026-11-01']);
    const week = await timeQuery('ctr_by_campaign', WEEK);
    console.log(
      `ctr_by_campaign one day ${oneDay.ms.toFixed(0)} ms vs the week ${week.ms.toFixed(0)} ms: ratio ${(week.ms / oneDay.ms).toFixed(2)}`,
    );
  },
};
