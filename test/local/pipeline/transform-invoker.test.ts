import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { SpooledRecord } from '../../../local/pipeline/spool';
import { invokeTransform, type TransformHandler } from '../../../local/pipeline/transform-invoker';

const records: SpooledRecord[] = ['a', 'b', 'c'].map((id, i) => ({
  id,
  arrivedAt: 1_795_000_000_000 + i,
  data: Buffer.from(`${id}\n`),
}));

const target = (handler: TransformHandler, retries?: number) => ({
  handler,
  retries,
  deliveryStreamArn: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/s',
  region: 'us-east-1',
  lambdaArn: 'arn:aws:lambda:us-east-1:000000000000:function:t',
});

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('invokeTransform', () => {
  it('sends a Firehose transformation event with base64 data and arrival times', async () => {
    const events: FirehoseTransformationEvent[] = [];
    const handler: TransformHandler = async (event) => {
      events.push(event);
      return { records: event.records.map((r) => ({ recordId: r.recordId, result: 'Ok', data: r.data })) };
    };

    await invokeTransform(target(handler), records);

    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      invocationId: expect.any(String),
      deliveryStreamArn: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/s',
      region: 'us-east-1',
      records: [
        { recordId: 'a', approximateArrivalTimestamp: 1_795_000_000_000, data: b64('a\n') },
        { recordId: 'b', approximateArrivalTimestamp: 1_795_000_000_001, data: b64('b\n') },
        { recordId: 'c', approximateArrivalTimestamp: 1_795_000_000_002, data: b64('c\n') },
      ],
    });
  });

  it('maps each result by recordId, whatever order the handler answers in', async () => {
    const handler: TransformHandler = async () => ({
      records: [
        { recordId: 'c', result: 'ProcessingFailed', data: b64('c\n') },
        { recordId: 'a', result: 'Ok', data: b64('A\n') },
        { recordId: 'b', result: 'Dropped', data: b64('b\n') },
      ],
    });

    const outcomes = await invokeTransform(target(handler), records);

    expect(outcomes).toEqual([
      { record: records[0], result: 'Ok', data: Buffer.from('A\n') },
      { record: records[1], result: 'Dropped' },
      {
        record: records[2],
        result: 'ProcessingFailed',
        errorCode: 'Lambda.ProcessingFailedStatus',
        errorMessage: 'ProcessingFailed status set for record',
        attemptsMade: 1,
      },
    ]);
  });

  it('retries a failed invocation and uses the answer of the attempt that worked', async () => {
    let calls = 0;
    const handler: TransformHandler = async (event) => {
      calls += 1;
      if (calls < 3) throw new Error('cold start went wrong');
      return { records: event.records.map((r) => ({ recordId: r.recordId, result: 'Ok', data: r.data })) };
    };

    const outcomes = await invokeTransform(target(handler), records);

    expect(calls).toBe(3);
    expect(outcomes.map((o) => o.result)).toEqual(['Ok', 'Ok', 'Ok']);
  });

  it.each<[string, TransformHandler, string]>([
    [
      'throws every time',
      async () => {
        throw new Error('boom');
      },
      'Lambda.FunctionError',
    ],
    [
      'answers without records',
      async () => ({}) as FirehoseTransformationResult,
      'Lambda.InvalidReturnFormat',
    ],
    [
      'answers an unknown result',
      async (e) => ({
        records: e.records.map((r) => ({ recordId: r.recordId, result: 'Maybe' as 'Ok', data: r.data })),
      }),
      'Lambda.InvalidReturnFormat',
    ],
    [
      'leaves a record out',
      async (e) => ({
        records: e.records.slice(1).map((r) => ({ recordId: r.recordId, result: 'Ok', data: r.data })),
      }),
      'Lambda.MissingRecordId',
    ],
  ])('after the retries, fails every record of a batch whose handler %s', async (_, handler, errorCode) => {
    const outcomes = await invokeTransform(target(handler, 2), records);

    expect(outcomes).toEqual(
      records.map((record) => ({
        record,
        result: 'ProcessingFailed',
        errorCode,
        errorMessage: expect.any(String),
        attemptsMade: 3,
      })),
    );
  });
});
