// Delivery as the DuckDB event index grows: the index is filled directly in SQL to 0.1, 1 and 5 M
// events (the events of the days before; replaying millions through the endpoint would take too
// long), then a day of generated traffic is delivered through the delivery stream (spool,
// transform, lake, index; no HTTP) at each size. Prints the delivery rate, the indexing rate
// (time inside indexEvents) and the peak memory.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '../contract';
import { handler } from '../lambdas/transform/handler';
import { LocalDatabase } from '../local/duckdb/database';
import { DuckDbEventIndex, EVENT_INDEX_TABLE } from '../local/event-index/duckdb-event-index';
import type { EventSink } from '../local/event-index/local-event-index';
import { LakeDirectory } from '../local/lake/lake-directory';
import { DEFAULT_BUFFERING, LocalDeliveryStream } from '../local/pipeline/local-delivery-stream';
import { Spool } from '../local/pipeline/spool';
import { generateTraffic } from '../local/traffic/generate-traffic';
import type { BenchSuite } from './suites';
import { peakRssMiB } from './timing';

const SIZES = [100_000, 1_000_000, 5_000_000];
/** Events delivered at each size: enough buffers for several DuckDB checkpoints (one per ~16 MiB of WAL). */
const DELIVERED = 60_000;
const PUT_BATCH = 500;
const DAY_MS = 86_400_000;

export const indexGrowthBench: BenchSuite = {
  name: 'index-growth',
  async run() {
    process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
    process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
    const dir = await mkdtemp(join(tmpdir(), 'bench-index-growth-'));
    const db = await LocalDatabase.open(join(dir, 'event-index.duckdb'));
    try {
      const index = await DuckDbEventIndex.open(db, { tempDir: dir });
      console.log(
        `${n(DELIVERED)} generated events delivered at each size, buffers of ${DEFAULT_BUFFERING.sizeBytes / 2 ** 20} MiB`,
      );
      let loaded = 0;
      for (const [round, size] of SIZES.entries()) {
        const started = performance.now();
        await preload(db, loaded, size);
        loaded = size;
        const preloadSeconds = (performance.now() - started) / 1000;
        const result = await deliver(join(dir, `round-${round}`), index, round + 1);
        loaded += result.inserted;
        console.log(
          `${n(size).padStart(9)} indexed: delivery ${n(result.deliveryRate).padStart(6)} events/s ` +
            `(${n(result.deliveryCpuRate)} per CPU second), indexing ${n(result.indexRate).padStart(6)} events/s, ` +
            `peak RSS ${peakRssMiB()} MiB   (preloaded in ${preloadSeconds.toFixed(0)} s)`,
        );
      }
    } finally {
      db.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

/**
 * Fills the index from `from` to `to` events in one statement per million: events of the 30 days
 * before the delivered traffic, in time order, with random UUIDs as event_ids, 60 advertisers.
 */
async function preload(db: LocalDatabase, from: number, to: number): Promise<void> {
  const end = Date.now() - DAY_MS;
  const start = end - 29 * DAY_MS;
  const step = (end - start) / SIZES.at(-1)!;
  for (let low = from; low < to; low += 1_000_000) {
    const high = Math.min(to, low + 1_000_000);
    await db.run(
      `INSERT INTO ${EVENT_INDEX_TABLE} (event_id, event_type, advertiser_id, campaign_id, user_id, event_time, received_at)
       SELECT uuid()::VARCHAR,
              ['impression', 'impression', 'pageview', 'click'][1 + i % 4],
              'adv-' || (i % 60), 'cmp-' || (i % 240), 'user-' || (hash(i) % 200000),
              strftime(make_timestamp(($start + i * $step)::BIGINT * 1000), '%Y-%m-%dT%H:%M:%S.%gZ'),
              strftime(make_timestamp(($start + i * $step + 1500)::BIGINT * 1000), '%Y-%m-%dT%H:%M:%S.%gZ')
       FROM range($low, $high) AS r(i)`,
      { start, step, low, high },
    );
  }
  await db.run('CHECKPOINT');
}

async function deliver(
  dir: string,
  index: DuckDbEventIndex,
  seed: number,
): Promise<{ inserted: number; deliveryRate: number; deliveryCpuRate: number; indexRate: number }> {
  const records = generateTraffic({
    events: DELIVERED,
    end: Date.now(),
    seed,
    malformedRate: 0,
    duplicateRate: 0,
  })
    .lines.slice(0, DELIVERED)
    .map((line) => Buffer.from(`${line}\n`));
  let indexMs = 0;
  let indexed = 0;
  let inserted = 0;
  const timed: EventSink = {
    async indexEvents(events: readonly StoredEvent[]) {
      const started = performance.now();
      const outcome = await index.indexEvents(events);
      indexMs += performance.now() - started;
      indexed += events.length;
      inserted += outcome.inserted;
      return outcome;
    },
  };
  const { spool, recovered } = await Spool.open(join(dir, 'spool'));
  const stream = new LocalDeliveryStream({
    streamName: 'clickstream-events',
    region: 'us-east-1',
    accountId: '000000000000',
    createdAt: Date.now(),
    spool,
    recovered,
    buffering: { ...DEFAULT_BUFFERING, intervalMs: 60_000 },
    lake: new LakeDirectory(join(dir, 'lake')),
    index: timed,
    transform: {
      handler,
      region: 'us-east-1',
      deliveryStreamArn: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/clickstream-events',
      lambdaArn: 'arn:aws:lambda:us-east-1:000000000000:function:clickstream-transform',
    },
  });
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < records.length; i += PUT_BATCH) await stream.put(records.slice(i, i + PUT_BATCH));
  await stream.close();
  const seconds = (performance.now() - started) / 1000;
  // Every thread's CPU (DuckDB's included): steadier than wall time on a shared machine.
  const used = process.cpuUsage(cpu);
  return {
    inserted,
    deliveryRate: Math.round(records.length / seconds),
    deliveryCpuRate: Math.round(records.length / ((used.user + used.system) / 1e6)),
    indexRate: Math.round(indexed / (indexMs / 1000)),
  };
}

const n = (value: number) => value.toLocaleString('en-US');
