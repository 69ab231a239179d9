import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localFirehoseClient, localOperation, PROCESS_TEST_CEILING_MS, wireEvent } from './helpers';
import { type ServeProcess, startServeProcess, stopProcess } from './serve-process';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../../cli/clickstream.js', import.meta.url));
const DAY = 86_400_000;

async function clickstream(args: string[], env: Record<string, string> = {}) {
  const { stdout } = await run(process.execPath, [CLI, ...args], {
    timeout: 240_000,
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT', ...env },
  });
  return stdout;
}

describe('failed events: inspect, fix, redrive', () => {
  let dir: string;
  let serve: ServeProcess | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'failed-e2e-'));
  });
  afterEach(async () => {
    if (serve !== undefined) await stopProcess(serve.child, 'SIGTERM');
    serve = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  /** `clickstream serve` on the data dir with the transform's age limit set as a deployment would. */
  async function startServe(maxEventAgeDays: string): Promise<ServeProcess> {
    process.env.MAX_EVENT_AGE_DAYS = maxEventAgeDays;
    try {
      // A week of lateness horizon: the redriven event's own window (2 days ago) is still restated.
      return await startServeProcess([
        '--data-dir',
        dir,
        '--summary-interval',
        '0',
        '--lateness-horizon',
        '10080',
      ]);
    } finally {
      delete process.env.MAX_EVENT_AGE_DAYS;
    }
  }

  async function impressions(): Promise<number> {
    const summaries = JSON.parse(
      await clickstream([
        'summaries',
        '--data-dir',
        dir,
        '--advertiser',
        'adv-e2e',
        '--from',
        new Date(Date.now() - 7 * DAY).toISOString(),
        '--format',
        'json',
      ]),
    ) as { impressions: number }[];
    return summaries.reduce((sum, s) => sum + s.impressions, 0);
  }

  it(
    'lists a refused event with its reason, redrives it once after the limit is raised, and counts it once',
    async () => {
      // Arrange: a pipeline refusing events older than a day receives one of two days, sent twice.
      serve = await startServe('1');
      const event = wireEvent('late-1', { event_time: new Date(Date.now() - 2 * DAY).toISOString() });
      const data = Buffer.from(`${JSON.stringify(event)}\n`);
      await localFirehoseClient(serve.url).send(
        new PutRecordBatchCommand({
          DeliveryStreamName: 'clickstream-events',
          Records: [{ Data: data }, { Data: data }],
        }),
      );
      await localOperation(serve.url, 'Flush');

      // Inspect: the reason the transform gave, judged with the pipeline's settings.
      const listed = JSON.parse(
        await clickstream(['failed', 'list', '--data-dir', dir, '--format', 'json'], {
          MAX_EVENT_AGE_DAYS: '1',
        }),
      );
      expect(listed.groups).toMatchObject([
        { reason: 'event_too_old', error_output_type: 'processing-failed', records: 2, pass_now: 0 },
      ]);
      expect(listed.groups[0].samples[0].event).toMatchObject({ event_id: 'late-1', user_id: '[hidden]' });

      // Fix: the pipeline now keeps events up to 30 days old.
      await stopProcess(serve.child, 'SIGTERM');
      serve = await startServe('30');

      // Redrive: sent once (the second copy is the same record), delivered, summarised.
      const redrive = (extra: string[] = []) =>
        clickstream(
          [
            'failed',
            'redrive',
            '--data-dir',
            dir,
            '--endpoint-url',
            serve!.url,
            '--format',
            'json',
            ...extra,
          ],
          {
            MAX_EVENT_AGE_DAYS: '30',
          },
        ).then((text) => JSON.parse(text));
      const first = await redrive();
      expect(first).toMatchObject({
        sent: 1,
        stillFailing: {},
        skipped: { alreadyRedriven: 0, repeated: 1 },
        pipeline: { delivered: 1, failed: 0 },
      });
      expect(await impressions()).toBe(1);

      // A second redrive sends nothing new.
      const second = await redrive();
      expect(second).toMatchObject({ sent: 0, skipped: { alreadyRedriven: 2 } });

      // Without the redrive record the event goes again, and its event_id keeps it counted once.
      await rm(join(dir, 'lake', 'redrive'), { recursive: true });
      const third = await redrive();
      expect(third).toMatchObject({ sent: 1, pipeline: { duplicates: 1 } });
      expect(await impressions()).toBe(1);
      expect(await readdir(join(dir, 'lake', 'redrive'))).toHaveLength(1);
    },
    PROCESS_TEST_CEILING_MS,
  );
});
