import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../contract';
import { FileSummaryStore } from '../../local/summary-store/file-summary-store';
import { localFirehoseClient, localOperation, PROCESS_TEST_CEILING_MS, readLake, wireEvent } from './helpers';
import { type ServeProcess, startServeProcess, stopProcess, waitForOutput } from './serve-process';

const HOUR = 3_600_000;
// Records wait in the buffer until the stop, and no scheduled summary run happens.
const HELD = ['--buffer-interval', '900', '--summary-interval', '0'];

async function put(url: string, ids: string[], advertiserId = 'adv-e2e'): Promise<number> {
  const client = localFirehoseClient(url);
  const records = ids.map((id) =>
    Buffer.from(`${JSON.stringify(wireEvent(id, { advertiser_id: advertiserId }))}\n`),
  );
  try {
    const answer = await client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'clickstream-events',
        Records: records.map((Data) => ({ Data })),
      }),
    );
    expect(answer.FailedPutCount).toBe(0);
  } finally {
    client.destroy();
  }
  return records.reduce((sum, r) => sum + r.length, 0);
}

async function impressions(dataDir: string, advertiserId: string): Promise<number> {
  const { summaries } = await new FileSummaryStore(dataDir).query({
    advertiserId,
    range: { from: Date.now() - HOUR, to: Date.now() + HOUR },
    limit: 100,
  });
  return summaries.reduce((sum, s) => sum + s.impressions, 0);
}

describe('stopping clickstream serve', () => {
  let dataDir: string;
  const running: ServeProcess[] = [];
  const start = async (args: string[]) => {
    const serve = await startServeProcess(['--data-dir', dataDir, ...args]);
    running.push(serve);
    return serve;
  };

  /** A file where the lake's events/ folder goes: every delivery fails until it is removed. */
  const blockLake = async () => {
    await mkdir(join(dataDir, 'lake'), { recursive: true });
    await writeFile(join(dataDir, 'lake', 'events'), '');
    return () => rm(join(dataDir, 'lake', 'events'));
  };

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'shutdown-e2e-'));
  });
  afterEach(async () => {
    for (const serve of running.splice(0)) await stopProcess(serve.child, 'SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it(
    'while delivery keeps failing, SIGTERM stops after the drain timeout, says what is left, and the next start delivers it',
    async () => {
      const unblockLake = await blockLake();
      const failing = await start([...HELD, '--drain-timeout', '1']);
      const ids = ['drain-1', 'drain-2', 'drain-3'];
      const bytes = await put(failing.url, ids);

      const code = await stopProcess(failing.child, 'SIGTERM');

      expect(code, failing.output()).toBe(0);
      expect(failing.output()).toContain(
        `3 accepted records (${bytes} bytes) were not delivered: they stay in the spool and are delivered on the next start.`,
      );
      await unblockLake();
      const next = await start(HELD);
      await localOperation(next.url, 'Flush');
      await stopProcess(next.child, 'SIGTERM');
      const lake = await readLake<StoredEvent>(join(dataDir, 'lake'), 'events');
      expect(new Set(lake.map((e) => e.event_id))).toEqual(new Set(ids));
    },
    PROCESS_TEST_CEILING_MS,
  );

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    'a second %s stops at once with exit code %i and says what is left',
    async (signal, exitCode) => {
      await blockLake();
      const failing = await start([...HELD, '--drain-timeout', '3600']);
      const bytes = await put(failing.url, ['again-1', 'again-2']);
      failing.child.kill(signal);
      await waitForOutput(failing, /stopped accepting/);

      const code = await stopProcess(failing.child, signal);

      expect(code, failing.output()).toBe(exitCode);
      expect(failing.output()).toContain(
        `${signal} again: stopping at once. 2 accepted records (${bytes} bytes) were not delivered`,
      );
    },
    PROCESS_TEST_CEILING_MS,
  );

  it(
    'SIGTERM summarises the last buffer before it exits',
    async () => {
      const serve = await start(HELD);
      await put(serve.url, ['last-1', 'last-2', 'last-3'], 'adv-last');

      const code = await stopProcess(serve.child, 'SIGTERM');

      expect(code, serve.output()).toBe(0);
      expect(await impressions(dataDir, 'adv-last')).toBe(3);
    },
    PROCESS_TEST_CEILING_MS,
  );

  it(
    'a SIGKILL between delivery and the summary run leaves the windows to the next start',
    async () => {
      const serve = await start(['--buffer-interval', '0', '--summary-interval', '0']);
      await put(serve.url, ['killed-1', 'killed-2'], 'adv-killed');
      while ((await localOperation(serve.url, 'Stats')).delivered !== 2) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await stopProcess(serve.child, 'SIGKILL');
      expect(await impressions(dataDir, 'adv-killed')).toBe(0);

      // Scheduled runs stay off: only what the killed process recorded can bring these windows back.
      const next = await start(HELD);
      await stopProcess(next.child, 'SIGTERM');

      expect(await impressions(dataDir, 'adv-killed')).toBe(2);
    },
    PROCESS_TEST_CEILING_MS,
  );
});
