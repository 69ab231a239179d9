import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../contract';
import { localFirehoseClient, localOperation, PROCESS_TEST_CEILING_MS, readLake, wireEvent } from './helpers';
import { type ServeProcess, startServeProcess, stopProcess } from './serve-process';

const BATCHES = 24;
const RECORDS_PER_BATCH = 100;
// Long buffering: nothing is delivered before the kill, so every acknowledged record is only in the spool.
const SERVE_ARGS = ['--buffer-interval', '900', '--buffer-size', '64', '--summary-interval', '0'];

describe('a crash of the local endpoint', () => {
  let dataDir: string;
  const running: ServeProcess[] = [];

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'crash-e2e-'));
  });
  afterEach(async () => {
    for (const serve of running.splice(0)) await stopProcess(serve.child, 'SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it(
    'loses no acknowledged record: killed with SIGKILL mid-traffic, restarted, everything acked is delivered',
    async () => {
      const first = await startServeProcess(['--data-dir', dataDir, ...SERVE_ARGS]);
      running.push(first);
      const client = localFirehoseClient(first.url);
      const acked: string[] = [];
      let answered = 0;
      let killed: Promise<unknown> | undefined;
      const sends = Array.from({ length: BATCHES }, async (_, b) => {
        const ids = Array.from({ length: RECORDS_PER_BATCH }, (_, r) => `crash-${b}-${r}`);
        const records = ids.map((id) => ({ Data: Buffer.from(`${JSON.stringify(wireEvent(id))}\n`) }));
        const response = await client.send(
          new PutRecordBatchCommand({ DeliveryStreamName: 'clickstream-events', Records: records }),
        );
        if (response.FailedPutCount === 0) acked.push(...ids);
        answered += 1;
        // Kill while the remaining batches are still on their way.
        if (answered === BATCHES / 3) killed = stopProcess(first.child, 'SIGKILL');
      });

      await Promise.allSettled(sends);
      await killed;
      client.destroy();
      const second = await startServeProcess(['--data-dir', dataDir, ...SERVE_ARGS]);
      running.push(second);
      const flushed = await localOperation(second.url, 'Flush');
      await stopProcess(second.child, 'SIGTERM');

      expect(acked.length).toBeGreaterThanOrEqual((BATCHES / 3) * RECORDS_PER_BATCH);
      expect(flushed).toMatchObject({ stats: { pending: 0 } });
      const delivered = new Set(
        (await readLake<StoredEvent>(join(dataDir, 'lake'), 'events')).map((e) => e.event_id),
      );
      expect(acked.filter((id) => !delivered.has(id))).toEqual([]);
    },
    PROCESS_TEST_CEILING_MS,
  );

  it('keeps serving after bad input, and a graceful stop delivers what was accepted', async () => {
    const serve = await startServeProcess(['--data-dir', dataDir, ...SERVE_ARGS]);
    running.push(serve);
    const malformed = await fetch(serve.url, {
      method: 'POST',
      headers: {
        'x-amz-target': 'Firehose_20150804.PutRecordBatch',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: '{"Records": [',
    });
    const client = localFirehoseClient(serve.url);

    const put = await client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'clickstream-events',
        Records: [{ Data: Buffer.from(`${JSON.stringify(wireEvent('after-bad-input'))}\n`) }],
      }),
    );
    client.destroy();
    const exitCode = await stopProcess(serve.child, 'SIGTERM');

    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ __type: 'SerializationException' });
    expect(put.FailedPutCount).toBe(0);
    expect(exitCode).toBe(0);
    const delivered = (await readLake<StoredEvent>(join(dataDir, 'lake'), 'events')).map((e) => e.event_id);
    expect(delivered).toEqual(['after-bad-input']);
  });
});
