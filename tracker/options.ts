import type { PutRecordBatchCommand, PutRecordBatchCommandOutput } from '@aws-sdk/client-firehose';
import type { WireEvent } from '../contract/index';
import { PUT_RECORD_BATCH_LIMITS } from '../contract/index';

/**
 * What the tracker needs from a Firehose client: a `FirehoseClient` from `@aws-sdk/client-firehose`
 * satisfies it, and so does any object whose `send` answers PutRecordBatch.
 */
export interface PutRecordBatchClient {
  send(
    command: PutRecordBatchCommand,
    options?: { abortSignal?: AbortSignal },
  ): Promise<PutRecordBatchCommandOutput>;
}

/** Why an event could not be delivered: the Firehose error code (or the tracker's own) and its message. */
export interface DeliveryError {
  code: string;
  message: string;
}

/** An event the tracker accepted but could not deliver, as it was sent (event_id and sent_at filled). */
export interface UndeliveredEvent {
  event: WireEvent;
  error: DeliveryError;
  /** Requests that carried it (0 when it was given up before it was ever sent). */
  attempts: number;
}

export interface RetryPolicy {
  /**
   * Requests per event, the first included.
   * @default 5
   */
  readonly maxAttempts?: number;
  /**
   * Backoff before the first retry; it doubles per attempt up to `maxDelayMs`.
   * @default 100
   */
  readonly baseDelayMs?: number;
  /**
   * Ceiling of one backoff.
   * @default 10000
   */
  readonly maxDelayMs?: number;
  /**
   * `full` waits a random time between 0 and the backoff (so that many senders do not retry in step);
   * `none` waits the backoff itself.
   * @default 'full'
   */
  readonly jitter?: 'full' | 'none';
}

export interface TrackerOptions {
  /** The Firehose delivery stream (Direct PUT) to send to. Required. */
  readonly deliveryStreamName: string;
  /**
   * The client that sends; pass your own to set region, credentials or endpoint.
   * @default a `FirehoseClient` with the SDK's default configuration and `maxAttempts: 1` (the tracker retries)
   */
  readonly client?: PutRecordBatchClient;
  /**
   * Events per request; a request leaves as soon as it is full. At most 500 (PutRecordBatch's limit).
   * @default 500
   */
  readonly maxBatchRecords?: number;
  /**
   * Bytes per request (the sum of its records). Between 1,024,000 (one record of the largest size)
   * and 4 MiB (PutRecordBatch's limit).
   * @default 4194304
   */
  readonly maxBatchBytes?: number;
  /**
   * Longest time an event waits for its request to fill up.
   * @default 1000
   */
  readonly flushIntervalMs?: number;
  /**
   * Events the tracker holds at most: waiting, waiting to be retried and in flight.
   * @default 100000
   */
  readonly maxQueueEvents?: number;
  /**
   * Bytes (of serialised events) the tracker holds at most, counted like `maxQueueEvents`.
   * At least 1,024,000 so that any valid event fits.
   * @default 67108864
   */
  readonly maxQueueBytes?: number;
  /**
   * What `track` does when the queue is full: `refuse` the new event (the result says `queue_full`),
   * or `drop-oldest` waiting events (reported to `onDrop`) to make room.
   * @default 'refuse'
   */
  readonly whenFull?: 'refuse' | 'drop-oldest';
  /**
   * Requests in flight at once.
   * @default 4
   */
  readonly maxConcurrentRequests?: number;
  /**
   * Time one request may take before it counts as failed (and is retried).
   * @default 10000
   */
  readonly requestTimeoutMs?: number;
  /** Retries of failed records, throttled requests and network errors. */
  readonly retry?: RetryPolicy;
  /**
   * Receives events that could not be delivered after the last attempt (or at once for an error
   * that retrying cannot fix, such as an unknown stream or missing permissions).
   * @default a process warning naming the count and the error
   */
  readonly onError?: (events: UndeliveredEvent[]) => void;
  /**
   * Receives events dropped to make room under `whenFull: 'drop-oldest'`.
   * @default a process warning naming the count
   */
  readonly onDrop?: (events: WireEvent[]) => void;
}

/** A setting that cannot work; the message names the option and the accepted values. */
export class TrackerOptionsError extends Error {
  override readonly name = 'TrackerOptionsError';
}

