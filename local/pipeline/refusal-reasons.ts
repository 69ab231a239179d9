import type { FailureReason } from '../../contract';
import { readTransformConfig } from '../../lambdas/transform/config';
import { transformBatch } from '../../lambdas/transform/transform-batch';
import { UserAgentParser } from '../../lambdas/transform/user-agent';
import type { SpooledRecord } from './spool';

/**
 * Why the transform refused records. On AWS the reasons are in the transform's log lines and
 * metrics, not in the processing-failed records; locally the handler's logs are silenced to keep
 * the terminal readable, so the pipeline asks the same core for the refusals of the records the
 * handler answered ProcessingFailed. Records it would now accept are not in the map.
 */
export function refusalReasons(records: readonly SpooledRecord[]): Map<string, FailureReason> {
  const reasons = new Map<string, FailureReason>();
  if (records.length === 0) return reasons;
  const config = readTransformConfig(process.env);
  transformBatch(
    records.map((r) => ({
      recordId: r.id,
      approximateArrivalTimestamp: r.arrivedAt,
      data: r.data.toString('base64'),
    })),
    { config, userAgents: new UserAgentParser(config.userAgentCacheSize) },
    (recordId, refusal) => reasons.set(recordId, refusal.reason),
  );
  return reasons;
}
