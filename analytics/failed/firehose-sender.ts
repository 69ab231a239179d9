import { PUT_RECORD_BATCH_LIMITS } from '../../contract';
import { sizedBatches } from '../../lambdas/shared/batches';
import { backoffDelayMs } from '../../tracker/backoff';
import type { DeliveryError, PutRecordBatchClient } from '../../tracker/options';
import type { OutgoingRecord } from '../../tracker/record-queue';
import { sendBatch } from '../../tracker/send-batch';

export interface PutRecordsOptions {
  client: PutRecordBatchClient;
  streamName: string;
  /** Requests per record, the first included. @default 5 */
  maxAttempts?: number;
  /** Backoff before the first retry, doubling up to maxDelayMs (full jitter). @default 200 */
  baseDelayMs?: number;
  /** @default 10000 */
  maxDelayMs?: number;
  /** A request unanswered this long is retried. @default 30000 */
  requestTimeoutMs?: number;
  /** After each request: records delivered so far. */
  onRequest?: (delivered: number) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface PutRecordsOutcome {
  /** Indices of the records Firehose acknowledged. */
  delivered: number[];
  /** Records given up on: a client error (unknown stream, no permission), or still failing after every attempt. */
  undelivered: { index: number; error: DeliveryError }[];
}

/**
 * Sends records (each one Firehose record's bytes) with PutRecordBatch, in requests within its fixed
 * limits (500 records, 4 MiB), and sends again the entries a response marks failed, after a backoff,
 * as the tracker SDK does: the same request function (tracker/send-batch.ts) sorts each answer into
 * delivered, worth retrying and permanent failures. Never throws for a failed send.
 */
export async function putRecords(
  records: readonly Buffer[],
  options: PutRecordsOptions,
): Promise<PutRecordsOutcome> {
  const maxAttempts = options.maxAttempts ?? 5;
  const policy = {
    maxAttempts,
    baseDelayMs: options.baseDelayMs ?? 200,
    maxDelayMs: options.maxDelayMs ?? 10_000,
    jitter: 'full' as const,
  };
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const outcome: PutRecordsOutcome = { delivered: [], undelivered: [] };
  let pending: OutgoingRecord[] = [];
  records.forEach((data, seq) => {
    if (data.length > PUT_RECORD_BATCH_LIMITS.maxRecordBytes) {
      outcome.undelivered.push({
        index: seq,
        error: {
          code: 'RecordTooLarge',
          message: `over Firehose's ${PUT_RECORD_BATCH_LIMITS.maxRecordBytes} bytes per record`,
        },
      });
    } else {
      pending.push({ seq, data });
    }
  });
  for (let attempt = 1; pending.length > 0; attempt++) {
    const retry: { record: OutgoingRecord; error: DeliveryError }[] = [];
    // Consecutive requests of at most 500 records and 4 MiB of record data.
    for (const batch of sizedBatches(pending, (record) => record.data.length, {
      maxBytes: PUT_RECORD_BATCH_LIMITS.maxRequestBytes,
      maxItems: PUT_RECORD_BATCH_LIMITS.maxRecords,
    })) {
      const signal = AbortSignal.timeout(options.requestTimeoutMs ?? 30_000);
      const answer = await sendBatch(options.client, options.streamName, batch, signal);
      for (const record of answer.delivered) outcome.delivered.push(record.seq);
      for (const failed of answer.permanent)
        outcome.undelivered.push({ index: failed.record.seq, error: failed.error });
      retry.push(...answer.retryable);
      options.onRequest?.(outcome.delivered.length);
    }
    if (attempt === maxAttempts) {
      for (const failed of retry) outcome.undelivered.push({ index: failed.record.seq, error: failed.error });
      break;
    }
    pending = retry.map((failed) => failed.record);
    if (pending.length > 0) await sleep(backoffDelayMs(attempt, policy, options.random ?? Math.random));
  }
  return outcome;
}
