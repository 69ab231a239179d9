import {
  DescribeDeliveryStreamCommand,
  FirehoseClient,
  ListDeliveryStreamsCommand,
  PutRecordBatchCommand,
  PutRecordCommand,
} from '@aws-sdk/client-firehose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FirehoseEndpoint, startFirehoseEndpoint } from '../../../local/firehose-endpoint/server';
import { RecordingStream } from './recording-stream';

const STREAM = 'clickstream-events';
const KIB = 1024;

describe('Firehose endpoint', () => {
  let endpoint: FirehoseEndpoint;
  let stream: RecordingStream;
  let client: FirehoseClient;

  beforeAll(async () => {
    stream = new RecordingStream(STREAM);
    endpoint = await startFirehoseEndpoint({ streams: [stream, new RecordingStream('other-stream')] });
    client = new FirehoseClient({
      endpoint: endpoint.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    client.destroy();
    await endpoint.close();
  });
  beforeEach(() => {
    stream.received.length = 0;
    stream.unavailable = false;
  });

  /** A raw call, for bodies and headers the SDK would never send. */
  async function post(body: string | Buffer, target = 'Firehose_20150804.PutRecordBatch') {
    const response = await fetch(endpoint.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
      body,
    });
    return { status: response.status, body: (await response.json()) as { __type: string; message: string } };
  }

  function batch(records: Buffer[], name = STREAM): string {
    return JSON.stringify({
      DeliveryStreamName: name,
      Records: records.map((r) => ({ Data: r.toString('base64') })),
    });
  }

  it('accepts a batch from the AWS SDK and answers one record id per record', async () => {
    const records = ['a\n', 'b\n', 'c\n'].map((s) => ({ Data: Buffer.from(s) }));

    const response = await client.send(
      new PutRecordBatchCommand({ DeliveryStreamName: STREAM, Records: records }),
    );

    expect(response.FailedPutCount).toBe(0);
    expect(response.RequestResponses?.map((r) => r.RecordId)).toEqual(['record-0', 'record-1', 'record-2']);
    expect(stream.received.map(String)).toEqual(['a\n', 'b\n', 'c\n']);
  });

  it('accepts a single record (PutRecord)', async () => {
    const response = await client.send(
      new PutRecordCommand({ DeliveryStreamName: STREAM, Record: { Data: Buffer.from('one\n') } }),
    );

    expect(response.RecordId).toBe('record-0');
    expect(stream.received.map(String)).toEqual(['one\n']);
  });

  it('describes and lists its delivery streams', async () => {
    const described = await client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: STREAM }));
    const listed = await client.send(new ListDeliveryStreamsCommand({ Limit: 1 }));

    expect(described.DeliveryStreamDescription?.DeliveryStreamStatus).toBe('ACTIVE');
    expect(listed.DeliveryStreamNames).toEqual([STREAM]);
    expect(listed.HasMoreDeliveryStreams).toBe(true);
  });

  it.each([
    [
      'an unknown stream',
      () => new PutRecordBatchCommand({ DeliveryStreamName: 'nope', Records: [{ Data: Buffer.from('x') }] }),
      'ResourceNotFoundException',
      /Firehose nope under account 000000000000 not found/,
    ],
    [
      'more than 500 records',
      () =>
        new PutRecordBatchCommand({
          DeliveryStreamName: STREAM,
          Records: Array.from({ length: 501 }, () => ({ Data: Buffer.from('x') })),
        }),
      'ValidationException',
      /'records'.*less than or equal to 500/,
    ],
    [
      'a record over 1,000 KiB',
      () =>
        new PutRecordBatchCommand({
          DeliveryStreamName: STREAM,
          Records: [{ Data: Buffer.from('x') }, { Data: Buffer.alloc(1_024_001, 97) }],
        }),
      'ValidationException',
      /'records.2.member.data'.*1024000/,
    ],
    [
      'over 4 MiB in one request',
      () =>
        new PutRecordBatchCommand({
          DeliveryStreamName: STREAM,
          Records: Array.from({ length: 5 }, () => ({ Data: Buffer.alloc(1000 * KIB, 97) })),
        }),
      'InvalidArgumentException',
      /Records size exceeds 4 MB limit/,
    ],
    [
      'an empty batch',
      () => new PutRecordBatchCommand({ DeliveryStreamName: STREAM, Records: [] }),
      'ValidationException',
      /greater than or equal to 1/,
    ],
    [
      'a PutRecord over 1,000 KiB',
      () =>
        new PutRecordCommand({ DeliveryStreamName: STREAM, Record: { Data: Buffer.alloc(1_024_001, 97) } }),
      'ValidationException',
      /'record.data'/,
    ],
  ])('refuses %s with the AWS error the SDK recognises', async (_, command, name, message) => {
    const error = await client.send(command() as PutRecordBatchCommand).catch((e: unknown) => e);

    expect(error).toMatchObject({ name, $metadata: { httpStatusCode: 400 } });
    expect((error as Error).message).toMatch(message);
    expect(stream.received).toEqual([]);
  });

  it('accepts a batch of exactly 500 records totalling 4 MiB', async () => {
    const records = Array.from({ length: 500 }, () => ({ Data: Buffer.alloc((4 * 1024 * KIB) / 500, 98) }));

    const response = await client.send(
      new PutRecordBatchCommand({ DeliveryStreamName: STREAM, Records: records }),
    );

    expect(response.RequestResponses).toHaveLength(500);
  });

  it('answers ServiceUnavailableException (503) when the stream cannot take more', async () => {
    stream.unavailable = true;

    const error = await client
      .send(new PutRecordBatchCommand({ DeliveryStreamName: STREAM, Records: [{ Data: Buffer.from('x') }] }))
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'ServiceUnavailableException', $metadata: { httpStatusCode: 503 } });
  });

  it.each([
    [
      'malformed JSON',
      () => post('{"DeliveryStreamName": "clickstream-events", "Records": ['),
      'SerializationException',
    ],
    ['a JSON array', () => post('[1, 2]'), 'SerializationException'],
    [
      'data that is not base64',
      () => post(JSON.stringify({ DeliveryStreamName: STREAM, Records: [{ Data: 'not base64!' }] })),
      'SerializationException',
    ],
    [
      'a record without data',
      () => post(JSON.stringify({ DeliveryStreamName: STREAM, Records: [{}] })),
      'ValidationException',
    ],
    [
      'records that are not a list',
      () => post(JSON.stringify({ DeliveryStreamName: STREAM, Records: 'x' })),
      'ValidationException',
    ],
    [
      'a missing stream name',
      () => post(JSON.stringify({ Records: [{ Data: 'eA==' }] })),
      'ValidationException',
    ],
    ['an invalid stream name', () => post(batch([Buffer.from('x')], '../etc')), 'ValidationException'],
    [
      'an unknown operation',
      () => post('{}', 'Firehose_20150804.DeleteDeliveryStream'),
      'UnknownOperationException',
    ],
    [
      'another service’s target',
      () => post('{}', 'Kinesis_20131202.PutRecords'),
      'UnknownOperationException',
    ],
    [
      'an inherited property as the operation',
      () => post('{}', 'Firehose_20150804.constructor'),
      'UnknownOperationException',
    ],
    ['a body over 8 MiB', () => post(Buffer.alloc(9 * 1024 * KIB, 32)), 'InvalidArgumentException'],
  ])('answers %s with an AWS-style error and keeps serving', async (_, send, type) => {
    const { status, body } = await send();

    expect(status).toBe(400);
    expect(body).toEqual({ __type: type, message: expect.any(String) });
    const next = await client.send(
      new PutRecordBatchCommand({ DeliveryStreamName: STREAM, Records: [{ Data: Buffer.from('still up') }] }),
    );
    expect(next.FailedPutCount).toBe(0);
  });

  it('answers a request without a target, such as a browser GET', async () => {
    const response = await fetch(endpoint.url);

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });
});
