import { mkdtemp, open as openFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FailedRecord, StoredEvent } from '../../../contract';
import { handler } from '../../../lambdas/transform/handler';
import { IndexCallError } from '../../../local/event-index/local-event-index';
import { LakeDirectory } from '../../../local/lake/lake-directory';
import type { DeliveryReport } from '../../../local/pipeline/delivery';
import { type BufferingHints, LocalDeliveryStream } from '../../../local/pipeline/local-delivery-stream';
import { Spool, type SpoolOptions } from '../../../local/pipeline/spool';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const HOUR = 3_600_000;

function event(id: string): Buffer {
  const line = {
    event_id: id,
    event_type: 'click',
    advertiser_id: 'adv-1',
    event_time: new Date().toISOString(),
  };
  return Buffer.from(`${JSON.stringify(line)}\n`);
}

describe('LocalDeliveryStream', () => {
  let root: string;
  let indexed: string[];
  let indexFailures: number;
  let lakeFailures: number;
  /** Event ids the index fails a whole call over (as DuckDB fails an insert over one bad row). */
  let unreadable: Set<string>;
  let reports: DeliveryReport[];
  let errors: unknown[];
  let opened: LocalDeliveryStream[];

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'stream-'));
    indexed = [];
    indexFailures = 0;
    lakeFailures = 0;
    unreadable = new Set();
    reports = [];
    errors = [];
    opened = [];
  });
  afterEach(async () => {
    for (const stream of opened) await stream.close();
    await rm(root, { recursive: true, force: true });
  });

  async function open(buffering: BufferingHints, maxBacklogBytes?: number, spoolOptions?: SpoolOptions) {
    const { spool, recovered } = await Spool.open(join(root, 'spool'), spoolOptions);
    let announce: (report: DeliveryReport) => void = () => undefined;
    const lake = new LakeDirectory(join(root, 'lake'));
    const stream = new LocalDeliveryStream({
      streamName: 'clickstream-events',
      region: 'us-east-1',
      accountId: '000000000000',
      createdAt: Date.now(),
      spool,
      recovered,
      buffering,
      maxBacklogBytes,
      lake: {
        put: async (key, body) => {
          if (lakeFailures > 0) {
            lakeFailures -= 1;
            throw new Error('lake unavailable');
          }
          await lake.put(key, body);
        },
        get: (key) => lake.get(key),
        list: (prefix) => lake.list(prefix),
      },
      indexRetryDelaysMs: [1],
      index: {
        indexEvents: async (events: readonly StoredEvent[]) => {
          if (indexFailures > 0) {
            indexFailures -= 1;
            throw new Error('index busy');
          }
          const bad = events.find((e) => unreadable.has(e.event_id));
          if (bad !== undefined)
            throw new IndexCallError(`cannot read ${bad.event_id}`, 400, 'invalid_input_error');
          indexed.push(...events.map((e) => e.event_id));
          return { inserted: events.length, duplicates: 0 };
        },
      },
      transform: {
        handler,
        deliveryStreamArn: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/clickstream-events',
        region: 'us-east-1',
        lambdaArn: 'arn:aws:lambda:us-east-1:000000000000:function:clickstream-transform',
      },
      onDelivered: (report) => {
        reports.push(report);
        announce(report);
      },
      onDeliveryError: (error) => errors.push(error),
    });
    opened.push(stream);
    const nextDelivery = () => new Promise<DeliveryReport>((resolve) => (announce = resolve));
    return { stream, spool, nextDelivery, lake };
  }

  it('holds records until the buffer interval or a flush', async () => {
    const { stream } = await open({ sizeBytes: 1024 * 1024, intervalMs: HOUR });
    await stream.put([event('a'), event('b')]);

    expect(indexed).toEqual([]);
    await stream.flush();

    expect(indexed).toEqual(['a', 'b']);
    expect(stream.pending).toBe(0);
  });

  it('delivers once the buffer reaches its size', async () => {
    const { stream, nextDelivery } = await open({ sizeBytes: 200, intervalMs: HOUR });
    const delivered = nextDelivery();

    await stream.put([event('a'), event('b')]);

    expect((await delivered).ok).toBe(2);
    expect(indexed).toEqual(['a', 'b']);
  });

  it('delivers once the buffer interval has passed', async () => {
    const { stream, nextDelivery } = await open({ sizeBytes: 1024 * 1024, intervalMs: 20 });
    const delivered = nextDelivery();

    await stream.put([event('a')]);

    expect((await delivered).ok).toBe(1);
  });

  it('retries a failed delivery until it succeeds, losing nothing', async () => {
    const { stream } = await open({ sizeBytes: 1024 * 1024, intervalMs: HOUR });
    indexFailures = 1;
    await stream.put([event('a')]);

    await stream.flush();

    expect(errors).toHaveLength(1);
    expect(indexed).toEqual(['a']);
  });

  it('delivers several buffers in arrival order, and after a lake failure starts again from the oldest', async () => {
    const { stream } = await open({ sizeBytes: 1, intervalMs: HOUR });
    lakeFailures = 1;
    for (const id of ['a', 'b', 'c']) await stream.put([event(id)]);

    await stream.flush();

    expect(errors).toHaveLength(1);
    expect(indexed).toEqual(['a', 'b', 'c']);
    expect(reports.map((r) => r.ok)).toEqual([1, 1, 1]);
    expect(stream.pending).toBe(0);
  });

  it('refuses puts with ServiceUnavailableException while the undelivered backlog is over its limit', async () => {
    const { stream } = await open({ sizeBytes: 1, intervalMs: HOUR }, 0);
    indexFailures = 1;
    await stream.put([event('a')]);

    const refused = await stream.put([event('b')]).catch((e: unknown) => e);

    expect(refused).toMatchObject({ code: 'ServiceUnavailableException' });
    await stream.flush();
    expect(indexed).toEqual(['a']);
  });

  it('dead-letters an event the index refuses, with its reason, and delivers the buffers behind it', async () => {
    const { stream, lake } = await open({ sizeBytes: 1, intervalMs: HOUR });
    unreadable.add('bad');
    await stream.put([event('a'), event('bad')]);
    await stream.put([event('c')]);

    await stream.flush();

    expect(indexed).toEqual(['a', 'c']);
    expect(reports.map((r) => r.deadLettered)).toEqual([{ invalid_input_error: 1 }, {}]);
    const [deadLetters] = await lake.list('errors/AmazonOpenSearchService-failed/');
    const [failure] = gunzipSync(await lake.get(deadLetters!))
      .toString()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as FailedRecord);
    expect(failure).toMatchObject({ errorCode: '400', errorMessage: 'cannot read bad' });
    expect(stream.pending).toBe(0);
  });

  it('leaves no spool file once everything is delivered, however many seals concurrent puts start', async () => {
    const { stream } = await open({ sizeBytes: 1, intervalMs: HOUR });

    await Promise.all(Array.from({ length: 20 }, (_, i) => stream.put([event(`e${i}`)])));
    await stream.flush();

    expect(indexed).toHaveLength(20);
    expect(await readdir(join(root, 'spool'))).toEqual([]);
  });

  it('goes on taking records after its spool folder is deleted', async () => {
    const { stream } = await open({ sizeBytes: 1, intervalMs: HOUR });
    await stream.put([event('a')]);
    await stream.flush();
    await rm(join(root, 'spool'), { recursive: true });

    await stream.put([event('b')]);
    await stream.flush();
    await stream.put([event('c')]);
    await stream.flush();

    expect(indexed).toEqual(['a', 'b', 'c']);
  });

  it('answers ServiceUnavailableException while no spool file will open, and takes records once one does', async () => {
    let openFailures = 1;
    const { stream } = await open({ sizeBytes: 1, intervalMs: HOUR }, undefined, {
      openRetryDelaysMs: [],
      openFile: async (path) => {
        if (openFailures-- > 0) throw new Error('EMFILE: too many open files');
        return openFile(path, 'a');
      },
    });

    const refused = await stream.put([event('a')]).catch((e: unknown) => e);
    await stream.put([event('b')]);
    await stream.flush();

    expect(refused).toMatchObject({ code: 'ServiceUnavailableException' });
    expect(indexed).toEqual(['b']);
  });

  it('delivers, on start, what a previous run acknowledged and never delivered', async () => {
    const first = await open({ sizeBytes: 1024 * 1024, intervalMs: HOUR });
    await first.stream.put([event('a'), event('b')]);
    await first.spool.close();
    opened.length = 0;

    const second = await open({ sizeBytes: 1024 * 1024, intervalMs: HOUR });
    await second.stream.flush();

    expect(indexed).toEqual(['a', 'b']);
    expect(second.stream.accepted).toBe(2);
  });
});
