import { type Environment, requiredText, wholeNumber } from '../shared/env';
import type { CompactionSettings } from './plan';

export interface CompactionConfig {
  readonly region: string;
  /** The lake bucket, which holds the raw objects, the Iceberg table's files and the watermark record. */
  readonly lakeBucket: string;
  /** The watermark record's key (outside the table's folder, which VACUUM keeps to the table's own files). */
  readonly watermarkKey: string;
  readonly settings: CompactionSettings;
  readonly serviceName: string;
  readonly metricsNamespace: string;
}

export function readCompactionConfig(env: Environment): CompactionConfig {
  return {
    region: requiredText(env, 'AWS_REGION'),
    lakeBucket: requiredText(env, 'LAKE_BUCKET'),
    watermarkKey: requiredText(env, 'WATERMARK_KEY'),
    settings: {
      curatedLocation: requiredText(env, 'CURATED_LOCATION'),
      overlapHours: wholeNumber(env, 'OVERLAP_HOURS', 3, 1, 72),
      maxHoursPerRun: wholeNumber(env, 'MAX_HOURS_PER_RUN', 168, 1, 24 * 366),
      rawRetentionDays: wholeNumber(env, 'RAW_RETENTION_DAYS', 150, 1, 36_500),
      maxEventAgeDays: wholeNumber(env, 'MAX_EVENT_AGE_DAYS', 30, 1, 3_650),
      vacuumMaxSnapshotAgeSeconds: wholeNumber(
        env,
        'VACUUM_MAX_SNAPSHOT_AGE_SECONDS',
        259_200,
        3_600,
        31_536_000,
      ),
    },
    serviceName: env.POWERTOOLS_SERVICE_NAME || 'clickstream-curated-compaction',
    metricsNamespace: env.POWERTOOLS_METRICS_NAMESPACE || 'Clickstream',
  };
}
