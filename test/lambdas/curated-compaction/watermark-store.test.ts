import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  S3WatermarkStore,
  WatermarkConflictError,
  WatermarkRecordError,
} from '../../../lambdas/curated-compaction/watermark-store';

const s3 = mockClient(S3Client);
const store = () =>
  new S3WatermarkStore(new S3Client({ region: 'eu-west-1' }), 'lake', 'compaction/watermark.json');
// The adapter reads the body with the SDK's transformToString only.
const body = (text: string) =>
  ({ transformToString: async () => text }) as unknown as GetObjectCommandOutput['Body'];
const RECORD = { watermark: { dt: '2026-11-03', hour: '06' }, advancedAt: '2026-11-03T06:05:00.000Z' };

beforeEach(() => s3.reset());

describe('S3WatermarkStore', () => {
  it('reads the record with its ETag', async () => {
    s3.on(GetObjectCommand, { Bucket: 'lake', Key: 'compaction/watermark.json' }).resolves({
      Body: body(JSON.stringify(RECORD)),
      ETag: '"v1"',
    });

    expect(await store().read()).toEqual({ record: RECORD, etag: '"v1"' });
  });

  it('reads no record before the first run (NoSuchKey)', async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'no such key', $metadata: {} }));

    expect(await store().read()).toBeUndefined();
  });

  it.each([['not json'], [JSON.stringify({ watermark: { dt: '2026-11-03', hour: '6' }, advancedAt: 'x' })]])(
    'refuses a record it did not write: %s',
    async (text) => {
      s3.on(GetObjectCommand).resolves({ Body: body(text), ETag: '"v1"' });

      await expect(store().read()).rejects.toThrow(WatermarkRecordError);
    },
  );

  it('writes conditionally: on the version read, or only if there is none yet', async () => {
    s3.on(PutObjectCommand).resolves({});

    await store().write(RECORD, '"v1"');
    await store().write(RECORD, null);

    const puts = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(puts[0]).toMatchObject({ Bucket: 'lake', Key: 'compaction/watermark.json', IfMatch: '"v1"' });
    expect(puts[0]).not.toHaveProperty('IfNoneMatch');
    expect(puts[1]).toMatchObject({ IfNoneMatch: '*' });
    expect(JSON.parse(String(puts[0]!.Body))).toEqual(RECORD);
  });

  it('reports a record another run replaced in between (412) as a conflict', async () => {
    s3.on(PutObjectCommand).rejects(
      new S3ServiceException({
        name: 'PreconditionFailed',
        $fault: 'client',
        $metadata: { httpStatusCode: 412 },
        message: 'At least one of the pre-conditions you specified did not hold',
      }),
    );

    await expect(store().write(RECORD, '"v1"')).rejects.toThrow(WatermarkConflictError);
  });
});
