import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { FirehoseTransformationEvent } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsPrefixFor, type StoredEvent } from '../../../contract';
import { wholeWindows, windowStartOf } from '../../../lambdas/aggregator/windows';
import { createTransformHandler } from '../../../lambdas/transform/handler';
import { startInProcess } from '../../../local/pipeline/pipeline-connection';
import { replayFile, replayTimedFile } from '../../../local/pipeline/replay';
import { FileSummaryStore } from '../../../local/summary-store/file-summary-store';
import { formatTrafficLine } from '../../../local/traffic/traffic-line';
import { readLake, silenceLambdaTelemetry } from '../../e2e/helpers';

silenceLambdaTelemetry();

const START = Date.parse('2026-11-21T22:00:00Z');
const HORIZON_MINUTES = 60;
const MINUTE = 60_000;

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'timed-replay-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Events with arrival gaps up to 20 minutes and delays up to 3 hours: some late beyond the horizon. */
const trafficArbitrary = fc.array(
  fc.record({
    gapMs: fc.integer({ min: 0, max: 20 * MINUTE }),
    delayMs: fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 3 * 60 * MINUTE })),
    advertiser: fc.constantFrom('adv-a', 'adv-b', 'adv-c'),
    type: fc.constantFrom('impression', 'click', 'pageview'),
  }),
  { minLength: 1, maxLength: 60 },
);

describe('a timed replay', () => {
  it('stores each event with its recorded arrival as received_at, delivers in arrival order, partitions the lake by arrival, and counts as late exactly the events that arrived after their window was final', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(trafficArbitrary, async (traffic) => {
        const dir = join(root, `run-${run++}`);
        let arrival = START;
        const sent = traffic.map((t, i) => {
          arrival += t.gapMs;
          const event = {
            event_id: `e-${i}`,
            event_type: t.type,
            advertiser_id: t.advertiser,
            event_time: new Date(arrival - t.delayMs).toISOString(),
          };
          return { arrivedAt: arrival, event };
        });
        const file = join(root, `traffic-${run}.ndjson`);
        await writeFile(
          file,
          sent.map((s) => `${formatTrafficLine(s.arrivedAt, JSON.stringify(s.event))}\n`).join(''),
        );
        const deliveredInOrder: string[] = [];

        const report = await replayTimedFile({
          file,
          pipeline: {
            dataDir: dir,
            summaryIntervalSeconds: 900,
            latenessHorizonMinutes: HORIZON_MINUTES,
            buffering: { sizeBytes: 2 ** 20, intervalMs: 60_000 },
            onDelivered: (delivery) => deliveredInOrder.push(...delivery.events.map((e) => e.received_at)),
          },
        });

        expect(report).toMatchObject({ mode: 'timed', sent: sent.length, acknowledged: sent.length });
        expect(report.pipeline.delivered).toBe(sent.length);
        const stored = await readLakeObjects(join(dir, 'lake'));
        const receivedAt = new Map(stored.flatMap((o) => o.events.map((e) => [e.event_id, e.received_at])));
        for (const { arrivedAt, event } of sent) {
          expect(receivedAt.get(event.event_id)).toBe(new Date(arrivedAt).toISOString());
        }
        expect(deliveredInOrder).toEqual([...deliveredInOrder].sort());
        for (const object of stored) {
          const oldest = Math.min(...object.events.map((e) => Date.parse(e.received_at)));
          expect(object.key.startsWith(eventsPrefixFor(oldest))).toBe(true);
        }
        const horizonMs = wholeWindows(HORIZON_MINUTES * MINUTE);
        const late = sent.filter(
          (s) => Date.parse(s.event.event_time) < windowStartOf(s.arrivedAt) - horizonMs,
        ).length;
        expect(await totalLateEvents(dir)).toBe(late);
        await rm(dir, { recursive: true, force: true });
      }),
      { numRuns: 6 },
    );
  }, 240_000);
});

