import { PutRecordBatchCommand, type PutRecordBatchCommandOutput } from '@aws-sdk/client-firehose';
import { isThrottlingError, isTransientError } from '@smithy/core/retry';
import type { DeliveryError, PutRecordBatchClient } from './options';
import type { OutgoingRecord } from './record-queue';

export interface FailedRecord {
  record: OutgoingRecord;
  error: DeliveryError;
}

/** What one PutRecordBatch request did to each of its records. */
export interface AttemptOutcome {
  delivered: OutgoingRecord[];
  /** Worth another attempt: per-record errors, throttling, server and network errors, timeouts. */
  retryable: FailedRecord[];
  /** Not worth another attempt (a client error such as an unknown stream), or given up on. */
  permanent: FailedRecord[];
}

/** The reason an attempt was stopped from outside (request timeout, flush deadline). */
export class StoppedAttempt {
  constructor(
    readonly error: DeliveryError,
    readonly retryable: boolean,
  ) {}
}

/**
 * Sends `records` in one PutRecordBatch request and sorts them by outcome; never throws. The answer
 * is awaited only until `signal` aborts, whether or not the client honours the signal, so a hung
 * connection cannot hold a flush past its deadline.
 */
export async function sendBatch(
  client: PutRecordBatchClient,
  deliveryStreamName: string,
  records: OutgoingRecord[],
  signal: AbortSignal,
): Promise<AttemptOutcome> {
  const command = new PutRecordBatchCommand({
    DeliveryStreamName: deliveryStreamName,
    Records: records.map((record) => ({ Data: record.data })),
  });
  try {
    const response = await untilAborted(client.send(command, { abortSignal: signal }), signal);
    return sortByResponse(records, response);
  } catch (thrown) {
    const stop = signal.aborted && signal.reason instanceof StoppedAttempt ? signal.reason : classify(thrown);
    const failed = records.map((record) => ({ record, error: stop.error }));
    return stop.retryable
      ? { delivered: [], retryable: failed, permanent: [] }
      : { delivered: [], retryable: [], permanent: failed };
  }
}

/** Only the records whose entry carries an ErrorCode failed; each entry matches its record by position. */
function sortByResponse(records: OutgoingRecord[], response: PutRecordBatchCommandOutput): AttemptOutcome {
  const entries = response.RequestResponses ?? [];
  if (entries.length !== records.length) {
    const error = {
      code: 'MalformedResponse',
      message: `PutRecordBatch answered ${entries.length} entries for ${records.length} records`,
    };
    return { delivered: [], retryable: records.map((record) => ({ record, error })), permanent: [] };
  }
  const outcome: AttemptOutcome = { delivered: [], retryable: [], permanent: [] };
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const entry = entries[i]!;
    if (entry.ErrorCode === undefined) outcome.delivered.push(record);
    else
      outcome.retryable.push({ record, error: { code: entry.ErrorCode, message: entry.ErrorMessage ?? '' } });
  }
  return outcome;
}

type SdkError = Parameters<typeof isThrottlingError>[0];

/**
 * A request that got no HTTP answer (network error, timeout, credentials lookup) is retried, as is
 * one refused by throttling or a server error; a client error (4xx: unknown stream, no permission,
 * invalid argument) is not, since the next attempt would be refused the same way. Throttling and
 * transient errors are recognised by the SDK's own classification.
 */
export function classify(thrown: unknown): StoppedAttempt {
  if (!(thrown instanceof Error))
    return new StoppedAttempt({ code: 'UnknownError', message: String(thrown) }, true);
  // SdkError only narrows `cause` to Error (the classifiers test it before use), hence the cast.
  const error = thrown as SdkError;
  // Node's network errors are plain Errors whose `code` says what happened (ECONNRESET, ...).
  const nodeCode = 'code' in thrown && typeof thrown.code === 'string' ? thrown.code : undefined;
  const code = error.name === 'Error' && nodeCode !== undefined ? nodeCode : error.name;
  const status = error.$metadata?.httpStatusCode;
  const retryable =
    status === undefined || status >= 500 || isThrottlingError(error) || isTransientError(error);
  return new StoppedAttempt({ code, message: error.message }, retryable);
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  // Once aborted nobody awaits `work`; its late failure must not become an unhandled rejection.
  work.catch(() => {});
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
