// Local summary computation at scale: 1,000,000 events of 1,000 advertisers over one UTC day in
// the DuckDB event index, then one summary cycle (the same core as the Lambda workers) over every
// window of that day for every advertiser, into the file summary store. The cycle asks DuckDB for
// a page of advertisers at once (BulkEventIndex), as the local pipeline does.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '../contract';
import { runSummaryCycle } from '../lambdas/aggregator/cycle';
import type { BulkEventIndex } from '../lambdas/aggregator/ports';
import { LocalDatabase } from '../local/duckdb/database';
import { DuckDbEventIndex } from '../local/event-index/duckdb-event-index';
import { FileSummaryStore } from '../local/summary-store/file-summary-store';
import { SeededRandom } from '../local/traffic/random';
import type { BenchSuite } from './suites';
import { peakRssMiB } from './timing';

const EVENTS = 1_000_000;
const ADVERTISERS = 1_000;
const LOAD_BATCH = 50_000;
const DAY_START = Date.parse('2026-11-21T00:00:00.000Z');
const DAY_MS = 86_400_000;
// A run at midnight whose horizon reaches back to the day's first window: planRun starts the run
// one schedule period plus one window before the horizon, so 24 h - 30 min covers 00:00..24:00.
const RUN_AT = DAY_START + DAY_MS;
const SETTINGS = { latenessHorizonMinutes: 24 * 60 - 30, summaryScheduleMinutes: 15 };

export const summariesBench: BenchSuite = {
  name: 'summaries',
  async run() {
    const dir = await mkdtemp(join(tmpdir(), 'bench-summaries-'));
    const db = await LocalDatabase.open(join(dir, 'event-index.duckdb'));
    try {
      const index = await DuckDbEventIndex.open(db);
      const loadMs = await load(index);
      console.log(
        `load: ${n(EVENTS)} events of ${n(ADVERTISERS)} advertisers into the DuckDB event index in ${s(loadMs)} ` +
          `(${n(Math.round(EVENTS / (loadMs / 1000)))} events/s), peak RSS so far ${peakRssMiB()} MiB`,
      );

      const timed = new TimedEventIndex(index);
      const store = new FileSummaryStore(dir);
      const started = performance.now();
      const outcome = await runSummaryCycle({
        eventIndex: timed,
        summaryStore: store,
        clock: () => RUN_AT,
        settings: SETTINGS,
        onAdvertiser: (done) => {
          if (done % 250 === 0) console.log(`  ${done}/${ADVERTISERS} advertisers`);
        },
      });
      const computeMs = performance.now() - started;
      const perWindow = outcome.windowsWritten / outcome.advertisers;
      console.log(
        `compute: ${n(outcome.windowsWritten)} summaries (${perWindow.toFixed(1)} windows per advertiser, ${n(outcome.advertisers)} advertisers) ` +
          `in ${s(computeMs)}: ${n(Math.round(outcome.windowsWritten / (computeMs / 1000)))} summaries/s`,
      );
      console.log(
        `  of which DuckDB aggregation ${s(timed.aggregateMs)} (${((timed.aggregateMs / computeMs) * 100).toFixed(0)}%), ` +
          `advertiser listing ${s(timed.listMs)}, the rest the file store and the core`,
      );
      console.log(`peak RSS: ${peakRssMiB()} MiB`);
    } finally {
      db.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

/** Indexes the generated day in batches (generation is not timed) and returns the indexing time. */
async function load(index: DuckDbEventIndex): Promise<number> {
  const random = new SeededRandom(42);
  let indexingMs = 0;
  for (let offset = 0; offset < EVENTS; offset += LOAD_BATCH) {
    const batch = Array.from({ length: Math.min(LOAD_BATCH, EVENTS - offset) }, (_, i) =>
      event(offset + i, random),
    );
    const started = performance.now();
    await index.indexEvents(batch);
    indexingMs += performance.now() - started;
  }
  return indexingMs;
}

const TYPES: [string, number][] = [
  ['impression', 0.7],
  ['pageview', 0.94],
  ['click', 0.99],
  ['conversion', 1],
];

function event(i: number, random: SeededRandom): StoredEvent {
  const advertiser = Math.floor(random.next() * ADVERTISERS);
  const time = DAY_START + Math.floor(random.next() * DAY_MS);
  const roll = random.next();
  const type = TYPES.find(([, upTo]) => roll < upTo)?.[0] ?? 'impression';
  return {
    event_id: `e-${i}`,
    event_type: type,
    advertiser_id: `adv-${String(advertiser).padStart(4, '0')}`,
    event_time: new Date(time).toISOString(),
    received_at: new Date(time + 1000 + Math.floor(random.next() * 5000)).toISOString(),
    campaign_id: `cmp-${advertiser}-${Math.floor(random.next() * 8)}`,
    user_id: `u-${advertiser}-${Math.floor(random.next() * 400)}`,
    ...(type === 'impression' ? { cost: Math.round(random.next() * 500) / 100_000 } : {}),
    ...(type === 'conversion' ? { revenue: Math.round(random.next() * 10_000) / 100 } : {}),
  };
}

/** Adds up the time spent in each event-index call. */
class TimedEventIndex implements BulkEventIndex {
  aggregateMs = 0;
  listMs = 0;
  constructor(private readonly inner: BulkEventIndex) {}

  async listActiveAdvertisers(...args: Parameters<BulkEventIndex['listActiveAdvertisers']>) {
    const started = performance.now();
    const page = await this.inner.listActiveAdvertisers(...args);
    this.listMs += performance.now() - started;
    return page;
  }

  async aggregateAdvertiser(...args: Parameters<BulkEventIndex['aggregateAdvertiser']>) {
    const started = performance.now();
    const aggregation = await this.inner.aggregateAdvertiser(...args);
    this.aggregateMs += performance.now() - started;
    return aggregation;
  }

  async aggregateAdvertisers(...args: Parameters<BulkEventIndex['aggregateAdvertisers']>) {
    const started = performance.now();
    const aggregations = await this.inner.aggregateAdvertisers(...args);
    this.aggregateMs += performance.now() - started;
    return aggregations;
  }
}

const n = (value: number) => value.toLocaleString('en-US');
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
