import { FirehoseClient } from '@aws-sdk/client-firehose';
import { afterEach, describe, expect, it } from 'vitest';
import { startFirehoseEndpoint } from '../../local/firehose-endpoint/server';
import { createTracker, type Tracker, type UndeliveredEvent } from '../../tracker/index';
import { type FaultInjectingFirehose, startFaultInjectingFirehose } from './fault-injecting-firehose';
import { anEvent } from './scripted-firehose';

// The real SDK client, aimed at a loopback server; its own retries are off as the tracker's default client does.
function firehoseClientFor(url: string): FirehoseClient {
  return new FirehoseClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
}

const quickRetries = { maxAttempts: 6, baseDelayMs: 1, maxDelayMs: 5 };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function trackMany(tracker: Tracker, count: number): string[] {
  return Array.from({ length: count }, () => {
    const result = tracker.track(anEvent());
    if (!result.ok) throw new Error(result.message);
    return result.eventId;
  });
}

/** A tracker sending through the real client to `url`, collecting what it reports to onError. */
function trackerFor(url: string, deliveryStreamName: string) {
  const client = firehoseClientFor(url);
  cleanups.push(async () => client.destroy());
  const undelivered: UndeliveredEvent[] = [];
  const tracker = createTracker({
    deliveryStreamName,
    client,
    retry: quickRetries,
    onError: (events) => undelivered.push(...events),
  });
  return { tracker, undelivered };
}

async function fakeFirehose(...faults: Parameters<typeof startFaultInjectingFirehose>[0]) {
  const server: FaultInjectingFirehose = await startFaultInjectingFirehose(faults);
  cleanups.push(() => server.close());
  return server;
}

describe('the tracker with the real FirehoseClient over HTTP', () => {
  it('delivers every event through partial failures, throttling and dropped connections', async () => {
    const server = await fakeFirehose(
      { kind: 'fail-records', indexes: [0, 7, 499] },
      { kind: 'error', status: 503, type: 'ServiceUnavailableException' },
      { kind: 'drop-connection' },
      { kind: 'fail-records', indexes: [1, 2, 3] },
      { kind: 'error', status: 400, type: 'ThrottlingException' },
    );
    const { tracker, undelivered } = trackerFor(server.url, 'clicks');

    const ids = trackMany(tracker, 1200);
    await tracker.close();

    const arrived = new Set(
      server.accepted.map((line) => (JSON.parse(line) as { event_id: string }).event_id),
    );
    expect(ids.filter((id) => !arrived.has(id))).toEqual([]);
    expect(server.accepted.every((line) => line.endsWith('}\n'))).toBe(true);
    expect(undelivered).toEqual([]);
    expect(server.limitViolations).toEqual([]);
    expect(tracker.stats()).toMatchObject({
      accepted: 1200,
      delivered: 1200,
      failed: 0,
      queued: 0,
      inFlight: 0,
    });
  });

  it("reports the SDK's error code when the stream does not exist", async () => {
    const server = await fakeFirehose({ kind: 'error', status: 400, type: 'ResourceNotFoundException' });
    const { tracker, undelivered } = trackerFor(server.url, 'missing');

    const ids = trackMany(tracker, 3);
    await tracker.close();

    expect(undelivered.map((u) => [u.event.event_id, u.error.code, u.attempts])).toEqual(
      ids.map((id) => [id, 'ResourceNotFoundException', 1]),
    );
  });

  it('delivers to the local pipeline endpoint', async () => {
    const received: Buffer[] = [];
    const endpoint = await startFirehoseEndpoint({
      streams: [
        {
          name: 'clickstream-local',
          describe: () => ({ DeliveryStreamName: 'clickstream-local' }),
          put: async (records) => {
            received.push(...records);
            return records.map((_, i) => `local-${received.length - records.length + i}`);
          },
        },
      ],
    });
    cleanups.push(() => endpoint.close());
    const { tracker, undelivered } = trackerFor(endpoint.url, 'clickstream-local');

    const ids = trackMany(tracker, 700);
    await tracker.close();

    expect(
      received.map((data) => (JSON.parse(data.toString('utf8')) as { event_id: string }).event_id),
    ).toEqual(ids);
    expect(undelivered).toEqual([]);
  });
});
