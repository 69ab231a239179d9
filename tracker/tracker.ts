import { FirehoseClient } from '@aws-sdk/client-firehose';
import type { FailureReason, WireEvent } from '../contract/index';
import { backoffDelayMs } from './backoff';
import { decodeEvent, encodeEvent } from './encode';
import { createEventIdSource } from './event-id';
import {
  type DeliveryError,
  type PutRecordBatchClient,
  type ResolvedOptions,
  resolveOptions,
  type TrackerOptions,
  TrackerOptionsError,
  type UndeliveredEvent,
} from './options';
import { type OutgoingRecord, RecordQueue } from './record-queue';
import { type AttemptOutcome, type FailedRecord, StoppedAttempt, sendBatch } from './send-batch';
import { TrackerTimers } from './timers';

/** An event as `track` takes it: the wire format, with `event_id` and `sent_at` filled when absent. */
export type TrackInput = Omit<WireEvent, 'event_id'> & { event_id?: string };

export type TrackRefusalReason = FailureReason | 'queue_full' | 'closed';

/**
 * `track`'s answer. A refused event is not kept (it will never be sent); `reason` says why for
 * machines, `message` for people, and `field` points at the offending field when there is one.
 */
export type TrackResult =
  | { ok: true; eventId: string }
  | { ok: false; reason: TrackRefusalReason; field?: string; message: string };

/** Counts since creation (events) and what the tracker holds now. */
export interface TrackerStats {
  /** Events `track` took. Each ends delivered, failed or dropped, or is still queued or in flight. */
  accepted: number;
  /** Events `track` refused (invalid, too large, queue full, closed). */
  refused: number;
  /** Events Firehose confirmed. */
  delivered: number;
  /** Event re-sends (an event sent three times counts two). */
  retried: number;
  /** Events reported to `onError`. */
  failed: number;
  /** Events dropped to make room (`whenFull: 'drop-oldest'`), reported to `onDrop`. */
  dropped: number;
  /** Events waiting for a request, new or waiting to be retried. */
  queued: number;
  /** Events in requests that have not answered yet. */
  inFlight: number;
  /** Serialised bytes of the queued and in-flight events. */
  bufferedBytes: number;
}

export interface FlushOptions {
  /**
   * Give up after this long: events still undelivered are reported to `onError` with code
   * `FlushTimeout` (those in requests that may still arrive, too) and the promise resolves.
   * @default no limit (the retry policy bounds the wait)
   */
  timeoutMs?: number;
}

export interface Tracker {
  /** Validates, serialises and queues one event; synchronous, never throws for bad input. */
  track(event: TrackInput): TrackResult;
  /** Resolves once every event tracked before the call is delivered or reported (in flight included). */
  flush(options?: FlushOptions): Promise<void>;
  /** Refuses further events and flushes. Idempotent: later calls return the first call's promise. */
  close(options?: FlushOptions): Promise<void>;
  stats(): TrackerStats;
}

/** Creates a tracker sending to one Firehose delivery stream. Throws TrackerOptionsError for bad options. */
export function createTracker(options: TrackerOptions): Tracker {
  return new BatchingTracker(resolveOptions(options));
}

/** Records sent together; retries re-send the failed subset, which keeps `seq` order. */
interface Batch {
  records: OutgoingRecord[];
  readonly controller: AbortController;
}

interface FlushWaiter {
  readonly throughSeq: number;
  readonly resolve: () => void;
}

class BatchingTracker implements Tracker {
  readonly #options: ResolvedOptions;
  readonly #client: PutRecordBatchClient;
  readonly #newEventId = createEventIdSource();
  readonly #timers = new TrackerTimers();
  readonly #queue = new RecordQueue();
  readonly #batches = new Set<Batch>();
  readonly #waiters: FlushWaiter[] = [];
  #lastSeq = 0;
  /** Records up to this seq leave without waiting for a full request (set by flush and the interval). */
  #sendThrough = 0;
  #intervalTimer: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;
  #heldEvents = 0;
  #heldBytes = 0;
  #counts = { accepted: 0, refused: 0, delivered: 0, retried: 0, failed: 0, dropped: 0, inFlight: 0 };

  constructor(options: ResolvedOptions) {
    this.#options = options;
    // The tracker retries on its own terms, so the SDK's retries would only multiply its attempts.
    this.#client = options.client ?? new FirehoseClient({ maxAttempts: 1 });
  }

  track(input: TrackInput): TrackResult {
    if (this.#closing !== undefined) {
      return this.#refuse('closed', 'the tracker is closed; events tracked after close() are not sent');
    }
    const encoded = encodeEvent(input, this.#newEventId, Date.now());
    if (!encoded.ok) {
      this.#counts.refused++;
      return encoded;
    }
    if (!this.#makeRoom(encoded.data.length)) {
      const { maxQueueEvents, maxQueueBytes } = this.#options;
      return this.#refuse(
        'queue_full',
        `the tracker is full (${this.#heldEvents} events, ${this.#heldBytes} bytes; maxQueueEvents ${maxQueueEvents}, maxQueueBytes ${maxQueueBytes}) and the event was not kept`,
      );
    }
    this.#queue.push({ seq: ++this.#lastSeq, data: encoded.data });
    this.#heldEvents++;
    this.#heldBytes += encoded.data.length;
    this.#counts.accepted++;
    if (
      this.#queue.count >= this.#options.maxBatchRecords ||
      this.#queue.bytes >= this.#options.maxBatchBytes
    ) {
      this.#pump();
    } else if (this.#intervalTimer === undefined) {
      this.#armIntervalTimer();
    }
    return { ok: true, eventId: encoded.eventId };
  }

