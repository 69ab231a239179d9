import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FailedRecord, type StoredEvent, validateStoredEvent } from '../../../contract';
import { createTransformHandler } from '../../../lambdas/transform/handler';
import { LocalDatabase } from '../../../local/duckdb/database';
import { DuckDbEventIndex } from '../../../local/event-index/duckdb-event-index';
import {
  type EventSink,
  IndexCallError,
  type RefusedEvent,
} from '../../../local/event-index/local-event-index';
import { LakeDirectory } from '../../../local/lake/lake-directory';
import type { ObjectStore } from '../../../local/lake/object-store';
import { type DeliveryTargets, deliverToLake, indexDelivered } from '../../../local/pipeline/delivery';
import type { Segment } from '../../../local/pipeline/spool';
import type { TransformHandler } from '../../../local/pipeline/transform-invoker';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const ARRIVAL = Date.parse('2026-11-22T07:35:12.345Z');

class FakeIndex implements EventSink {
  readonly ids = new Set<string>();
  /** Event ids it refuses, as OpenSearch refuses a document its mapping cannot take. */
  readonly refusing = new Set<string>();
  /** Event ids that fail a whole call, as DuckDB fails an insert over one row it cannot read. */
  readonly failing = new Set<string>();
  /** Calls that fail before the index answers again (it is down). */
  downFor = 0;
  readonly calls: string[][] = [];

  async indexEvents(events: readonly StoredEvent[]) {
    this.calls.push(events.map((e) => e.event_id));
    if (this.downFor > 0) {
      this.downFor -= 1;
      throw new Error('index unavailable');
    }
    const failing = events.find((e) => this.failing.has(e.event_id));
    if (failing !== undefined) {
      throw new IndexCallError(`cannot read ${failing.event_id}`, 400, 'invalid_input_error');
    }
    const refused: RefusedEvent[] = events
      .filter((e) => this.refusing.has(e.event_id))
      .map((e) => ({
        event: e,
        document: JSON.stringify(e),
        index: 'incoming-2026-11-22',
        status: 400,
        errorType: 'mapper_parsing_exception',
        errorMessage: '{"type":"mapper_parsing_exception","reason":"failed to parse"}',
        attempts: 1,
      }));
    const before = this.ids.size;
    const taken = events.filter((e) => !this.refusing.has(e.event_id));
    for (const e of taken) this.ids.add(e.event_id);
    const inserted = this.ids.size - before;
    return { inserted, duplicates: taken.length - inserted, refused };
  }
}

