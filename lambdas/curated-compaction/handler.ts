import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import { curatedTable, lakeTables, type Watermark } from '../../analytics/lake-tables';
import { type CompactionConfig, readCompactionConfig } from './config';
import { type CompactionPlan, planCompaction, planMaintenance, watermarkAges } from './plan';
import { S3WatermarkStore } from './watermark-store';

/** What the state machine asks (lib/curated-lake.ts). */
export type CompactionRequest =
  | { readonly action: 'plan-compaction' }
  | {
      readonly action: 'commit';
      readonly next: Watermark;
      readonly etag: string | null;
      readonly executionId: string;
    }
  | { readonly action: 'plan-maintenance' };

interface Runtime {
  config: CompactionConfig;
  store: S3WatermarkStore;
  logger: Logger;
  metrics: Metrics;
}

let runtime: Runtime | undefined;

function createRuntime(): Runtime {
  const config = readCompactionConfig(process.env);
  return {
    config,
    store: new S3WatermarkStore(
      new S3Client({ region: config.region }),
      config.lakeBucket,
      config.watermarkKey,
    ),
    logger: new Logger({ serviceName: config.serviceName }),
    metrics: new Metrics({ namespace: config.metricsNamespace, serviceName: config.serviceName }),
  };
}

// The raw table's columns do not depend on the retention; the curated table is derived from them.
const table = curatedTable(lakeTables({ eventsDays: 1, errorsDays: 1 })[0]);

/**
 * The compaction state machine's steps that need code: plan a run (read the watermark, render the
 * Athena statements, publish the watermark's age), commit it (write the new watermark, conditional
 * on the one read), and plan the maintenance. The Athena statements themselves run as Step
 * Functions tasks.
 */
export async function handler(request: CompactionRequest): Promise<unknown> {
  runtime ??= createRuntime();
  const { config, store, logger, metrics } = runtime;
  const now = Date.now();
  try {
    switch (request.action) {
      case 'plan-compaction': {
        const stored = await store.read();
        const ages = watermarkAges(stored, now);
        if (ages !== undefined) {
          metrics.addMetric('HoursSinceWatermarkAdvanced', MetricUnit.Count, ages.hoursSinceAdvanced);
          metrics.addMetric('WatermarkLagHours', MetricUnit.Count, ages.lagHours);
        }
        const plan: CompactionPlan = planCompaction(stored, now, config.settings, table);
        logger.info('compaction planned', {
          action: plan.action,
          ...(plan.action === 'merge'
            ? { previous: plan.previous, next: plan.next }
            : { reason: plan.reason }),
        });
        return plan;
      }
      case 'commit': {
        await store.write(
          {
            watermark: request.next,
            advancedAt: new Date(now).toISOString(),
            executionId: request.executionId,
          },
          request.etag,
        );
        metrics.addMetric('HoursSinceWatermarkAdvanced', MetricUnit.Count, 0);
        logger.info('watermark recorded', { watermark: request.next, executionId: request.executionId });
        return { watermark: request.next };
      }
      case 'plan-maintenance':
        return planMaintenance(now, config.settings, table);
    }
  } finally {
    metrics.publishStoredMetrics();
  }
}
