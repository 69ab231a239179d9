import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatReplayReport } from '../../../cli/commands/replay';
import { type PipelineConnection, startInProcess } from '../../../local/pipeline/pipeline-connection';
import { replayFile } from '../../../local/pipeline/replay';
import { localFirehoseClient, silenceLambdaTelemetry, wireEvent } from '../../e2e/helpers';

silenceLambdaTelemetry();

const OWN_EVENTS = 30;
// The file's two bad lines are sent as recorded too: the transform refuses them.
const OWN_LINES = OWN_EVENTS + 2;
const OWN_PREFIX = 'What the pipeline did with them';
const SHARED_PREFIX = 'The endpoint meanwhile, all clients together';

/** Another client of the same endpoint: sends batches of `size` records until stopped. */
function otherClient(url: string, streamName: string, size: number) {
  const client = localFirehoseClient(url);
  let acknowledged = 0;
  let sending = true;
  const loop = (async () => {
    for (let batch = 0; sending; batch++) {
      const records = Array.from({ length: size }, (_, i) => ({
        Data: Buffer.from(
          `${JSON.stringify(wireEvent(`other-${batch}-${i}`, { advertiser_id: 'adv-other' }))}\n`,
        ),
      }));
      await client.send(new PutRecordBatchCommand({ DeliveryStreamName: streamName, Records: records }));
      acknowledged += size;
    }
  })();
  return {
    /** Stops after the batch in flight; resolves with the records the endpoint acknowledged to it. */
    stop: async () => {
      sending = false;
      await loop;
      client.destroy();
      return acknowledged;
    },
  };
}

describe('replayFile reports its own records', () => {
  let dir: string;
  let file: string;
  let connection: PipelineConnection;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'replay-'));
    file = join(dir, 'events.ndjson');
    const events = Array.from({ length: OWN_EVENTS }, (_, i) => JSON.stringify(wireEvent(`own-${i}`)));
    await writeFile(file, `${[...events, 'not json', '{"event_id":"no-type"}'].join('\n')}\n`);
    // Records stay buffered until the replay's flush, whatever the time between the steps.
    connection = await startInProcess({
      dataDir: join(dir, 'data'),
      summaryIntervalSeconds: 0,
      buffering: { sizeBytes: 2 ** 20, intervalMs: 3_600_000 },
    });
  });
  afterEach(async () => {
    await connection.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('while another client sends to the same endpoint: its own counts, and the endpoint totals labelled as everyone’s', async () => {
    // The other client starts once the replay has read the endpoint's counters and sends until
    // the replay asks for the final flush: both send to the endpoint at the same time.
    let other: ReturnType<typeof otherClient> | undefined;
    let otherAcknowledged = 0;
    const shared: PipelineConnection = {
      ...connection,
      stats: async () => {
        const stats = await connection.stats();
        other ??= otherClient(connection.endpointUrl, connection.streamName, 10);
        return stats;
      },
      flush: async () => {
        otherAcknowledged = (await other?.stop()) ?? 0;
        return connection.flush();
      },
    };

    const report = await replayFile({ file, connection: shared });

    expect(otherAcknowledged).toBeGreaterThan(0);
    expect(report).toMatchObject({ lines: OWN_LINES, sent: OWN_LINES, acknowledged: OWN_LINES });
    expect(report.otherRecords).toBe(otherAcknowledged);
    expect(report.pipeline.accepted).toBe(OWN_LINES + otherAcknowledged);
    const text = formatReplayReport(report);
    expect(text).toMatch(/acknowledged +32\n/);
    expect(text).toContain(`${SHARED_PREFIX} (${otherAcknowledged} records were not this replay's`);
    expect(text).not.toContain(OWN_PREFIX);
  });

  it('as the only sender: the pipeline’s counts are its own', async () => {
    const report = await replayFile({ file, connection });

    expect(report.otherRecords).toBe(0);
    expect(report.pipeline).toMatchObject({
      accepted: OWN_LINES,
      delivered: OWN_EVENTS,
      failed: 2,
      pending: 0,
    });
    expect(report.pipeline.failedByReason).toEqual({ invalid_json: 1, missing_required_field: 1 });
    const text = formatReplayReport(report);
    expect(text).toContain(OWN_PREFIX);
    expect(text).not.toContain(SHARED_PREFIX);
  });

  it('counts records already waiting at the endpoint as not its own', async () => {
    const waiting = otherClient(connection.endpointUrl, connection.streamName, 7);
    await waiting.stop();

    const report = await replayFile({ file, connection });

    expect(report.otherRecords).toBe(7);
    expect(report.pipeline.delivered).toBe(OWN_EVENTS + 7);
  });
});
