import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { BatchTally, RefusalSink } from './transform-batch';

/** One structured warning per refused record: its id, reason and field, never its payload. */
export function logRefusals(logger: Logger, invocationId: string): RefusalSink {
  return (recordId, refusal) => {
    logger.warn('record refused', {
      invocationId,
      recordId,
      reason: refusal.reason,
      field: refusal.field,
      detail: refusal.message,
    });
  };
}

/**
 * Publishes a batch's counts: one metric per outcome (RecordsOk, RecordsDropped,
 * RecordsProcessingFailed), and RecordsFailed with a `reason` dimension per failure reason seen
 * (a closed set, so the dimension's cardinality is bounded).
 */
export function publishTally(metrics: Metrics, tally: BatchTally): void {
  metrics.addMetric('RecordsOk', MetricUnit.Count, tally.Ok);
  metrics.addMetric('RecordsDropped', MetricUnit.Count, tally.Dropped);
  metrics.addMetric('RecordsProcessingFailed', MetricUnit.Count, tally.ProcessingFailed);
  for (const [reason, count] of tally.failedByReason) {
    const byReason = metrics.singleMetric();
    byReason.addDimension('reason', reason);
    byReason.addMetric('RecordsFailed', MetricUnit.Count, count);
  }
  metrics.publishStoredMetrics();
}
