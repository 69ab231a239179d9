import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { WATERMARK_ZERO, type Watermark } from '../../analytics/lake-tables';
import { writeFileAtomically } from '../atomic-file';

/** `<lake>/curated/_watermark.json`: where the last completed compaction run left off. */
export interface WatermarkRecord {
  /** Every raw arrival partition before it is in the curated table. */
  readonly watermark: Watermark;
  /**
   * When the run that wrote this record listed the raw objects (epoch millis). An object written
   * after that into an arrival partition the next run would otherwise skip (a delivery retried from
   * the spool) is found by its modification time.
   */
  readonly listedAt: number;
  /** When the run finished, ISO-8601. */
  readonly completedAt: string;
}

/** The state before any compaction: nothing curated, every raw partition read by the view. */
export const NO_COMPACTION: WatermarkRecord = {
  watermark: WATERMARK_ZERO,
  listedAt: 0,
  completedAt: '1970-01-01T00:00:00.000Z',
};

/** A watermark file that is not what compaction writes: named, not guessed around. */
export class WatermarkFileError extends Error {
  override name = 'WatermarkFileError';
}

export async function readWatermark(path: string): Promise<WatermarkRecord> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return NO_COMPACTION;
    throw error;
  }
  try {
    const record = JSON.parse(text) as WatermarkRecord;
    const { dt, hour } = record.watermark;
    if (
      !/^\d{4}-\d{2}-\d{2}$/.test(dt) ||
      !/^([01]\d|2[0-3])$/.test(hour) ||
      !Number.isFinite(record.listedAt)
    ) {
      throw new Error('unexpected fields');
    }
    return record;
  } catch (error) {
    throw new WatermarkFileError(
      `${path} is not a compaction watermark (${(error as Error).message}); remove the curated/ folder to rebuild it from the raw lake`,
    );
  }
}

/** Replaces the record atomically: a crash leaves the old record or the new one, never a torn file. */
export async function writeWatermark(path: string, record: WatermarkRecord): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomically(path, `${JSON.stringify(record, null, 2)}\n`);
}
