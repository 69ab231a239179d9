import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { v5 as uuidV5 } from 'uuid';
import {
  type ErrorOutputType,
  errorsPrefixFor,
  eventsPrefixFor,
  type FailedRecord,
  type StoredEvent,
} from '../../contract';
import { sizedBatches } from '../../lambdas/shared/batches';
import { PROCESSOR_BUFFER_MIB } from '../../lib/config';
import { type EventSink, IndexCallError, type RefusedEvent } from '../event-index/local-event-index';
import { incomingIndexFor } from '../event-index/opensearch-bulk';
import type { ObjectStore } from '../lake/object-store';
import type { Segment } from './spool';
import { invokeTransform, type RecordOutcome, type TransformTarget } from './transform-invoker';

const gzip = promisify(gzipCallback);

export interface DeliveryTargets {
  streamName: string;
  transform: TransformTarget;
  lake: ObjectStore;
  index: EventSink;
  /** Records per processor invocation, as the deployed processor buffer. @default PROCESSOR_BUFFER_MIB.max MiB of data */
  maxInvocationBytes?: number;
  /**
   * Why the processor refused records, by recordId, as the transform's `onRefused` sink reports
   * them (on AWS they are in its logs). Delivery reads and removes the entries of its records.
   */
  refusals?: Map<string, string>;
  /**
   * Waits between sends of a delivery's events while the index takes none of them (it may be
   * down), as Firehose retries OpenSearch for its retry duration; then each event the index still
   * refuses is dead-lettered. @default 0.5 s, 1 s, 2 s, 5 s
   */
  indexRetryDelaysMs?: readonly number[];
  /** The index took none of a delivery's events; they are sent again after a delay. */
  onIndexRetry?: (error: unknown) => void;
  now?: () => number;
  /** Told every record's outcome once its delivery is in the lake (the live tail), when it wants them. */
  outcomes?: OutcomeListener;
}

/** One record's transform outcome, as the live tail shows it. */
export interface RecordOutcomeView {
  /** When the endpoint accepted it (epoch milliseconds). */
  arrivedAt: number;
  outcome: 'ok' | 'dropped' | 'failed';
  /** Outcome `failed`: the transform's FailureReason, or Firehose's error code for a failed invocation. */
  reason?: string;
  /** The stored event's line (outcome `ok`) or the record's original bytes. */
  data: Buffer;
}

export interface OutcomeListener {
  /** Whether anyone listens now: the views are built only then. */
  wanted(): boolean;
  outcomes(records: RecordOutcomeView[]): void;
}

export interface DeliveryReport {
  ok: number;
  dropped: number;
  failed: number;
  /**
   * Failed records by the transform's refusal reason (`invalid_json`, `timestamp_in_future`, ...),
   * by Firehose's error code when the invocation itself failed (`Lambda.FunctionError`, ...), or by
   * OpenSearch's error type when the event index refused the document (`mapper_parsing_exception`, ...).
   */
  failedByReason: Record<string, number>;
  /** Ok lines that are not JSON objects: kept in the lake, left out of the index (never expected of the real transform). */
  unindexed: number;
  /** Ok events whose event_id the index already held (delivered twice): in the lake, counted once. */
  duplicates: number;
  /**
   * Ok events the event index refused, written to the lake's `errors/AmazonOpenSearchService-failed/`
   * by reason (also counted in `failed`): documents OpenSearch refused, and events the index
   * refused when sent alone (DuckDB refusing a row, a bulk request refused as a whole).
   */
  deadLettered: Record<string, number>;
  /** Lake keys written. */
  keys: string[];
  /** The events delivered to the lake and the index (for the summaries of the windows they touch). */
  events: StoredEvent[];
}

// Names the lake objects of a segment deterministically, so delivering a segment again after a
// crash overwrites its objects instead of adding copies.
const OBJECT_NAMESPACE = '6f1d3c52-8f2e-4a8e-9d55-6c3b0b6a9e41';
// The largest processor buffer a stage may deploy (the Lambda payload limit bounds it).
const DEFAULT_MAX_INVOCATION_BYTES = PROCESSOR_BUFFER_MIB.max * 1024 * 1024;

/**
 * Delivers one spool segment to the lake as Firehose delivers a buffer: the processor runs over
 * the records, `Ok` records become one gzip NDJSON object under `events/dt=…/hour=…/` (by the
 * arrival time of the oldest record, as Firehose names objects), `ProcessingFailed` records become
 * one object of Firehose failure records under `errors/processing-failed/dt=…/`, and `Dropped`
 * records go nowhere. The report carries the Ok events for `indexDelivered`. Throws only when the
 * lake fails, so the caller keeps the segment and retries.
 */
