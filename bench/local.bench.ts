// The local pipeline with its default buffering: ingest throughput through the Firehose endpoint
// with the real SDK (acknowledged, and end to end to the lake and the event index), and freshness
// (an event sent until its 15-minute summary shows it).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { windowStartOf } from '../lambdas/aggregator/windows';
import { DEFAULT_BUFFERING } from '../local/pipeline/local-delivery-stream';
import { DEFAULT_SUMMARY_INTERVAL_SECONDS, startLocalPipeline } from '../local/pipeline/local-pipeline';
import { FileSummaryStore } from '../local/summary-store/file-summary-store';
import { generateTraffic } from '../local/traffic/generate-traffic';
import type { BenchSuite } from './suites';

const INGEST_EVENTS = 30_000;
const BATCH = 500;
const CONCURRENT_REQUESTS = 4;
const FRESHNESS_SAMPLES = 3;
const POLL_MS = 50;

export const localBench: BenchSuite = {
  name: 'local',
  async run() {
    const dataDir = await mkdtemp(join(tmpdir(), 'bench-local-'));
    const pipeline = await startLocalPipeline({ dataDir });
    const client = new FirehoseClient({
      endpoint: pipeline.endpointUrl,
      region: pipeline.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      console.log(
        `default buffering ${DEFAULT_BUFFERING.sizeBytes / 2 ** 20} MiB / ${DEFAULT_BUFFERING.intervalMs / 1000} s, summaries every ${DEFAULT_SUMMARY_INTERVAL_SECONDS} s`,
      );
      await ingest(client, pipeline);
      await freshness(client, pipeline.streamName, dataDir);
    } finally {
      client.destroy();
      await pipeline.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};

async function ingest(client: FirehoseClient, pipeline: Awaited<ReturnType<typeof startLocalPipeline>>) {
  const records = realisticRecords(INGEST_EVENTS);
  const bytes = records.reduce((sum, r) => sum + r.length, 0);
  const batches: Buffer[][] = [];
  for (let i = 0; i < records.length; i += BATCH) batches.push(records.slice(i, i + BATCH));

  const started = performance.now();
  let next = 0;
  const sender = async () => {
    for (let b = next++; b < batches.length; b = next++) {
      const answer = await client.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: pipeline.streamName,
          Records: batches[b]!.map((Data) => ({ Data })),
        }),
      );
      if (answer.FailedPutCount !== 0) throw new Error(`${answer.FailedPutCount} records were refused`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENT_REQUESTS }, sender));
  const acknowledged = (performance.now() - started) / 1000;
  await pipeline.flush();
  const delivered = (performance.now() - started) / 1000;
  const stats = pipeline.stats();

  const rate = (seconds: number) => Math.round(records.length / seconds).toLocaleString('en-US');
  console.log(
    `ingest: ${records.length.toLocaleString('en-US')} events (${(bytes / 2 ** 20).toFixed(1)} MiB) in batches of ${BATCH}, ${CONCURRENT_REQUESTS} requests in flight`,
  );
  console.log(
    `  acknowledged (spooled, fsync'ed)   ${rate(acknowledged)} events/s   (${acknowledged.toFixed(1)} s)`,
  );
  console.log(
    `  end to end (lake + event index)    ${rate(delivered)} events/s   (${delivered.toFixed(1)} s, ${stats.delivered} delivered)`,
  );
  console.log(`  end to end / acknowledged          ${(acknowledged / delivered).toFixed(2)}`);
}

async function freshness(client: FirehoseClient, streamName: string, dataDir: string) {
  const store = new FileSummaryStore(dataDir);
  const samples: number[] = [];
  for (let i = 0; i < FRESHNESS_SAMPLES; i++) {
    const advertiserId = `adv-fresh-${i}`;
    const sentAt = Date.now();
    const event = {
      event_type: 'impression',
      advertiser_id: advertiserId,
      event_id: `fresh-${i}-${sentAt}`,
      event_time: new Date(sentAt).toISOString(),
    };
    await client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: streamName,
        Records: [{ Data: Buffer.from(`${JSON.stringify(event)}\n`) }],
      }),
    );
    const window = windowStartOf(sentAt);
    for (;;) {
      const { summaries } = await store.query({
        advertiserId,
        range: { from: window, to: window + 1 },
        limit: 1,
      });
      if ((summaries[0]?.impressions ?? 0) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    samples.push(Date.now() - sentAt);
  }
  const bound = DEFAULT_BUFFERING.intervalMs + DEFAULT_SUMMARY_INTERVAL_SECONDS * 1000;
  const median = [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
  console.log(
    `freshness (event sent -> visible in its summary), ${samples.length} samples: median ${(median / 1000).toFixed(1)} s, ` +
      `max ${(Math.max(...samples) / 1000).toFixed(1)} s; samples ${samples.map((s) => (s / 1000).toFixed(1)).join(', ')} s`,
  );
  console.log(
    `  median / (buffer interval + summary interval = ${bound / 1000} s)   ${(median / bound).toFixed(2)}`,
  );
}

/** Distinct valid events of a generated day, one wire-format line each. */
function realisticRecords(count: number): Buffer[] {
  const { lines } = generateTraffic({ events: count, end: Date.now(), malformedRate: 0, duplicateRate: 0 });
  return lines.slice(0, count).map((line) => Buffer.from(`${line}\n`));
}
