import { GetObjectCommand, PutObjectCommand, type S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { StoredWatermark, WatermarkRecord } from './plan';

/** The object in the bucket is not a watermark record: the run stops rather than guess where to resume. */
export class WatermarkRecordError extends Error {
  override name = 'WatermarkRecordError';
}

/** Another run moved the watermark between this run's read and its commit. */
export class WatermarkConflictError extends Error {
  override name = 'WatermarkConflictError';
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const HOUR = /^([01]\d|2[0-3])$/;

function parseRecord(text: string, where: string): WatermarkRecord {
  try {
    const record = JSON.parse(text) as WatermarkRecord;
    const { dt, hour } = record.watermark;
    if (!DAY.test(dt) || !HOUR.test(hour) || Number.isNaN(Date.parse(record.advancedAt))) {
      throw new Error('unexpected fields');
    }
    return record;
  } catch (error) {
    throw new WatermarkRecordError(
      `${where} is not a compaction watermark record (${(error as Error).message}); ` +
        'delete it to rebuild the curated table from the raw retention, or restore the previous version',
    );
  }
}

/**
 * The compaction's watermark record: one JSON object in the lake bucket. Writes are conditional on
 * the version the run read (S3 If-Match / If-None-Match), so two overlapping runs cannot both move it.
 */
export class S3WatermarkStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly key: string,
  ) {}

  async read(): Promise<StoredWatermark | undefined> {
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key }));
      const text = (await object.Body?.transformToString('utf-8')) ?? '';
      return { record: parseRecord(text, `s3://${this.bucket}/${this.key}`), etag: object.ETag ?? '' };
    } catch (error) {
      if (error instanceof S3ServiceException && error.name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async write(record: WatermarkRecord, etag: string | null): Promise<void> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key,
          Body: `${JSON.stringify(record)}\n`,
          ContentType: 'application/json',
          ...(etag === null ? { IfNoneMatch: '*' } : { IfMatch: etag }),
        }),
      );
    } catch (error) {
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 412) {
        throw new WatermarkConflictError(
          `s3://${this.bucket}/${this.key} changed since this run read it: another compaction run moved the watermark`,
        );
      }
      throw error;
    }
  }
}
