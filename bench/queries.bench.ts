// Every saved query on a local lake of 1,000,000 event deliveries (one week of arrivals, one gzip
// NDJSON object per arrival hour, 2% re-deliveries, 1% late events, 10 failed records an hour), timed end to end as
// `clickstream query run` runs it: open DuckDB, attach the lake views, run, read every row.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBValue } from '@duckdb/node-api';
import { loadSavedQueries, placeholderValues } from '../analytics/catalog';
import { openLakeDatabase, runLocally } from '../analytics/local-runner';
import { findSavedQuery } from '../analytics/lookup';
import { parseParameterValues } from '../analytics/parameters';
import type { StoredEvent } from '../contract';
import { compactLake } from '../local/curated/compaction';
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
  ctr_by_campaign: ['2026-11-01', '2026-11-07', '1'],
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

// A one-day ctr_by_campaign on a 30-day lake, as it read the raw gzip NDJSON before the curated
// lake (arrival days from the day before to three days after) and as it reads events_exact after a
// compaction, with the bytes read from the lake's files while each runs.
const BYTES_DATA_DIR = join(tmpdir(), 'clickstream-bench-queries-30d-v1');
const BYTES_DAYS = 30;
const BYTES_EVENTS_PER_DAY = 40_000;
const BYTES_DAY = '2026-11-15';
// $2: days read beyond the margin, as an attribution lookback on raw arrival days would need to (gzip
// NDJSON is read whole, whatever the columns, so the bytes are those of the arrival days read).
const RAW_CTR_BY_CAMPAIGN = `
  SELECT advertiser_id, campaign_id, count_if(event_type = 'impression') AS impressions,
    count_if(event_type = 'click') AS clicks, count_if(event_type = 'conversion') AS conversions
  FROM (
    SELECT event_type, advertiser_id, campaign_id, event_time,
      row_number() OVER (PARTITION BY event_id ORDER BY received_at) AS copy
    FROM events
    WHERE campaign_id IS NOT NULL
      AND dt BETWEEN CAST(date_add('day', -1, CAST($1 AS date)) AS varchar)
        AND CAST(date_add('day', 3 + CAST($2 AS integer), CAST($1 AS date)) AS varchar)
  )
  WHERE copy = 1 AND CAST(from_iso8601_timestamp(event_time) AS date) = CAST($1 AS date)
  GROUP BY advertiser_id, campaign_id`;

// The same counts over events_exact, for a comparison of the same question on both layouts.
const EXACT_CTR_BY_CAMPAIGN = `
  SELECT advertiser_id, campaign_id, count_if(event_type = 'impression') AS impressions,
    count_if(event_type = 'click') AS clicks, count_if(event_type = 'conversion') AS conversions
  FROM events_exact
  WHERE campaign_id IS NOT NULL AND event_date = CAST($1 AS date)
  GROUP BY advertiser_id, campaign_id`;

function generateThirtyDays(): void {
  rmSync(BYTES_DATA_DIR, { recursive: true, force: true });
  const random = new SeededRandom(30);
  const types = ['impression', 'impression', 'impression', 'pageview', 'pageview', 'click', 'conversion'];
  const first = Date.parse('2026-11-01T00:00:00.000Z');
  const perHour = BYTES_EVENTS_PER_DAY / 24;
  let serial = 0;
  for (let h = 0; h < BYTES_DAYS * 24; h++) {
    const hourStart = first + h * HOUR;
    const batch: StoredEvent[] = [];
    for (let i = 0; i < perHour; i++) {
      const received = hourStart + random.next() * HOUR;
      const delay = random.next() < 0.01 ? random.next() * 14 * 24 * HOUR : random.next() * 10_000;
      const advertiser = Math.floor(random.next() * 20);
      const type = random.pick(types);
      batch.push({
        event_id: `ev-${serial++}`,
        event_type: type,
        advertiser_id: `adv-${advertiser}`,
        campaign_id: `cmp-${advertiser}-${Math.floor(random.next() * 10)}`,
        user_id: `u-${Math.floor(random.next() * 50_000)}`,
        event_time: new Date(Math.max(first, received - delay)).toISOString(),
        received_at: new Date(received).toISOString(),
        url: `https://shop.example.com/page/${Math.floor(random.next() * 500)}?ref=campaign`,
        url_path: `/page/${Math.floor(random.next() * 500)}`,
        user_agent:
          'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15',
        ip: `203.0.113.${Math.floor(random.next() * 255)}`,
        properties: { plan: random.pick(['free', 'pro', 'team']) },
        ...(type === 'conversion'
          ? { revenue: Math.round(random.next() * 10_000) / 100, currency: 'EUR' }
          : {}),
      });
    }
    writeEventsObject(join(BYTES_DATA_DIR, 'lake'), batch, hourStart);
  }
  writeFileSync(join(BYTES_DATA_DIR, 'complete'), `${serial} events\n`);
}

