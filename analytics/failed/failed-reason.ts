import { type ErrorOutputType, type FailedRecord, type Refusal, validateStoredEvent } from '../../contract';
import { decodeRecord } from '../../lambdas/transform/decode-record';
import { PROCESSING_ERRORS } from '../../local/pipeline/transform-invoker';
import { asRefusal, type TransformVerdict } from './verdict';

/**
 * The label of a processing-failed record that neither the configuration given nor the transform's
 * defaults refuse: it was refused under settings since relaxed, or by a contract since fixed.
 */
export const NO_LONGER_REFUSED = 'no_longer_refused';

/** The verdicts a reason is derived from: the configuration given, and the transform's defaults. */
export interface Verdicts {
  current: TransformVerdict;
  defaults: TransformVerdict;
}

export interface DerivedReason {
  /** A typed failure reason (contract/reasons.ts), Firehose's error code, or an index error type. */
  reason: string;
  /** The refusal behind a typed reason (field and message; messages never hold field values). */
  refusal?: Refusal;
}

/**
 * Why a record failed, derived again from its data, since Firehose keeps no reason of the
 * transform's (a processing-failed record says only `Lambda.ProcessingFailedStatus`):
 * - processing-failed: the transform's refusal of the record at its original arrival time under
 *   the configuration given (with the configuration the pipeline ran, exactly the reason it gave);
 *   else, for a failed invocation, Firehose's error code (`Lambda.FunctionError`, ...); else the
 *   refusal under the transform's default settings (an `event_too_old` whose limit was raised
 *   since); else NO_LONGER_REFUSED.
 * - AmazonOpenSearchService-failed (the record holds the document the transform made): the stored
 *   format's refusal of the document if it has one, else the index's error type
 *   (`mapper_parsing_exception`) when the message carries one, else `index_<error code>`.
 */
export function deriveReason(
  record: FailedRecord,
  errorOutputType: ErrorOutputType,
  verdicts: Verdicts,
): DerivedReason {
  if (errorOutputType === 'AmazonOpenSearchService-failed') return indexReason(record);
  const refusal = verdicts.current.refusalOf(record.rawData, record.arrivalTimestamp);
  if (refusal !== undefined) return { reason: refusal.reason, refusal };
  if (record.errorCode !== PROCESSING_ERRORS.failedStatus.code) {
    return { reason: record.errorCode === '' ? 'unknown_error' : record.errorCode };
  }
  if (!verdicts.defaults.judgesLike(verdicts.current)) {
    const byDefault = verdicts.defaults.refusalOf(record.rawData, record.arrivalTimestamp);
    if (byDefault !== undefined) return { reason: byDefault.reason, refusal: byDefault };
  }
  return { reason: NO_LONGER_REFUSED };
}

function indexReason(record: FailedRecord): DerivedReason {
  const decoded = decodeRecord(record.rawData);
  if (!decoded.ok) return { reason: decoded.reason, refusal: asRefusal(decoded) };
  const validation = validateStoredEvent(decoded.value);
  if (!validation.ok) return { reason: validation.reason, refusal: asRefusal(validation) };
  const errorType = openSearchErrorType(record.errorMessage);
  if (errorType !== undefined) return { reason: errorType };
  return { reason: `index_${record.errorCode === '' ? 'error' : record.errorCode}` };
}

/** OpenSearch's error `type` when the message is its error object (`{"type":"…","reason":"…"}`). */
function openSearchErrorType(message: string): string | undefined {
  if (!message.startsWith('{')) return undefined;
  try {
    const error = JSON.parse(message) as { type?: unknown; error?: { type?: unknown } };
    const type = error.type ?? error.error?.type;
    return typeof type === 'string' && /^[a-z][a-z0-9_]{0,99}$/.test(type) ? type : undefined;
  } catch {
    return undefined;
  }
}
