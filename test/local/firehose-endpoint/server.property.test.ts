import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FirehoseEndpoint, startFirehoseEndpoint } from '../../../local/firehose-endpoint/server';
import { RecordingStream } from './recording-stream';

const TARGETS = [
  'Firehose_20150804.PutRecordBatch',
  'Firehose_20150804.PutRecord',
  'Firehose_20150804.DescribeDeliveryStream',
  'Firehose_20150804.ListDeliveryStreams',
  'Firehose_20150804.CreateDeliveryStream',
  'Kinesis_20131202.PutRecords',
  'Firehose_20150804.constructor',
  'Firehose_20150804.__proto__',
  'Firehose_20150804.toString',
  '',
];

// Bodies near the real shape (so validation, not only JSON parsing, is exercised) and plain noise.
const record = fc.record(
  { Data: fc.oneof(fc.base64String(), fc.string(), fc.integer(), fc.constant(null)) },
  { requiredKeys: [] },
);
const nearlyValid = fc
  .record(
    {
      DeliveryStreamName: fc.oneof(fc.constant('clickstream-events'), fc.string()),
      Records: fc.oneof(fc.array(record, { maxLength: 5 }), fc.anything()),
      Record: fc.oneof(record, fc.anything()),
      Limit: fc.oneof(fc.integer(), fc.anything()),
    },
    { requiredKeys: [] },
  )
  .map((body) => JSON.stringify(body));
const body = fc.oneof(
  nearlyValid,
  fc.json(),
  fc.string(),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
);

describe('Firehose endpoint, any request', () => {
  let endpoint: FirehoseEndpoint;

  beforeAll(async () => {
    endpoint = await startFirehoseEndpoint({ streams: [new RecordingStream('clickstream-events')] });
  });
  afterAll(async () => {
    await endpoint.close();
  });

  it('answers 200 with a JSON object or 400 with an AWS error, and keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...TARGETS), body, async (target, text) => {
        const response = await fetch(endpoint.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-amz-json-1.1',
            ...(target ? { 'x-amz-target': target } : {}),
          },
          body: text,
        });
        const answer = (await response.json()) as Record<string, unknown>;

        expect([200, 400]).toContain(response.status);
        if (response.status === 400)
          expect(answer).toEqual({ __type: expect.any(String), message: expect.any(String) });
      }),
      { numRuns: 300 },
    );
  });
});