/** Bytes this process has read from files (read/pread calls, page cache included): /proc/self/io `rchar`. */
function bytesReadSoFar(): number {
  const match = /^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'));
  if (match === null) throw new Error('no rchar in /proc/self/io');
  return Number(match[1]);
}

/**
 * Bytes read from files while DuckDB runs one statement, and its rows. DuckDB 1.5's TOTAL_BYTES_READ
 * profiling metric counts its own storage only (240 bytes for a day of gzip NDJSON through
 * read_json), so the process's read counter (Linux) stands in: the statement runs alone in this
 * process, after the views are attached.
 */
async function bytesRead(
  sql: string,
  params: readonly DuckDBValue[],
): Promise<{ bytes: number; rows: number }> {
  const { db } = await openLakeDatabase(BYTES_DATA_DIR);
  try {
    const before = bytesReadSoFar();
    const rows = await db.all(sql, [...params]);
    return { bytes: bytesReadSoFar() - before, rows: rows.length };
  } finally {
    db.close();
  }
}

async function bytesComparison(): Promise<void> {
  if (!existsSync(join(BYTES_DATA_DIR, 'complete'))) {
    const started = performance.now();
    generateThirtyDays();
    console.log(
      `generated a 30-day lake in ${BYTES_DATA_DIR} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  // Compacted afresh each run: a curated table left by an earlier run (of older code) would be kept as
  // it is, and the bytes measured would be those of its layout, not of the one compaction writes now.
  rmSync(join(BYTES_DATA_DIR, 'lake', 'curated'), { recursive: true, force: true });
  const compaction = await compactLake({
    lakeDir: join(BYTES_DATA_DIR, 'lake'),
    now: () => Date.parse('2026-12-01T00:30:00.000Z'),
  });
  console.log(
    `compacted ${compaction.rowsMerged.toLocaleString('en')} events into ${compaction.filesWritten} day files in ${(compaction.elapsedMs / 1000).toFixed(1)} s`,
  );
  const query = findSavedQuery(loadSavedQueries(), 'ctr_by_campaign');
  const values = (attributionDays: number) =>
    placeholderValues<DuckDBValue>(
      query,
      parseParameterValues(query, [BYTES_DAY, BYTES_DAY, String(attributionDays)]),
    );
  const raw = await bytesRead(RAW_CTR_BY_CAMPAIGN, [BYTES_DAY, 0]);
  const curated = await bytesRead(query.sql, values(1));
  const sameCounts = await bytesRead(EXACT_CTR_BY_CAMPAIGN, [BYTES_DAY]);
  // The docs' examples attribute over 7 days: the lookback reads 7 more event days of clicks and conversions.
  const rawWeek = await bytesRead(RAW_CTR_BY_CAMPAIGN, [BYTES_DAY, 7]);
  const curatedWeek = await bytesRead(query.sql, values(7));
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  const ratio = (raw: number, curated: number) => `ratio ${(raw / curated).toFixed(1)}x`;
  console.log(
    `ctr_by_campaign for ${BYTES_DAY} on a 30-day lake (${(BYTES_DAYS * BYTES_EVENTS_PER_DAY).toLocaleString('en')} events), bytes read:`,
  );
  console.log(`  raw gzip NDJSON, arrival days -1..+3:   ${mib(raw.bytes).padStart(10)} (${raw.rows} rows)`);
  console.log(
    `  saved query over events_exact (Parquet), attribution_days 1:${mib(curated.bytes).padStart(10)} (${curated.rows} rows)`,
  );
  console.log(`  ratio: ${(raw.bytes / curated.bytes).toFixed(1)}x fewer bytes`);
  console.log(
    `  the raw query's counts over events_exact: ${mib(sameCounts.bytes)} (${sameCounts.rows} rows), ${ratio(raw.bytes, sameCounts.bytes)}`,
  );
  console.log(
    `  attribution_days 7: ${mib(curatedWeek.bytes)} (${curatedWeek.rows} rows), ${ratio(raw.bytes, curatedWeek.bytes)}; ` +
      `against the raw arrival days -1..+10 that a 7-day lookback needs (${mib(rawWeek.bytes)}), ${ratio(rawWeek.bytes, curatedWeek.bytes)}`,
  );
}

export const queriesBench: BenchSuite = {
  name: 'queries',
  async run() {
    await bytesComparison();
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
    const oneDay = await timeQuery('ctr_by_campaign', ['2026-11-01', '2026-11-01', '1']);
    const week = await timeQuery('ctr_by_campaign', [...WEEK, '1']);
    console.log(
      `ctr_by_campaign one day ${oneDay.ms.toFixed(0)} ms vs the week ${week.ms.toFixed(0)} ms: ratio ${(week.ms / oneDay.ms).toFixed(2)}`,
    );
  },
};
