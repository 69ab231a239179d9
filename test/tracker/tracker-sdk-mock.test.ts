import { FirehoseClient, PutRecordBatchCommand, ServiceUnavailableException } from '@aws-sdk/client-firehose';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTracker, PUT_RECORD_BATCH_LIMITS, type UndeliveredEvent } from '../../tracker/index';
import { anEvent, networkError } from './scripted-firehose';

// The tracker driving a real FirehoseClient whose send is replaced by aws-sdk-client-mock.
const firehose = mockClient(FirehoseClient);
const client = new FirehoseClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
});

/** Firehose accepting every record. */
const acceptAll = async (input: { Records: unknown[] }) => ({
  FailedPutCount: 0,
  RequestResponses: input.Records.map((_, i) => ({ RecordId: `r${i}` })),
});

beforeEach(() => {
  vi.useFakeTimers();
  firehose.on(PutRecordBatchCommand).callsFake(acceptAll);
});
afterEach(() => {
  firehose.reset();
  vi.useRealTimers();
});

function setUp() {
  const undelivered: UndeliveredEvent[] = [];
  const tracker = createTracker({
    deliveryStreamName: 'clicks',
    client,
    onError: (events) => undelivered.push(...events),
  });
  const closeAll = async () => {
    const closed = tracker.close();
    await vi.runAllTimersAsync();
    await closed;
  };
  return { tracker, undelivered, closeAll };
}

const sentBatches = () =>
  firehose.commandCalls(PutRecordBatchCommand).map((call) => call.args[0].input.Records ?? []);

describe('the tracker over a mocked FirehoseClient', () => {
  it('re-sends only the records the response marks failed', async () => {
    firehose
      .on(PutRecordBatchCommand)
      .resolvesOnce({
        FailedPutCount: 1,
        RequestResponses: [
          { RecordId: 'r0' },
          { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' },
        ],
      })
      .callsFake(acceptAll);
    const { tracker, undelivered, closeAll } = setUp();

    tracker.track(anEvent({ campaign_id: 'first' }));
    tracker.track(anEvent({ campaign_id: 'second' }));
    await closeAll();

    const batches = sentBatches().map((records) =>
      records.map((r) => JSON.parse(Buffer.from(r.Data ?? []).toString()).campaign_id),
    );
    expect(batches).toEqual([['first', 'second'], ['second']]);
    expect(undelivered).toEqual([]);
    expect(tracker.stats()).toMatchObject({ delivered: 2, retried: 1 });
  });

  it('retries a throttled request and a network error, then delivers', async () => {
    firehose
      .on(PutRecordBatchCommand)
      .rejectsOnce(
        new ServiceUnavailableException({ message: 'Slow down.', $metadata: { httpStatusCode: 503 } }),
      )
      .rejectsOnce(networkError('ECONNRESET'))
      .callsFake(acceptAll);
    const { tracker, undelivered, closeAll } = setUp();

    tracker.track(anEvent());
    await closeAll();

    expect(sentBatches()).toHaveLength(3);
    expect(undelivered).toEqual([]);
    expect(tracker.stats()).toMatchObject({ delivered: 1, retried: 2, failed: 0 });
  });

  it('keeps every request within the record and byte limits', async () => {
    const { tracker, closeAll } = setUp();
    // 100 strings of 2,000 characters: each one value once flattened, within MAX_PROPERTY_VALUE_BYTES.
    const long = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`s${i}`, 'x'.repeat(2000)]));

    for (let i = 0; i < 1100; i++)
      tracker.track(anEvent(i % 100 === 0 ? { properties: { a: long, b: long } } : {}));
    await closeAll();

    for (const records of sentBatches()) {
      expect(records.length).toBeLessThanOrEqual(PUT_RECORD_BATCH_LIMITS.maxRecords);
      const bytes = records.reduce((sum, r) => sum + (r.Data?.length ?? 0), 0);
      expect(bytes).toBeLessThanOrEqual(PUT_RECORD_BATCH_LIMITS.maxRequestBytes);
    }
    expect(tracker.stats()).toMatchObject({ accepted: 1100, delivered: 1100 });
  });
});
