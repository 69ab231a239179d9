import { FirehoseClient, PutRecordBatchCommand, ServiceUnavailableException } from '@aws-sdk/client-firehose';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutgoingRecord } from '../../tracker/record-queue';
import { classify, StoppedAttempt, sendBatch } from '../../tracker/send-batch';
import { networkError, serviceError } from './scripted-firehose';

const firehose = mockClient(FirehoseClient);
const client = new FirehoseClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
const records: OutgoingRecord[] = [0, 1, 2].map((i) => ({
  seq: i + 1,
  data: Buffer.from(`{"n":${i}}\n`),
}));
const live = () => new AbortController().signal;

afterEach(() => firehose.reset());

describe('sendBatch', () => {
  it('sends every record in one PutRecordBatch to the named stream', async () => {
    firehose.on(PutRecordBatchCommand).resolves({
      FailedPutCount: 0,
      RequestResponses: records.map((_, i) => ({ RecordId: `r${i}` })),
    });

    const outcome = await sendBatch(client, 'clicks', records, live());

    expect(outcome.delivered).toEqual(records);
    const input = firehose.commandCalls(PutRecordBatchCommand)[0]?.args[0].input;
    expect(input?.DeliveryStreamName).toBe('clicks');
    expect(input?.Records?.map((r) => Buffer.from(r.Data ?? []).toString())).toEqual([
      '{"n":0}\n',
      '{"n":1}\n',
      '{"n":2}\n',
    ]);
  });

  it('retries only the records whose response entry has an ErrorCode', async () => {
    firehose.on(PutRecordBatchCommand).resolves({
      FailedPutCount: 2,
      RequestResponses: [
        { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' },
        { RecordId: 'r1' },
        { ErrorCode: 'InternalFailure', ErrorMessage: 'oops' },
      ],
    });

    const outcome = await sendBatch(client, 'clicks', records, live());

    expect(outcome.delivered).toEqual([records[1]]);
    expect(outcome.retryable).toEqual([
      { record: records[0], error: { code: 'ServiceUnavailableException', message: 'Slow down.' } },
      { record: records[2], error: { code: 'InternalFailure', message: 'oops' } },
    ]);
    expect(outcome.permanent).toEqual([]);
  });

  it('retries every record when the response does not match the request', async () => {
    firehose
      .on(PutRecordBatchCommand)
      .resolves({ FailedPutCount: 0, RequestResponses: [{ RecordId: 'r0' }] });

    const outcome = await sendBatch(client, 'clicks', records, live());

    expect(outcome.retryable.map((f) => f.error.code)).toEqual(Array(3).fill('MalformedResponse'));
  });

  it('retries every record when the whole request is throttled', async () => {
    firehose
      .on(PutRecordBatchCommand)
      .rejects(
        new ServiceUnavailableException({ message: 'Slow down.', $metadata: { httpStatusCode: 503 } }),
      );

    const outcome = await sendBatch(client, 'clicks', records, live());

    expect(outcome.retryable).toHaveLength(3);
    expect(outcome.retryable[0]?.error).toEqual({
      code: 'ServiceUnavailableException',
      message: 'Slow down.',
    });
  });

  it('stops waiting when the signal aborts, with the reason it carries', async () => {
    firehose.on(PutRecordBatchCommand).callsFake(() => new Promise(() => {}));
    const controller = new AbortController();
    const reason = new StoppedAttempt({ code: 'FlushTimeout', message: 'gave up' }, false);

    const sending = sendBatch(client, 'clicks', records, controller.signal);
    controller.abort(reason);
    const outcome = await sending;

    expect(outcome.permanent.map((f) => f.error.code)).toEqual(Array(3).fill('FlushTimeout'));
  });
});

describe('classify', () => {
  it.each([
    ['Firehose throttling (503)', serviceError('ServiceUnavailableException', 503), true],
    ['throttling (400)', serviceError('ThrottlingException', 400), true],
    ['too many requests (429)', serviceError('TooManyRequests', 429), true],
    ['a server error (500)', serviceError('InternalFailure', 500), true],
    ['a connection reset', networkError('ECONNRESET'), true],
    ['a DNS failure', networkError('ENOTFOUND'), true],
    ['an unknown stream (400)', serviceError('ResourceNotFoundException', 400), false],
    ['an invalid argument (400)', serviceError('InvalidArgumentException', 400), false],
    ['no permission (403)', serviceError('AccessDeniedException', 403), false],
  ])('%s is retryable: %s', (_name, error, retryable) => {
    expect(classify(error).retryable).toBe(retryable);
  });

  it('names a network error by its Node code', () => {
    expect(classify(networkError('ECONNREFUSED')).error.code).toBe('ECONNREFUSED');
  });
});
