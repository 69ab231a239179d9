import { setTimeout as sleep } from 'node:timers/promises';
import { PUT_RECORD_BATCH_LIMITS } from '../../contract';
import { backoffDelayMs } from '../../tracker/backoff';
import type { PutRecordBatchClient, RetryPolicy } from '../../tracker/options';
import type { OutgoingRecord } from '../../tracker/record-queue';
import { sendBatch } from '../../tracker/send-batch';

// The tracker SDK's defaults: the replay sends as a tracker would, minus validation and filling.
const RETRY: Required<RetryPolicy> = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 10_000, jitter: 'full' };
const MAX_IN_FLIGHT = 4;
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Sends records exactly as given (bytes, not events: nothing validated, filled or re-serialised)
 * in PutRecordBatch requests to a Firehose endpoint, with the tracker SDK's request sizes, retries
 * and backoff. A record Firehose's API would refuse for its size is not sent.
 */
export class RecordSender {
  /** Records the endpoint acknowledged. */
  acknowledged = 0;
  /** Records not acknowledged after the last attempt, by Firehose's error code. */
  readonly undelivered: Record<string, number> = {};
  private batch: OutgoingRecord[] = [];
  private batchBytes = 0;
  private seq = 0;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly client: PutRecordBatchClient,
    private readonly streamName: string,
  ) {}

  /** Queues a record (with its newline); resolves once there is room for more. False: too large to send. */
  async send(data: Buffer): Promise<boolean> {
    if (data.length > PUT_RECORD_BATCH_LIMITS.maxRecordBytes) return false;
    if (this.batchBytes + data.length > PUT_RECORD_BATCH_LIMITS.maxRequestBytes) await this.sendBatch();
    this.batch.push({ seq: ++this.seq, data });
    this.batchBytes += data.length;
    if (this.batch.length >= PUT_RECORD_BATCH_LIMITS.maxRecords) await this.sendBatch();
    return true;
  }

  /** Sends what is queued and waits for every request to end. */
  async flush(): Promise<void> {
    if (this.batch.length > 0) await this.sendBatch();
    await Promise.all(this.inFlight);
  }

  private async sendBatch(): Promise<void> {
    while (this.inFlight.size >= MAX_IN_FLIGHT) await Promise.race(this.inFlight);
    const request = this.deliver(this.batch).finally(() => this.inFlight.delete(request));
    this.inFlight.add(request);
    this.batch = [];
    this.batchBytes = 0;
  }

  /** One batch: the records that failed are sent again, with backoff, up to the last attempt. */
  private async deliver(records: OutgoingRecord[]): Promise<void> {
    let pending = records;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const outcome = await sendBatch(
        this.client,
        this.streamName,
        pending,
        AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      );
      this.acknowledged += outcome.delivered.length;
      const failed =
        attempt < RETRY.maxAttempts ? outcome.permanent : [...outcome.permanent, ...outcome.retryable];
      for (const { error } of failed) this.undelivered[error.code] = (this.undelivered[error.code] ?? 0) + 1;
      if (attempt >= RETRY.maxAttempts) return;
      pending = outcome.retryable.map((f) => f.record);
      if (pending.length > 0) await sleep(backoffDelayMs(attempt, RETRY, Math.random));
    }
  }
}