export interface ResolvedOptions {
  deliveryStreamName: string;
  client: PutRecordBatchClient | undefined;
  maxBatchRecords: number;
  maxBatchBytes: number;
  flushIntervalMs: number;
  maxQueueEvents: number;
  maxQueueBytes: number;
  whenFull: 'refuse' | 'drop-oldest';
  maxConcurrentRequests: number;
  requestTimeoutMs: number;
  retry: Required<RetryPolicy>;
  onError: ((events: UndeliveredEvent[]) => void) | undefined;
  onDrop: ((events: WireEvent[]) => void) | undefined;
}

// Firehose's own constraint on stream names.
const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,64}$/;
// setTimeout's largest delay; beyond it Node fires at once.
const MAX_TIMER_MS = 2_147_483_647;

/** Applies defaults and checks every setting, so that a bad one fails at creation, not at the first send. */
export function resolveOptions(options: TrackerOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TrackerOptionsError('createTracker needs an options object with at least deliveryStreamName');
  }
  const { deliveryStreamName } = options;
  if (typeof deliveryStreamName !== 'string' || !STREAM_NAME.test(deliveryStreamName)) {
    throw new TrackerOptionsError(
      `deliveryStreamName must be a Firehose stream name (1-64 characters of a-z, A-Z, 0-9, _ . -), got ${JSON.stringify(deliveryStreamName)}`,
    );
  }
  if (options.client !== undefined && typeof options.client?.send !== 'function') {
    throw new TrackerOptionsError('client must be a FirehoseClient (an object with a send method)');
  }
  const retry = options.retry ?? {};
  const resolved: ResolvedOptions = {
    deliveryStreamName,
    client: options.client,
    maxBatchRecords: integer(
      'maxBatchRecords',
      options.maxBatchRecords,
      500,
      1,
      PUT_RECORD_BATCH_LIMITS.maxRecords,
    ),
    maxBatchBytes: integer(
      'maxBatchBytes',
      options.maxBatchBytes,
      PUT_RECORD_BATCH_LIMITS.maxRequestBytes,
      PUT_RECORD_BATCH_LIMITS.maxRecordBytes,
      PUT_RECORD_BATCH_LIMITS.maxRequestBytes,
    ),
    flushIntervalMs: integer('flushIntervalMs', options.flushIntervalMs, 1000, 0, MAX_TIMER_MS),
    maxQueueEvents: integer('maxQueueEvents', options.maxQueueEvents, 100_000, 1, Number.MAX_SAFE_INTEGER),
    maxQueueBytes: integer(
      'maxQueueBytes',
      options.maxQueueBytes,
      64 * 1024 * 1024,
      PUT_RECORD_BATCH_LIMITS.maxRecordBytes,
      Number.MAX_SAFE_INTEGER,
    ),
    whenFull: oneOf('whenFull', options.whenFull, 'refuse', ['refuse', 'drop-oldest'] as const),
    maxConcurrentRequests: integer('maxConcurrentRequests', options.maxConcurrentRequests, 4, 1, 64),
    requestTimeoutMs: integer('requestTimeoutMs', options.requestTimeoutMs, 10_000, 1, MAX_TIMER_MS),
    retry: {
      maxAttempts: integer('retry.maxAttempts', retry.maxAttempts, 5, 1, 100),
      baseDelayMs: integer('retry.baseDelayMs', retry.baseDelayMs, 100, 0, MAX_TIMER_MS),
      maxDelayMs: integer('retry.maxDelayMs', retry.maxDelayMs, 10_000, 0, MAX_TIMER_MS),
      jitter: oneOf('retry.jitter', retry.jitter, 'full', ['full', 'none'] as const),
    },
    onError: callback('onError', options.onError),
    onDrop: callback('onDrop', options.onDrop),
  };
  if (resolved.retry.maxDelayMs < resolved.retry.baseDelayMs) {
    throw new TrackerOptionsError(
      `retry.maxDelayMs (${resolved.retry.maxDelayMs}) must not be below retry.baseDelayMs (${resolved.retry.baseDelayMs})`,
    );
  }
  if (options.onDrop !== undefined && resolved.whenFull !== 'drop-oldest') {
    throw new TrackerOptionsError("onDrop is only called with whenFull: 'drop-oldest'; set both or neither");
  }
  return resolved;
}

function integer(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TrackerOptionsError(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

function oneOf<T extends string>(name: string, value: unknown, fallback: T, allowed: readonly T[]): T {
  if (value === undefined) return fallback;
  const match = allowed.find((candidate) => candidate === value);
  if (match === undefined) {
    throw new TrackerOptionsError(
      `${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${String(value)}`,
    );
  }
  return match;
}

function callback<T extends (...args: never[]) => void>(name: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new TrackerOptionsError(`${name} must be a function`);
  }
  return value;
}
