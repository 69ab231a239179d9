import {
  createCuratedTableSql,
  createViewSql,
  mergeSql,
  optimizeSql,
  vacuumSql,
} from '../../analytics/compaction-sql';
import { type CuratedTable, type Watermark, watermarkMillis, watermarkOf } from '../../analytics/lake-tables';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface CompactionSettings {
  /** `s3://<lake bucket>/curated/`: the Iceberg table's folder. */
  readonly curatedLocation: string;
  /** Each run re-reads this many hours before the previous watermark, for objects written late into them. */
  readonly overlapHours: number;
  /** A run advances the watermark by at most this much, so a first run or a catch-up stays under the scan cutoff. */
  readonly maxHoursPerRun: number;
  /** How far back the raw table's partition projection reaches: where a first run starts. */
  readonly rawRetentionDays: number;
  /** The transform refuses events older than this at arrival: the event days a merge can still reach. */
  readonly maxEventAgeDays: number;
  readonly vacuumMaxSnapshotAgeSeconds: number;
}

/** The watermark record in the lake bucket: written after each run's merge, read by the next run. */
export interface WatermarkRecord {
  /** Every raw arrival partition before it is in the curated table. */
  readonly watermark: Watermark;
  /** When a run last moved the watermark (ISO-8601): the stalled-watermark alarm measures from it. */
  readonly advancedAt: string;
  /** The execution that wrote it, for the audit trail. */
  readonly executionId?: string;
}

/** The record as read, with the version the commit must still find (S3 conditional write). */
export interface StoredWatermark {
  readonly record: WatermarkRecord;
  readonly etag: string;
}

export type CompactionPlan =
  | {
      readonly action: 'idle';
      readonly reason: string;
    }
  | {
      readonly action: 'merge';
      readonly previous: Watermark | null;
      readonly next: Watermark;
      /** The ETag of the record read (null: none yet); the commit is conditional on it. */
      readonly etag: string | null;
      readonly statements: {
        readonly createTable: string;
        readonly merge: string;
        readonly view: string;
      };
    };

/**
 * What the next compaction run does: merge the raw arrivals from the previous watermark less the
 * overlap up to the next whole hour that has ended (at most maxHoursPerRun ahead), then move the
 * watermark there and re-create the view at it. A first run starts at the raw table's retention.
 */
export function planCompaction(
  stored: StoredWatermark | undefined,
  now: number,
  settings: CompactionSettings,
  table: CuratedTable,
): CompactionPlan {
  const previous = stored?.record.watermark ?? null;
  const start =
    previous === null
      ? watermarkMillis(watermarkOf(now - settings.rawRetentionDays * DAY))
      : watermarkMillis(previous);
  const nextMillis = Math.min(watermarkMillis(watermarkOf(now)), start + settings.maxHoursPerRun * HOUR);
  if (previous !== null && nextMillis <= start) {
    return { action: 'idle', reason: `the watermark ${previous.dt}T${previous.hour} is the current hour` };
  }
  const next = watermarkOf(nextMillis);
  const from = previous === null ? undefined : watermarkOf(start - settings.overlapHours * HOUR);
  return {
    action: 'merge',
    previous,
    next,
    etag: stored?.etag ?? null,
    statements: {
      createTable: createCuratedTableSql('athena', table, settings.curatedLocation, {
        vacuumMaxSnapshotAgeSeconds: settings.vacuumMaxSnapshotAgeSeconds,
      }),
      merge: mergeSql(table, from === undefined ? { to: next } : { from, to: next }),
      view: createViewSql(table, next),
    },
  };
}

/** Hours since a run last moved the watermark, and how far it trails the clock; none before a first run. */
export function watermarkAges(
  stored: StoredWatermark | undefined,
  now: number,
): { hoursSinceAdvanced: number; lagHours: number } | undefined {
  if (stored === undefined) return undefined;
  return {
    hoursSinceAdvanced: (now - Date.parse(stored.record.advancedAt)) / HOUR,
    lagHours: (now - watermarkMillis(stored.record.watermark)) / HOUR,
  };
}

/**
 * The slower maintenance: bin-pack the event days late events can still reach (the last
 * maxEventAgeDays + 2 days), then VACUUM (snapshots older than the table's
 * vacuum_max_snapshot_age_seconds, and orphan files).
 */
export function planMaintenance(
  now: number,
  settings: CompactionSettings,
  table: CuratedTable,
): { readonly optimize: string; readonly vacuum: string } {
  const since = new Date(now - (settings.maxEventAgeDays + 2) * DAY).toISOString().slice(0, 10);
  const [vacuum] = vacuumSql('athena', table, settings.vacuumMaxSnapshotAgeSeconds);
  return { optimize: optimizeSql('athena', table, since), vacuum: vacuum! };
}
