import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  FirehoseClient,
  PutRecordBatchCommand,
  type PutRecordBatchCommandInput,
  ResourceNotFoundException,
} from '@aws-sdk/client-firehose';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { putRecords } from '../../../analytics/failed/firehose-sender';
import { S3ObjectStore } from '../../../analytics/failed/s3-object-store';
import { readStackOutputs } from '../../../cli/stack/stack-outputs';
import { PUT_RECORD_BATCH_LIMITS } from '../../../contract';

const credentials = { accessKeyId: 'a', secretAccessKey: 'b' };
const firehose = mockClient(FirehoseClient);
const s3 = mockClient(S3Client);
const cloudFormation = mockClient(CloudFormationClient);

afterEach(() => {
  firehose.reset();
  s3.reset();
  cloudFormation.reset();
});

const noWait = async () => undefined;
const records = (count: number, bytes = 10) =>
  Array.from({ length: count }, (_, i) => Buffer.from(`${String(i).padStart(bytes - 1, '0')}\n`));
const batchSizes = () =>
  firehose
    .commandCalls(PutRecordBatchCommand)
    .map((call) => (call.args[0].input as PutRecordBatchCommandInput).Records!.length);

describe('sending records with PutRecordBatch', () => {
  const client = new FirehoseClient({ region: 'eu-west-1', credentials, maxAttempts: 1 });
  const acceptAll = async (input: PutRecordBatchCommandInput) => ({
    FailedPutCount: 0,
    RequestResponses: input.Records!.map((_, i) => ({ RecordId: `r${i}` })),
  });

  it('sends at most 500 records per request', async () => {
    firehose.on(PutRecordBatchCommand).callsFake(acceptAll);

    const outcome = await putRecords(records(1201), { client, streamName: 's', sleep: noWait });

    expect(batchSizes()).toEqual([500, 500, 201]);
    expect(outcome.delivered).toHaveLength(1201);
    expect(firehose.commandCalls(PutRecordBatchCommand)[0]!.args[0].input).toMatchObject({
      DeliveryStreamName: 's',
    });
  });

  it('sends at most 4 MiB of record data per request', async () => {
    firehose.on(PutRecordBatchCommand).callsFake(acceptAll);
    const large = records(9, 1_000_000);

    await putRecords(large, { client, streamName: 's', sleep: noWait });

    // Four records of 1,000,000 bytes fit in 4 MiB (4,194,304 bytes), five do not.
    expect(batchSizes()).toEqual([4, 4, 1]);
    expect(4 * 1_000_000).toBeLessThanOrEqual(PUT_RECORD_BATCH_LIMITS.maxRequestBytes);
  });

  it('sends again only the entries a response marks failed', async () => {
    firehose
      .on(PutRecordBatchCommand)
      .resolvesOnce({
        FailedPutCount: 1,
        RequestResponses: [
          { RecordId: 'r0' },
          { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'slow down' },
          { RecordId: 'r2' },
        ],
      })
      .callsFake(acceptAll);
    const sent = records(3);

    const outcome = await putRecords(sent, { client, streamName: 's', sleep: noWait });

    expect(outcome).toEqual({ delivered: [0, 2, 1], undelivered: [] });
    const retried = firehose.commandCalls(PutRecordBatchCommand)[1]!.args[0]
      .input as PutRecordBatchCommandInput;
    expect(retried.Records!.map((r) => Buffer.from(r.Data!).toString())).toEqual([sent[1]!.toString()]);
  });

  it('gives up on an entry that fails every attempt, with its last error', async () => {
    firehose.on(PutRecordBatchCommand).resolves({
      FailedPutCount: 1,
      RequestResponses: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'x' }],
    });
    const waits: number[] = [];

    const outcome = await putRecords(records(1), {
      client,
      streamName: 's',
      maxAttempts: 3,
      sleep: async (ms) => {
        waits.push(ms);
      },
      random: () => 0.5,
    });

    expect(outcome).toEqual({
      delivered: [],
      undelivered: [{ index: 0, error: { code: 'InternalFailure', message: 'x' } }],
    });
    expect(batchSizes()).toEqual([1, 1, 1]);
    expect(waits).toEqual([100, 200]);
  });

  it('does not retry a client error (unknown stream)', async () => {
    firehose
      .on(PutRecordBatchCommand)
      .rejects(new ResourceNotFoundException({ message: 'no stream s', $metadata: { httpStatusCode: 400 } }));

    const outcome = await putRecords(records(2), { client, streamName: 's', sleep: noWait });

    expect(batchSizes()).toEqual([2]);
    expect(outcome.undelivered.map((u) => u.error.code)).toEqual([
      'ResourceNotFoundException',
      'ResourceNotFoundException',
    ]);
  });

  it('never sends a record over the per-record limit', async () => {
    firehose.on(PutRecordBatchCommand).callsFake(acceptAll);

    const outcome = await putRecords([Buffer.alloc(PUT_RECORD_BATCH_LIMITS.maxRecordBytes + 1)], {
      client,
      streamName: 's',
    });

    expect(firehose.commandCalls(PutRecordBatchCommand)).toHaveLength(0);
    expect(outcome.undelivered[0]!.error.code).toBe('RecordTooLarge');
  });
});