  flush(options: FlushOptions = {}): Promise<void> {
    const { timeoutMs } = options;
    if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs < 0)) {
      return Promise.reject(
        new TrackerOptionsError(`timeoutMs must be a non-negative integer, got ${String(timeoutMs)}`),
      );
    }
    const throughSeq = this.#lastSeq;
    if (this.#lowestUnsettledSeq() > throughSeq) return Promise.resolve();
    const settled = new Promise<void>((resolve) => this.#waiters.push({ throughSeq, resolve }));
    this.#timers.holdProcess(true);
    this.#sendThrough = Math.max(this.#sendThrough, throughSeq);
    this.#pump();
    if (timeoutMs === undefined) return settled;
    const deadline = this.#timers.after(timeoutMs, () =>
      this.#giveUp(throughSeq, {
        code: 'FlushTimeout',
        message: `flush gave up after ${timeoutMs} ms; an event that was in a request may still have arrived`,
      }),
    );
    return settled.finally(() => this.#timers.cancel(deadline));
  }

  close(options?: FlushOptions): Promise<void> {
    if (this.#closing === undefined) {
      this.#closing = this.flush(options).finally(() => this.#timers.cancel(this.#intervalTimer));
    }
    return this.#closing;
  }

  stats(): TrackerStats {
    const { inFlight, ...counts } = this.#counts;
    return { ...counts, queued: this.#heldEvents - inFlight, inFlight, bufferedBytes: this.#heldBytes };
  }

  #refuse(reason: TrackRefusalReason, message: string): TrackResult {
    this.#counts.refused++;
    return { ok: false, reason, message };
  }

  /** Whether an event of `bytes` fits, after dropping the oldest waiting events if the policy allows. */
  #makeRoom(bytes: number): boolean {
    const { maxQueueEvents, maxQueueBytes, whenFull } = this.#options;
    if (this.#heldEvents < maxQueueEvents && this.#heldBytes + bytes <= maxQueueBytes) return true;
    if (whenFull === 'refuse') return false;
    // Events in requests or waiting for a retry are not droppable; if they alone fill the bounds, refuse.
    const outsideQueueEvents = this.#heldEvents - this.#queue.count;
    const outsideQueueBytes = this.#heldBytes - this.#queue.bytes;
    if (outsideQueueEvents >= maxQueueEvents || outsideQueueBytes + bytes > maxQueueBytes) return false;
    const dropped: OutgoingRecord[] = [];
    while (this.#heldEvents >= maxQueueEvents || this.#heldBytes + bytes > maxQueueBytes) {
      const oldest = this.#queue.shift();
      if (oldest === undefined) break;
      this.#release(oldest);
      dropped.push(oldest);
    }
    this.#counts.dropped += dropped.length;
    const { onDrop } = this.#options;
    if (onDrop === undefined) {
      process.emitWarning(
        `clickstream tracker dropped ${dropped.length} waiting event(s) to make room (whenFull: 'drop-oldest')`,
        { code: 'CLICKSTREAM_TRACKER_DROPPED' },
      );
    } else {
      this.#callBack('onDrop', () => onDrop(dropped.map((record) => decodeEvent(record.data))));
    }
    this.#settleWaiters();
    return true;
  }

  /** Starts requests while there is a free slot and something due: a full request, or a flushed event. */
  #pump(): void {
    const { maxConcurrentRequests, maxBatchRecords, maxBatchBytes } = this.#options;
    while (this.#batches.size < maxConcurrentRequests) {
      const head = this.#queue.peek();
      if (head === undefined) break;
      const due =
        head.seq <= this.#sendThrough ||
        this.#queue.count >= maxBatchRecords ||
        this.#queue.bytes >= maxBatchBytes;
      if (!due) break;
      const batch: Batch = {
        records: this.#queue.takeBatch(maxBatchRecords, maxBatchBytes),
        controller: new AbortController(),
      };
      this.#batches.add(batch);
      void this.#deliver(batch);
    }
    this.#armIntervalTimer();
  }

  /** Makes sure waiting events leave within flushIntervalMs even if no request fills up. */
  #armIntervalTimer(): void {
    const head = this.#queue.peek();
    if (this.#intervalTimer !== undefined || head === undefined || head.seq <= this.#sendThrough) return;
    this.#intervalTimer = this.#timers.after(this.#options.flushIntervalMs, () => {
      this.#intervalTimer = undefined;
      this.#sendThrough = this.#lastSeq;
      this.#pump();
    });
  }

  /** Sends one batch until every record is delivered or reported, retrying the failed ones. */
  async #deliver(batch: Batch): Promise<void> {
    const { retry } = this.#options;
    const { signal } = batch.controller;
    try {
      for (let attempt = 1; batch.records.length > 0; attempt++) {
        if (signal.reason instanceof StoppedAttempt) {
          const { error } = signal.reason;
          this.#fail(
            batch.records.map((record) => ({ record, error })),
            attempt - 1,
          );
          batch.records = [];
          break;
        }
        const sent = batch.records.length;
        if (attempt > 1) this.#counts.retried += sent;
        this.#counts.inFlight += sent;
        const outcome = await this.#attempt(batch.records, signal);
        this.#counts.inFlight -= sent;
        const again = this.#settle(outcome, attempt, attempt < retry.maxAttempts);
        batch.records = again;
        this.#settleWaiters();
        if (again.length === 0) break;
        await this.#timers.sleep(backoffDelayMs(attempt, retry, Math.random), signal);
      }
    } finally {
      this.#batches.delete(batch);
      this.#settleWaiters();
      this.#pump();
    }
  }

  /** One request with its own timeout, stopped early if the batch is given up on. */
  async #attempt(records: OutgoingRecord[], batchSignal: AbortSignal): Promise<AttemptOutcome> {
    const controller = new AbortController();
    const stopWithBatch = () => controller.abort(batchSignal.reason);
    batchSignal.addEventListener('abort', stopWithBatch, { once: true });
    const { requestTimeoutMs } = this.#options;
    const timeout = this.#timers.after(requestTimeoutMs, () =>
      controller.abort(
        new StoppedAttempt(
          { code: 'RequestTimeout', message: `no answer within ${requestTimeoutMs} ms` },
          true,
        ),
      ),
    );
    try {
      return await sendBatch(this.#client, this.#options.deliveryStreamName, records, controller.signal);
    } finally {
      this.#timers.cancel(timeout);
      batchSignal.removeEventListener('abort', stopWithBatch);
    }
  }

  /** Books an attempt's outcome; returns the records to send again (in their original order). */
  #settle(outcome: AttemptOutcome, attempts: number, canRetry: boolean): OutgoingRecord[] {
    for (const record of outcome.delivered) this.#release(record);
    this.#counts.delivered += outcome.delivered.length;
    const failed = canRetry ? outcome.permanent : [...outcome.permanent, ...outcome.retryable];
    if (failed.length > 0) this.#fail(failed, attempts);
    if (!canRetry) return [];
    return outcome.retryable.map((failure) => failure.record);
  }

  #fail(failures: FailedRecord[], attempts: number): void {
    for (const { record } of failures) this.#release(record);
    this.#counts.failed += failures.length;
    const { onError, deliveryStreamName } = this.#options;
    if (onError === undefined) {
      const first = failures[0]!.error;
      process.emitWarning(
        `clickstream tracker could not deliver ${failures.length} event(s) to Firehose stream ${deliveryStreamName} after ${attempts} attempt(s): ${first.code}: ${first.message}`,
        { code: 'CLICKSTREAM_TRACKER_UNDELIVERED' },
      );
      return;
    }
    const events: UndeliveredEvent[] = failures.map(({ record, error }) => ({
      event: decodeEvent(record.data),
      error,
      attempts,
    }));
    this.#callBack('onError', () => onError(events));
  }

  #release(record: OutgoingRecord): void {
    this.#heldEvents--;
    this.#heldBytes -= record.data.length;
  }

  /** Reports every unsettled event tracked up to `throughSeq` now, stopping their requests. */
  #giveUp(throughSeq: number, error: DeliveryError): void {
    const abandoned = this.#queue.takeThrough(throughSeq).map((record) => ({ record, error }));
    if (abandoned.length > 0) this.#fail(abandoned, 0);
    for (const batch of this.#batches) {
      const first = batch.records[0];
      if (first !== undefined && first.seq <= throughSeq)
        batch.controller.abort(new StoppedAttempt(error, false));
    }
    this.#settleWaiters();
  }

  #lowestUnsettledSeq(): number {
    let lowest = this.#queue.peek()?.seq ?? Number.POSITIVE_INFINITY;
    for (const batch of this.#batches) lowest = Math.min(lowest, batch.records[0]?.seq ?? lowest);
    return lowest;
  }

  #settleWaiters(): void {
    if (this.#waiters.length === 0) return;
    const lowest = this.#lowestUnsettledSeq();
    let settled = 0;
    for (const waiter of this.#waiters) {
      if (waiter.throughSeq >= lowest) break;
      waiter.resolve();
      settled++;
    }
    this.#waiters.splice(0, settled);
    if (this.#waiters.length === 0) this.#timers.holdProcess(false);
  }

  /** A throwing callback must not break delivery bookkeeping; it is surfaced as a process warning. */
  #callBack(name: string, call: () => void): void {
    try {
      call();
    } catch (error) {
      process.emitWarning(
        `clickstream tracker: the ${name} callback threw: ${error instanceof Error ? error.message : String(error)}`,
        { code: 'CLICKSTREAM_TRACKER_CALLBACK' },
      );
    }
  }
}
