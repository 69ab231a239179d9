import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../contract';
import { windowStartOf } from '../../../lambdas/aggregator/windows';
import { dataDirLayout } from '../../../local/pipeline/data-dir';
import { type LocalPipeline, startLocalPipeline } from '../../../local/pipeline/local-pipeline';
import { Spool } from '../../../local/pipeline/spool';
import { FileSummaryStore } from '../../../local/summary-store/file-summary-store';
import { localFirehoseClient, readLake, silenceLambdaTelemetry, wireEvent } from '../../e2e/helpers';

silenceLambdaTelemetry();

const HOUR = 3_600_000;
// Nothing is delivered before close() unless a test says so, and no scheduled summary run happens.
const QUIET = { buffering: { sizeBytes: 64 * 2 ** 20, intervalMs: HOUR }, summaryIntervalSeconds: 0 };

async function put(pipeline: LocalPipeline, events: Record<string, unknown>[]): Promise<Buffer[]> {
  const client = localFirehoseClient(pipeline.endpointUrl);
  const records = events.map((e) => Buffer.from(`${JSON.stringify(e)}\n`));
  try {
    const answer = await client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: pipeline.streamName,
        Records: records.map((Data) => ({ Data })),
      }),
    );
    expect(answer.FailedPutCount).toBe(0);
  } finally {
    client.destroy();
  }
  return records;
}

/** Impressions per window start of one advertiser, as the summary store holds them. */
async function impressionsByWindow(dataDir: string, advertiserId: string): Promise<Map<number, number>> {
  const { summaries } = await new FileSummaryStore(dataDir).query({
    advertiserId,
    range: { from: 0, to: Date.now() + HOUR },
    limit: 1000,
  });
  return new Map(summaries.map((s) => [s.windowStart, s.impressions]));
}

describe('closing the local pipeline', () => {
  let dataDir: string;
  const open: LocalPipeline[] = [];

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'pipeline-close-'));
  });
  afterEach(async () => {
    for (const pipeline of open.splice(0)) await pipeline.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('stops within the drain timeout while delivery keeps failing, says what is left, and the next start delivers it', async () => {
    // A file where the lake's events/ folder goes: every delivery fails until it is removed.
    const blocker = join(dataDir, 'lake', 'events');
    await mkdir(join(dataDir, 'lake'));
    await writeFile(blocker, '');
    const problems: string[] = [];
    const first = await startLocalPipeline({
      dataDir,
      ...QUIET,
      drainTimeoutSeconds: 0.2,
      onProblem: (message) => problems.push(message),
    });
    open.push(first);
    const records = await put(first, [wireEvent('left-1'), wireEvent('left-2'), wireEvent('left-3')]);

    const closed = await first.close();

    expect(closed.left).toEqual({
      records: 3,
      bytes: records.reduce((sum, r) => sum + r.length, 0),
    });
    expect(problems.some((p) => p.startsWith('delivery failed, retrying'))).toBe(true);
    await rm(blocker);
    const second = await startLocalPipeline({ dataDir, ...QUIET });
    open.push(second);
    const flushed = await second.flush();
    expect(flushed.stats).toMatchObject({ accepted: 3, delivered: 3, pending: 0 });
    const lake = await readLake<StoredEvent>(join(dataDir, 'lake'), 'events');
    expect(new Set(lake.map((e) => e.event_id))).toEqual(new Set(['left-1', 'left-2', 'left-3']));
  });

  it('summarises the last buffer it delivers', async () => {
    const pipeline = await startLocalPipeline({ dataDir, ...QUIET });
    await put(pipeline, [
      wireEvent('last-1', { advertiser_id: 'adv-last' }),
      wireEvent('last-2', { advertiser_id: 'adv-last' }),
    ]);

    const closed = await pipeline.close();

    expect(closed.left.records).toBe(0);
    const counts = await impressionsByWindow(dataDir, 'adv-last');
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('summarises windows whose records waited in the spool past the lateness horizon', async () => {
    // Records a process accepted five hours ago and never delivered (it was killed): their
    // arrival and event windows are past the horizon, where no scheduled run goes any more.
    const arrived = Date.now() - 5 * HOUR;
    const eventTime = new Date(arrived - 60_000).toISOString();
    const { spool } = await Spool.open(dataDirLayout(dataDir).spool('clickstream-events'));
    await spool.append(
      ['old-1', 'old-2'].map((id) => ({
        id,
        arrivedAt: arrived,
        data: Buffer.from(
          `${JSON.stringify(wireEvent(id, { advertiser_id: 'adv-old', event_time: eventTime }))}\n`,
        ),
      })),
    );
    await spool.close();

    const pipeline = await startLocalPipeline({ dataDir, ...QUIET });
    const closed = await pipeline.close();

    expect(closed.left.records).toBe(0);
    const counts = await impressionsByWindow(dataDir, 'adv-old');
    expect(counts.get(windowStartOf(Date.parse(eventTime)))).toBe(2);
  });
});