export async function deliverToLake(segment: Segment, targets: DeliveryTargets): Promise<DeliveryReport> {
  const outcomes: RecordOutcome[] = [];
  for (const batch of sizedBatches(segment.records, (record) => record.data.length, {
    maxBytes: targets.maxInvocationBytes ?? DEFAULT_MAX_INVOCATION_BYTES,
  })) {
    outcomes.push(...(await invokeTransform(targets.transform, batch)));
  }
  const report: DeliveryReport = {
    ok: 0,
    dropped: 0,
    failed: 0,
    failedByReason: {},
    unindexed: 0,
    duplicates: 0,
    deadLettered: {},
    keys: [],
    events: [],
  };
  const delivered: Buffer[] = [];
  const failures: FailedRecord[] = [];
  const attemptEnded = (targets.now ?? Date.now)();
  for (const outcome of outcomes) {
    if (outcome.result === 'Ok') {
      report.ok += 1;
      delivered.push(outcome.data);
      for (const event of parseLines(outcome.data)) {
        if (event === undefined) report.unindexed += 1;
        else report.events.push(event);
      }
    } else if (outcome.result === 'Dropped') {
      report.dropped += 1;
    } else {
      report.failed += 1;
      const reason = targets.refusals?.get(outcome.record.id) ?? outcome.errorCode;
      report.failedByReason[reason] = (report.failedByReason[reason] ?? 0) + 1;
      failures.push({
        attemptsMade: outcome.attemptsMade,
        arrivalTimestamp: outcome.record.arrivedAt,
        errorCode: outcome.errorCode,
        errorMessage: outcome.errorMessage,
        attemptEndingTimestamp: attemptEnded,
        rawData: outcome.record.data.toString('base64'),
        lambdaArn: targets.transform.lambdaArn,
      });
    }
  }
  const views = targets.outcomes?.wanted()
    ? outcomes.map((o) => outcomeView(o, targets.refusals))
    : undefined;
  for (const record of segment.records) targets.refusals?.delete(record.id);
  const oldest = oldestArrival(segment);
  if (delivered.length > 0) {
    const key = `${eventsPrefixFor(oldest)}${objectName(targets.streamName, oldest, segment.id, 'events')}`;
    await targets.lake.put(key, await gzip(Buffer.concat(delivered)));
    report.keys.push(key);
  }
  if (failures.length > 0) {
    const prefix = errorsPrefixFor('processing-failed', oldest);
    const key = `${prefix}${objectName(targets.streamName, oldest, segment.id, 'processing-failed')}`;
    const lines = failures.map((f) => `${JSON.stringify(f)}\n`).join('');
    await targets.lake.put(key, await gzip(Buffer.from(lines)));
    report.keys.push(key);
  }
  if (views !== undefined) targets.outcomes?.outcomes(views);
  return report;
}

function outcomeView(outcome: RecordOutcome, refusals: Map<string, string> | undefined): RecordOutcomeView {
  const { arrivedAt } = outcome.record;
  if (outcome.result === 'Ok') return { arrivedAt, outcome: 'ok', data: outcome.data };
  if (outcome.result === 'Dropped') return { arrivedAt, outcome: 'dropped', data: outcome.record.data };
  const reason = refusals?.get(outcome.record.id) ?? outcome.errorCode;
  return { arrivedAt, outcome: 'failed', reason, data: outcome.record.data };
}

/** Firehose's folder for documents OpenSearch refused. */
const INDEX_FAILED: ErrorOutputType = 'AmazonOpenSearchService-failed';

// Firehose retries an OpenSearch destination for 300 s by default; locally a shorter wait, as
// the OpenSearch adapter retries refused items, so one refused buffer holds the ones behind it
// for seconds, not minutes.
const DEFAULT_INDEX_RETRY_DELAYS_MS = [500, 1_000, 2_000, 5_000];

/**
 * Sends a delivery's Ok events to the event index and counts those it already held. When the index
 * fails a call, the events are halved until the ones it refuses stand alone, and the rest go in.
 * Documents the index refuses stay in the lake's events/ (as in Firehose's AllDocuments backup)
 * and, as Firehose writes them, go to one object of failure records under
 * `errors/AmazonOpenSearchService-failed/`; they count as failed and dead-lettered, by reason.
 * Throws only when the lake fails, so the caller delivers the segment again.
 */
export async function indexDelivered(
  segment: Segment,
  report: DeliveryReport,
  targets: Pick<
    DeliveryTargets,
    'index' | 'lake' | 'streamName' | 'now' | 'indexRetryDelaysMs' | 'onIndexRetry'
  >,
): Promise<void> {
  if (report.events.length === 0) return;
  const outcome = await indexOrRefuse(report.events, targets);
  report.duplicates = outcome.duplicates;
  const { refused } = outcome;
  if (refused.length === 0) return;
  const attemptEnded = (targets.now ?? Date.now)();
  const oldest = oldestArrival(segment);
  const key = `${errorsPrefixFor(INDEX_FAILED, oldest)}${objectName(targets.streamName, oldest, segment.id, INDEX_FAILED)}`;
  const lines = refused.map((r) => `${JSON.stringify(indexFailure(r, attemptEnded))}\n`).join('');
  await targets.lake.put(key, await gzip(Buffer.from(lines)));
  report.keys.push(key);
  report.failed += refused.length;
  for (const { errorType } of refused) {
    report.failedByReason[errorType] = (report.failedByReason[errorType] ?? 0) + 1;
    report.deadLettered[errorType] = (report.deadLettered[errorType] ?? 0) + 1;
  }
}