describe('the lake bucket as an object store', () => {
  const store = new S3ObjectStore(new S3Client({ region: 'eu-west-1', credentials }), 'lake-bucket');

  it('lists every page of keys under a prefix, sorted', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({
        Contents: [{ Key: 'errors/b' }, { Key: 'errors/a' }],
        IsTruncated: true,
        NextContinuationToken: 't1',
      })
      .resolvesOnce({ Contents: [{ Key: 'errors/c' }], IsTruncated: false });

    expect(await store.list('errors/')).toEqual(['errors/a', 'errors/b', 'errors/c']);
    expect(s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'lake-bucket', Prefix: 'errors/', ContinuationToken: undefined },
      { Bucket: 'lake-bucket', Prefix: 'errors/', ContinuationToken: 't1' },
    ]);
  });

  it('reads an object whole', async () => {
    // The SDK's stream body, reduced to the one method the adapter reads it with.
    const body = { transformToByteArray: async () => new Uint8Array(Buffer.from('hello ')) };
    s3.on(GetObjectCommand, { Bucket: 'lake-bucket', Key: 'errors/a' }).resolves({ Body: body as never });

    expect((await store.get('errors/a')).toString()).toBe('hello ');
  });

  it('writes an object', async () => {
    s3.on(PutObjectCommand).resolves({});

    await store.put('redrive/x.ndjson', Buffer.from('{}\n'));

    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toEqual({
      Bucket: 'lake-bucket',
      Key: 'redrive/x.ndjson',
      Body: Buffer.from('{}\n'),
    });
  });
});

describe("a stack's bucket and stream", () => {
  const client = new CloudFormationClient({ region: 'eu-west-1', credentials });

  it('come from its outputs', async () => {
    cloudFormation.on(DescribeStacksCommand, { StackName: 'Clickstream-dev' }).resolves({
      Stacks: [
        {
          StackName: 'Clickstream-dev',
          CreationTime: new Date(0),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [
            { OutputKey: 'LakeBucketName', OutputValue: 'lake-bucket' },
            { OutputKey: 'DeliveryStreamName', OutputValue: 'clickstream-dev' },
          ],
        },
      ],
    });

    expect(
      await readStackOutputs(client, 'Clickstream-dev', {
        bucket: 'LakeBucketName',
        deliveryStream: 'DeliveryStreamName',
      }),
    ).toEqual({
      bucket: 'lake-bucket',
      deliveryStream: 'clickstream-dev',
    });
  });

  it('are refused, naming the output, for a stack without them', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        { StackName: 'other', CreationTime: new Date(0), StackStatus: 'CREATE_COMPLETE', Outputs: [] },
      ],
    });

    await expect(
      readStackOutputs(client, 'other', { bucket: 'LakeBucketName', stream: 'DeliveryStreamName' }),
    ).rejects.toThrow('stack other has no output LakeBucketName, DeliveryStreamName');
  });
});