describe('replay and clickstream transform agree on samples/events.ndjson', () => {
  const samples = new URL('../../../samples/events.ndjson', import.meta.url);
  const ARRIVED = Date.parse('2026-11-22T08:00:00Z');

  async function transformOutcomes(): Promise<Record<string, number>> {
    const bytes = await readFile(samples);
    const records: FirehoseTransformationEvent['records'] = [];
    for (let start = 0, i = 0; start < bytes.length; i++) {
      const end = bytes.indexOf(0x0a, start);
      const line = bytes.subarray(start, end === -1 ? bytes.length : end + 1);
      records.push({
        recordId: `line-${i}`,
        approximateArrivalTimestamp: ARRIVED,
        data: line.toString('base64'),
      });
      start = end === -1 ? bytes.length : end + 1;
    }
    const handler = createTransformHandler({});
    const result = await handler({ invocationId: 'i', deliveryStreamArn: 'arn', region: 'local', records });
    const counts: Record<string, number> = { Ok: 0, Dropped: 0, ProcessingFailed: 0 };
    for (const r of result.records) counts[r.result] = (counts[r.result] ?? 0) + 1;
    return counts;
  }

  it('as now, on a pipeline whose clock says the same arrival time: the same Ok, Dropped and ProcessingFailed counts', async () => {
    const expected = await transformOutcomes();
    const connection = await startInProcess({
      dataDir: join(root, 'as-now'),
      summaryIntervalSeconds: 0,
      buffering: { sizeBytes: 2 ** 20, intervalMs: 3_600_000 },
      clock: () => ARRIVED,
    });
    try {
      const report = await replayFile({ file: samples.pathname, connection });

      expect(report.sent).toBe(31);
      expect({
        Ok: report.pipeline.delivered,
        Dropped: report.pipeline.dropped,
        ProcessingFailed: report.pipeline.failed,
      }).toEqual(expected);
      expect(expected).toEqual({ Ok: 13, Dropped: 1, ProcessingFailed: 17 });
    } finally {
      await connection.close();
    }
  });

  it('timed, with every line recorded as arriving then: the same counts', async () => {
    const expected = await transformOutcomes();
    const bytes = await readFile(samples);
    const stamp = Buffer.from(formatTrafficLine(ARRIVED, ''));
    const timed = join(root, 'samples-timed.ndjson');
    const lines: Buffer[] = [];
    for (let start = 0; start < bytes.length; ) {
      const end = bytes.indexOf(0x0a, start);
      lines.push(stamp, bytes.subarray(start, end + 1));
      start = end + 1;
    }
    await writeFile(timed, Buffer.concat(lines));

    const report = await replayTimedFile({
      file: timed,
      pipeline: { dataDir: join(root, 'timed'), summaryIntervalSeconds: 0 },
    });

    expect({
      Ok: report.pipeline.delivered,
      Dropped: report.pipeline.dropped,
      ProcessingFailed: report.pipeline.failed,
    }).toEqual(expected);
    const stored = await readLake<StoredEvent>(join(root, 'timed', 'lake'), 'events');
    expect(new Set(stored.map((e) => e.received_at))).toEqual(new Set([new Date(ARRIVED).toISOString()]));
  });
});

async function readLakeObjects(lake: string): Promise<{ key: string; events: StoredEvent[] }[]> {
  const entries = await readdir(join(lake, 'events'), { recursive: true, withFileTypes: true });
  const objects: { key: string; events: StoredEvent[] }[] = [];
  for (const entry of entries.filter((e) => e.isFile() && e.name.endsWith('.gz'))) {
    const path = join(entry.parentPath, entry.name);
    const text = gunzipSync(await readFile(path)).toString('utf8');
    objects.push({
      key: path.slice(lake.length + 1),
      events: text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as StoredEvent),
    });
  }
  return objects;
}

async function totalLateEvents(dataDir: string): Promise<number> {
  const store = new FileSummaryStore(dataDir);
  let total = 0;
  for (const advertiserId of await store.advertisers()) {
    const range = { from: START - 86_400_000, to: START + 3 * 86_400_000 };
    const { summaries } = await store.query({ advertiserId, range, limit: 10_000 });
    for (const s of summaries) total += s.lateEvents;
  }
  return total;
}