interface IndexAttempt {
  duplicates: number;
  refused: RefusedEvent[];
  /** The index answered at least one call: it is up, so what it refused, it refused for the data. */
  answered: boolean;
}

/**
 * Sends the events, halving what the index refuses. While the index takes nothing it may be down
 * rather than refusing these events, so the whole delivery is sent again after each delay; the
 * last send halves down to single events and refuses those that still fail.
 */
async function indexOrRefuse(
  events: readonly StoredEvent[],
  targets: Pick<DeliveryTargets, 'index' | 'indexRetryDelaysMs' | 'onIndexRetry'>,
): Promise<IndexAttempt> {
  const delaysMs = targets.indexRetryDelaysMs ?? DEFAULT_INDEX_RETRY_DELAYS_MS;
  // One refused event costs about log2(n) failed sends before the events beside it go in; a few
  // more failures than that before anything goes in, and the index is more likely down.
  const patience = Math.ceil(Math.log2(events.length)) + 2;
  for (let attempt = 1; ; attempt++) {
    const delay = delaysMs[attempt - 1];
    const send = new HalvingSend(
      targets.index,
      delay === undefined ? Number.POSITIVE_INFINITY : patience,
      attempt,
    );
    const finished = await send.send(events);
    if (delay === undefined || (finished && send.outcome.answered)) return send.outcome;
    targets.onIndexRetry?.(send.lastError);
    await sleep(delay);
  }
}

/** One send of a delivery's events: a part the index fails is halved and each half sent. */
class HalvingSend {
  readonly outcome: IndexAttempt = { duplicates: 0, refused: [], answered: false };
  lastError: unknown;
  private failures = 0;

  constructor(
    private readonly index: EventSink,
    /** Failed calls after which, while no call has succeeded, the send gives up. */
    private readonly patience: number,
    private readonly attempt: number,
  ) {}

  /** False when it gave up: `patience` calls failed and none succeeded. */
  async send(events: readonly StoredEvent[]): Promise<boolean> {
    try {
      const result = await this.index.indexEvents(events);
      this.outcome.answered = true;
      this.outcome.duplicates += result.duplicates;
      this.outcome.refused.push(...(result.refused ?? []));
      return true;
    } catch (error) {
      this.lastError = error;
      this.failures += 1;
      if (!this.outcome.answered && this.failures >= this.patience) return false;
      const [only] = events;
      if (events.length === 1 && only !== undefined) {
        this.outcome.refused.push(refusal(only, error, this.attempt));
        return true;
      }
      const half = Math.ceil(events.length / 2);
      return (await this.send(events.slice(0, half))) && this.send(events.slice(half));
    }
  }
}

/** An event the index failed when sent alone, recorded as OpenSearch records a refused document. */
function refusal(event: StoredEvent, error: unknown, attempts: number): RefusedEvent {
  const known = error instanceof IndexCallError;
  return {
    event,
    document: JSON.stringify(event),
    index: incomingIndexFor(event),
    // An index that never answered is, for the document, unavailable.
    status: known ? error.status : 503,
    errorType: known ? error.errorType : 'index_unavailable',
    errorMessage: error instanceof Error ? error.message : String(error),
    attempts,
  };
}

// Firehose's record for a refused document: the HTTP status as the code, OpenSearch's error as the
// message, the document it sent, and the index it sent it to (no document id: Firehose sets none).
function indexFailure(refused: RefusedEvent, attemptEnded: number): FailedRecord {
  return {
    attemptsMade: refused.attempts,
    arrivalTimestamp: Date.parse(refused.event.received_at),
    errorCode: String(refused.status),
    errorMessage: refused.errorMessage,
    attemptEndingTimestamp: attemptEnded,
    rawData: Buffer.from(refused.document).toString('base64'),
    esIndexName: refused.index,
  };
}

/** When the segment's first record arrived: Firehose dates a buffer's objects by it. */
function oldestArrival(segment: Segment): number {
  return segment.records.reduce((min, r) => Math.min(min, r.arrivedAt), Number.POSITIVE_INFINITY);
}

/** Firehose's S3 object name: `<stream>-<version>-YYYY-MM-DD-HH-MM-SS-<uuid>.gz`. */
export function objectName(streamName: string, epochMillis: number, segmentId: string, kind: string): string {
  const stamp = new Date(epochMillis).toISOString().slice(0, 19).replace(/[T:]/g, '-');
  return `${streamName}-1-${stamp}-${uuidV5(`${segmentId}/${kind}`, OBJECT_NAMESPACE)}.gz`;
}

// The transform emits one JSON line per Ok record; a processor may pack several.
function parseLines(data: Buffer): (StoredEvent | undefined)[] {
  return data
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => {
      try {
        const value: unknown = JSON.parse(line);
        return typeof value === 'object' && value !== null && !Array.isArray(value)
          ? (value as StoredEvent)
          : undefined;
      } catch {
        return undefined;
      }
    });
}
