import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FailedRecord, type StoredEvent, toEpochMillis, validateWireEvent } from '../../contract';
import { type LocalPipeline, startLocalPipeline } from '../../local/pipeline/local-pipeline';
import { startInProcess } from '../../local/pipeline/pipeline-connection';
import { replayFile } from '../../local/pipeline/replay';
import { FileSummaryStore } from '../../local/summary-store/file-summary-store';
import { generateTraffic } from '../../local/traffic/generate-traffic';
import { localFirehoseClient, readLake, silenceLambdaTelemetry, wireEvent } from './helpers';

silenceLambdaTelemetry();

const HOUR = 3_600_000;

async function summedSummaries(dataDir: string, from: number, to: number) {
  const store = new FileSummaryStore(dataDir);
  const totals = { impressions: 0, clicks: 0, conversions: 0, pageviews: 0, windows: 0 };
  for (const advertiserId of await store.advertisers()) {
    const { summaries } = await store.query({ advertiserId, range: { from, to }, limit: 10_000 });
    for (const s of summaries) {
      totals.impressions += s.impressions;
      totals.clicks += s.clicks;
      totals.conversions += s.conversions;
      totals.pageviews += s.pageviews;
      totals.windows += 1;
    }
  }
  return totals;
}

describe('the local pipeline, end to end', () => {
  let dataDir: string;
  let pipeline: LocalPipeline | undefined;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'pipeline-e2e-'));
  });
  afterEach(async () => {
    await pipeline?.close();
    pipeline = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('takes a batch from the real FirehoseClient to the lake, the error prefix, the index and the summaries', async () => {
    pipeline = await startLocalPipeline({ dataDir, summaryIntervalSeconds: 0 });
    const client = localFirehoseClient(pipeline.endpointUrl);
    const lines = [
      wireEvent('e1'),
      wireEvent('e2', { event_type: 'click' }),
      wireEvent('e1'),
      'not json',
      wireEvent('e3', { advertiser_id: '../../etc' }),
    ].map((e) => Buffer.from(`${typeof e === 'string' ? e : JSON.stringify(e)}\n`));

    const put = await client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: pipeline.streamName,
        Records: lines.map((Data) => ({ Data })),
      }),
    );
    const flushed = await pipeline.flush();
    client.destroy();

    expect(put.FailedPutCount).toBe(0);
    expect(flushed.stats).toMatchObject({ accepted: 5, delivered: 2, dropped: 1, failed: 2, pending: 0 });
    expect(flushed.stats.failedByReason).toEqual({ invalid_json: 1, invalid_advertiser_id: 1 });
    const events = await readLake<StoredEvent>(join(dataDir, 'lake'), 'events');
    expect(events.map((e) => e.event_id).sort()).toEqual(['e1', 'e2']);
    const failures = await readLake<FailedRecord>(join(dataDir, 'lake'), 'errors/processing-failed');
    expect(failures.map((f) => Buffer.from(f.rawData, 'base64').toString())).toEqual([
      'not json\n',
      lines[4]!.toString(),
    ]);
    expect(failures.map((f) => f.errorCode)).toEqual([
      'Lambda.ProcessingFailedStatus',
      'Lambda.ProcessingFailedStatus',
    ]);
    expect(await summedSummaries(dataDir, Date.now() - HOUR, Date.now() + HOUR)).toMatchObject({
      impressions: 1,
      clicks: 1,
    });
  });

  it('replays a generated day as arriving now, each record as recorded: every valid event counted once, every bad line refused by the transform', async () => {
    const now = Date.now();
    const traffic = generateTraffic({
      events: 3000,
      end: now,
      seed: 11,
      advertisers: 8,
      malformedRate: 0.02,
    });
    const file = join(dataDir, 'traffic.ndjson');
    await writeFile(file, `${traffic.lines.join('\n')}\n`);
    const expected = expectedOutcome(traffic.lines, now);
    expect(expected.inTheFuture).toBeGreaterThan(0);
    const connection = await startInProcess({ dataDir, summaryIntervalSeconds: 0 });

    const report = await replayFile({ file, connection });
    await connection.close();

    expect(report.lines).toBe(traffic.tally.lines);
    expect(report).toMatchObject({ mode: 'as-now', sent: report.lines, acknowledged: report.lines });
    expect(report.rewritten).toEqual({ eventIdFilled: 0, sentAtRestamped: 0 });
    expect(report.undelivered).toEqual({});
    expect(report.pipeline.accepted).toBe(report.sent);
    expect(report.pipeline.delivered + report.pipeline.dropped + report.pipeline.failed).toBe(report.sent);
    expect(report.pipeline.failed).toBe(expected.invalid + expected.inTheFuture);
    expect(report.pipeline.failedByReason.timestamp_in_future).toBe(expected.inTheFuture);
    const lakeIds = (await readLake<StoredEvent>(join(dataDir, 'lake'), 'events')).map((e) => e.event_id);
    expect(new Set(lakeIds)).toEqual(expected.ids);
    expect(report.pipeline.delivered - report.pipeline.duplicates).toBe(expected.ids.size);
    expect(await summedSummaries(dataDir, now - 25 * HOUR, now + HOUR)).toMatchObject(expected.byType);
  });
});

/** What the pipeline must make of the lines: distinct valid event ids and their counts by type. */
function expectedOutcome(lines: string[], now: number) {
  const ids = new Set<string>();
  const byType = { impressions: 0, clicks: 0, conversions: 0, pageviews: 0 };
  const keys: Record<string, keyof typeof byType> = {
    impression: 'impressions',
    click: 'clicks',
    conversion: 'conversions',
    pageview: 'pageviews',
  };
  let inTheFuture = 0;
  let invalid = 0;
  for (const line of lines) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      invalid += 1;
      continue;
    }
    const validation = validateWireEvent(value);
    if (!validation.ok) {
      invalid += 1;
      continue;
    }
    const { event } = validation;
    if (toEpochMillis(event.event_time) > now + HOUR) {
      inTheFuture += 1;
      continue;
    }
    if (ids.has(event.event_id)) continue;
    ids.add(event.event_id);
    const key = keys[event.event_type];
    // Summaries count billable ad events only: the generator's one bot is Googlebot.
    const bot = event.user_agent?.includes('Googlebot') === true && key !== 'pageviews';
    if (key !== undefined && !bot) byType[key] += 1;
  }
  return { ids, byType, inTheFuture, invalid };
}
