import { randomUUID } from 'node:crypto';
import type {
  Context,
  FirehoseTransformationEvent,
  FirehoseTransformationResult,
  FirehoseTransformationResultRecord,
} from 'aws-lambda';
import type { SpooledRecord } from './spool';

/** The transform Lambda's handler as the local pipeline calls it. */
export type TransformHandler = (
  event: FirehoseTransformationEvent,
  context: Context,
) => Promise<FirehoseTransformationResult>;

export interface TransformTarget {
  handler: TransformHandler;
  deliveryStreamArn: string;
  region: string;
  /** The ARN Firehose writes into processing-failed records. */
  lambdaArn: string;
  /** Firehose's processor retries after a failed invocation (its NumberOfRetries). @default 3 */
  retries?: number;
}

/** A record's fate after the processor, with Firehose's error code and message when it failed. */
export type RecordOutcome =
  | { record: SpooledRecord; result: 'Ok'; data: Buffer }
  | { record: SpooledRecord; result: 'Dropped' }
  | {
      record: SpooledRecord;
      result: 'ProcessingFailed';
      errorCode: string;
      errorMessage: string;
      attemptsMade: number;
    };

/** Firehose's error codes and messages for records the processor did not process. */
export const PROCESSING_ERRORS = {
  failedStatus: { code: 'Lambda.ProcessingFailedStatus', message: 'ProcessingFailed status set for record' },
  functionError: {
    code: 'Lambda.FunctionError',
    message: 'The Lambda function was successfully invoked but it returned an error result.',
  },
  missingRecordId: {
    code: 'Lambda.MissingRecordId',
    message:
      'One or more record Ids were not returned. Ensure that the Lambda function returns all received record Ids.',
  },
  invalidReturnFormat: {
    code: 'Lambda.InvalidReturnFormat',
    message: 'The Lambda function returned a result that is not a valid data transformation response.',
  },
} as const;

const RESULTS = new Set(['Ok', 'Dropped', 'ProcessingFailed']);

/**
 * Runs one Firehose processor invocation the way Firehose does: a transformation event with
 * base64 data, retried when the invocation fails (throws, or answers something that is not a
 * valid response), after which every record of the batch is ProcessingFailed with the code
 * Firehose uses. Never throws.
 */
export async function invokeTransform(
  target: TransformTarget,
  records: SpooledRecord[],
): Promise<RecordOutcome[]> {
  const attempts = (target.retries ?? 3) + 1;
  let failure: { code: string; message: string } = PROCESSING_ERRORS.functionError;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const event = transformationEvent(target, records);
    let response: unknown;
    try {
      response = await target.handler(event, lambdaContext(target));
    } catch {
      failure = PROCESSING_ERRORS.functionError;
      continue;
    }
    const outcome = outcomesFrom(response, records);
    if (!('failure' in outcome)) return outcome.outcomes;
    failure = outcome.failure;
  }
  return records.map((record) => ({
    record,
    result: 'ProcessingFailed',
    errorCode: failure.code,
    errorMessage: failure.message,
    attemptsMade: attempts,
  }));
}

function transformationEvent(target: TransformTarget, records: SpooledRecord[]): FirehoseTransformationEvent {
  return {
    invocationId: randomUUID(),
    deliveryStreamArn: target.deliveryStreamArn,
    region: target.region,
    records: records.map((r) => ({
      recordId: r.id,
      approximateArrivalTimestamp: r.arrivedAt,
      data: r.data.toString('base64'),
    })),
  };
}

function outcomesFrom(
  response: unknown,
  records: SpooledRecord[],
): { outcomes: RecordOutcome[] } | { failure: { code: string; message: string } } {
  const results = (response as FirehoseTransformationResult | undefined)?.records;
  if (!Array.isArray(results)) return { failure: PROCESSING_ERRORS.invalidReturnFormat };
  const byId = new Map<string, FirehoseTransformationResultRecord>();
  for (const result of results as unknown[]) {
    if (!isResultRecord(result)) return { failure: PROCESSING_ERRORS.invalidReturnFormat };
    byId.set(result.recordId, result);
  }
  if (byId.size !== records.length || records.some((r) => !byId.has(r.id))) {
    return { failure: PROCESSING_ERRORS.missingRecordId };
  }
  return {
    outcomes: records.map((record): RecordOutcome => {
      const result = byId.get(record.id)!;
      if (result.result === 'Ok')
        return { record, result: 'Ok', data: Buffer.from(result.data ?? '', 'base64') };
      if (result.result === 'Dropped') return { record, result: 'Dropped' };
      return {
        record,
        result: 'ProcessingFailed',
        errorCode: PROCESSING_ERRORS.failedStatus.code,
        errorMessage: PROCESSING_ERRORS.failedStatus.message,
        attemptsMade: 1,
      };
    }),
  };
}

function isResultRecord(value: unknown): value is FirehoseTransformationResultRecord {
  if (typeof value !== 'object' || value === null) return false;
  const { recordId, result, data } = value as Record<string, unknown>;
  return (
    typeof recordId === 'string' &&
    typeof result === 'string' &&
    RESULTS.has(result) &&
    (result !== 'Ok' || typeof data === 'string')
  );
}

// What getRemainingTimeInMillis counts down from: Firehose gives a Lambda processor at most 5 minutes.
const INVOCATION_BUDGET_MS = 300_000;

function lambdaContext(target: TransformTarget): Context {
  const started = Date.now();
  const functionName = target.lambdaArn.slice(target.lambdaArn.lastIndexOf(':') + 1);
  const unsupported = () => {
    throw new Error('callback-style Lambda context methods are not supported locally');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: target.lambdaArn,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, INVOCATION_BUDGET_MS - (Date.now() - started)),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