function event(id: string, extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ event_id: id, event_type: 'click', advertiser_id: 'adv-1', event_time: '2026-11-22T07:30:00Z', ...extra })}\n`;
}

function segment(lines: string[], id = '000000000001-segment'): Segment {
  const records = lines.map((line, i) => ({ id: `r${i}`, arrivedAt: ARRIVAL + i, data: Buffer.from(line) }));
  return { id, records, bytes: records.reduce((sum, r) => sum + r.data.length, 0) };
}

/** Both delivery steps, as the delivery stream runs them for a segment. */
async function deliverSegment(segment: Segment, targets: DeliveryTargets) {
  const report = await deliverToLake(segment, targets);
  await indexDelivered(segment, report, targets);
  return report;
}

describe('deliverToLake and indexDelivered', () => {
  let root: string;
  let lake: LakeDirectory;
  let index: FakeIndex;
  let targets: DeliveryTargets;
  let refusals: Map<string, string>;

  const read = async (key: string) =>
    gunzipSync(await lake.get(key))
      .toString()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as unknown);

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'delivery-'));
    lake = new LakeDirectory(root);
    index = new FakeIndex();
    refusals = new Map();
    const handler = createTransformHandler({ onRefused: (id, refusal) => refusals.set(id, refusal.reason) });
    targets = {
      refusals,
      streamName: 'clickstream-events',
      lake,
      index,
      indexRetryDelaysMs: [1, 1],
      now: () => ARRIVAL + 1000,
      transform: {
        handler,
        deliveryStreamArn: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/clickstream-events',
        region: 'us-east-1',
        lambdaArn: 'arn:aws:lambda:us-east-1:000000000000:function:clickstream-transform',
      },
    };
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes Ok records as one gzip NDJSON object under the events prefix of the oldest arrival', async () => {
    const report = await deliverSegment(segment([event('e1'), event('e2')]), targets);

    expect(report.keys).toEqual([
      expect.stringMatching(
        /^events\/dt=2026-11-22\/hour=07\/clickstream-events-1-2026-11-22-07-35-12-[0-9a-f-]{36}\.gz$/,
      ),
    ]);
    const rows = await read(report.keys[0]!);
    expect(rows.map((row) => validateStoredEvent(row).ok)).toEqual([true, true]);
    expect(rows).toMatchObject([
      { event_id: 'e1', received_at: '2026-11-22T07:35:12.345Z' },
      { event_id: 'e2', received_at: '2026-11-22T07:35:12.346Z' },
    ]);
    expect([...index.ids]).toEqual(['e1', 'e2']);
    expect(report).toMatchObject({ ok: 2, dropped: 0, failed: 0 });
  });

  it('writes refused records as Firehose failure records under errors/processing-failed/, with reasons', async () => {
    const lines = [event('e1'), 'not json\n', event('e2', { advertiser_id: '../etc' })];

    const report = await deliverSegment(segment(lines), targets);

    const errorsKey = report.keys.find((k) => k.startsWith('errors/'))!;
    expect(errorsKey).toMatch(/^errors\/processing-failed\/dt=2026-11-22\/clickstream-events-1-.*\.gz$/);
    const failures = (await read(errorsKey)) as FailedRecord[];
    expect(failures).toEqual(
      [1, 2].map((i) => ({
        attemptsMade: 1,
        arrivalTimestamp: ARRIVAL + i,
        errorCode: 'Lambda.ProcessingFailedStatus',
        errorMessage: 'ProcessingFailed status set for record',
        attemptEndingTimestamp: ARRIVAL + 1000,
        rawData: Buffer.from(lines[i]!).toString('base64'),
        lambdaArn: 'arn:aws:lambda:us-east-1:000000000000:function:clickstream-transform',
      })),
    );
    expect(report.failedByReason).toEqual({ invalid_json: 1, invalid_advertiser_id: 1 });
    expect(refusals.size).toBe(0);
    expect([...index.ids]).toEqual(['e1']);
  });

  it('writes documents the index refuses under errors/AmazonOpenSearchService-failed/, as Firehose does, and counts them failed', async () => {
    index.refusing.add('e2');

    const report = await deliverSegment(segment([event('e1'), event('e2')]), targets);

    const errorsKey = report.keys.find((k) => k.startsWith('errors/'))!;
    expect(errorsKey).toMatch(
      /^errors\/AmazonOpenSearchService-failed\/dt=2026-11-22\/clickstream-events-1-2026-11-22-07-35-12-.*\.gz$/,
    );
    const [failure, ...others] = (await read(errorsKey)) as FailedRecord[];
    expect(others).toEqual([]);
    expect(failure).toEqual({
      attemptsMade: 1,
      arrivalTimestamp: ARRIVAL + 1,
      errorCode: '400',
      errorMessage: '{"type":"mapper_parsing_exception","reason":"failed to parse"}',
      attemptEndingTimestamp: ARRIVAL + 1000,
      rawData: expect.any(String),
      esIndexName: 'incoming-2026-11-22',
    });
    expect(JSON.parse(Buffer.from(failure!.rawData, 'base64').toString())).toMatchObject({ event_id: 'e2' });
    // Still in the lake's events/ (Firehose's AllDocuments backup holds it too).
    expect((await read(report.keys[0]!)).length).toBe(2);
    expect(report).toMatchObject({ ok: 2, failed: 1, failedByReason: { mapper_parsing_exception: 1 } });
    expect([...index.ids]).toEqual(['e1']);
  });

  it('sends Dropped records (a repeated event_id in the batch) nowhere, and counts them', async () => {
    const report = await deliverSegment(segment([event('e1'), event('e1')]), targets);

    expect(report).toMatchObject({ ok: 1, dropped: 1, failed: 0 });
    expect(await read(report.keys[0]!)).toHaveLength(1);
  });

  it('counts events the index already holds as duplicates', async () => {
    await deliverSegment(segment([event('e1')], 'first'), targets);

    const report = await deliverSegment(segment([event('e1'), event('e2')], 'second'), targets);

    expect(report.duplicates).toBe(1);
  });

  it('writes the same keys when a segment is delivered again, so a redelivery replaces its objects', async () => {
    const lines = [event('e1'), 'not json\n'];
    const first = await deliverSegment(segment(lines), targets);

    const second = await deliverSegment(segment(lines), targets);

    expect(second.keys).toEqual(first.keys);
    expect(await lake.list('')).toEqual([...first.keys].sort());
  });

  it('sends every record of a batch whose invocations all fail to processing-failed, as Firehose does', async () => {
    const failing: TransformHandler = async () => {
      throw new Error('out of memory');
    };

    const report = await deliverSegment(segment([event('e1'), event('e2')]), {
      ...targets,
      transform: { ...targets.transform, handler: failing },
    });

    expect(report).toMatchObject({ ok: 0, failed: 2, failedByReason: { 'Lambda.FunctionError': 2 } });
    expect(await read(report.keys[0]!)).toMatchObject([
      { errorCode: 'Lambda.FunctionError', attemptsMade: 4 },
      { errorCode: 'Lambda.FunctionError', attemptsMade: 4 },
    ]);
  });

  it('dead-letters an event the index fails a whole call over, with its reason, and indexes the rest', async () => {
    index.failing.add('e3');
    const lines = ['e1', 'e2', 'e3', 'e4', 'e5'].map((id) => event(id));

    const report = await deliverSegment(segment(lines), targets);

    expect([...index.ids].sort()).toEqual(['e1', 'e2', 'e4', 'e5']);
    const errorsKey = report.keys.find((k) => k.startsWith('errors/AmazonOpenSearchService-failed/'))!;
    const [failure, ...others] = (await read(errorsKey)) as FailedRecord[];
    expect(others).toEqual([]);
    expect(failure).toMatchObject({
      attemptsMade: 1,
      arrivalTimestamp: ARRIVAL + 2,
      errorCode: '400',
      errorMessage: 'cannot read e3',
      esIndexName: 'incoming-2026-11-22',
    });
    expect(JSON.parse(Buffer.from(failure!.rawData, 'base64').toString())).toMatchObject({ event_id: 'e3' });
    expect(report).toMatchObject({
      ok: 5,
      failed: 1,
      failedByReason: { invalid_input_error: 1 },
      deadLettered: { invalid_input_error: 1 },
    });
    // Halved: never sent one at a time, and no wait (the index answered, so it is up).
    expect(index.calls.length).toBeLessThan(lines.length * 2);
  });

  it('sends the whole delivery again while the index takes nothing, and indexes everything once it is back', async () => {
    index.downFor = 3;

    const report = await deliverSegment(segment([event('e1'), event('e2')]), targets);

    expect([...index.ids]).toEqual(['e1', 'e2']);
    expect(report).toMatchObject({ failed: 0, deadLettered: {} });
  });

  it('dead-letters every event as index_unavailable when the index stays down through the retries', async () => {
    index.downFor = Number.POSITIVE_INFINITY;

    const report = await deliverSegment(segment([event('e1'), event('e2')]), targets);

    expect(report).toMatchObject({ failed: 2, deadLettered: { index_unavailable: 2 } });
    const errorsKey = report.keys.find((k) => k.startsWith('errors/AmazonOpenSearchService-failed/'))!;
    expect(await read(errorsKey)).toMatchObject([
      { errorCode: '503', errorMessage: 'index unavailable', attemptsMade: 3 },
      { errorCode: '503', errorMessage: 'index unavailable', attemptsMade: 3 },
    ]);
  });

  it('dead-letters a row the DuckDB index refuses (a lone surrogate) and indexes the rest of the delivery', async () => {
    const db = await LocalDatabase.open();
    try {
      const duckDb = await DuckDbEventIndex.open(db, { tempDir: root });
      const delivered = segment([event('e1'), event('e2')]);
      const report = await deliverToLake(delivered, targets);
      // The transform is being taught to refuse such text; here the event reaches the index as if it had not.
      report.events[1] = { ...report.events[1]!, user_agent: 'Mozilla \udc00' };

      await indexDelivered(delivered, report, { ...targets, index: duckDb });

      expect(await duckDb.count()).toBe(1);
      expect(report).toMatchObject({ failed: 1, deadLettered: { invalid_input_error: 1 } });
      const errorsKey = report.keys.find((k) => k.startsWith('errors/AmazonOpenSearchService-failed/'))!;
      const [failure] = (await read(errorsKey)) as FailedRecord[];
      expect(failure?.errorMessage).toMatch(/surrogate/);
    } finally {
      db.close();
    }
  });

  it('throws when the lake cannot take the dead letters, so the caller keeps the segment and retries', async () => {
    index.failing.add('e1');
    const delivered = segment([event('e1')]);
    const report = await deliverToLake(delivered, targets);
    const lake: ObjectStore = {
      ...targets.lake,
      put: async () => {
        throw new Error('disk full');
      },
    };

    await expect(indexDelivered(delivered, report, { ...targets, lake })).rejects.toThrow('disk full');
  });

  it('splits a large segment into several processor invocations and still writes one object', async () => {
    const invocations: number[] = [];
    const real = createTransformHandler();
    const counting: TransformHandler = async (e) => {
      invocations.push(e.records.length);
      return real(e);
    };
    const lines = Array.from({ length: 10 }, (_, i) => event(`e${i}`));

    const report = await deliverSegment(segment(lines), {
      ...targets,
      maxInvocationBytes: 400,
      transform: { ...targets.transform, handler: counting },
    });

    expect(invocations.length).toBeGreaterThan(1);
    expect(invocations.reduce((a, b) => a + b, 0)).toBe(10);
    expect(report.keys).toHaveLength(1);
    expect(report.ok).toBe(10);
  });
});
