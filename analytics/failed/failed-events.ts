import { type ErrorOutputType, type FailedRecord, type Refusal, toUtcIso } from '../../contract';
import { readTransformConfig, type TransformConfig } from '../../lambdas/transform/config';
import { decodeRecord } from '../../lambdas/transform/decode-record';
import type { ObjectStore } from '../../local/lake/object-store';
import { type ArrivalRange, type ReadOptions, type ReadProblem, readFailedRecords } from './error-objects';
import { deriveReason, type Verdicts } from './failed-reason';
import { maskEvent } from './mask';
import { TransformVerdict } from './verdict';

/** Which failed records to read: arrival times, and optionally one reason or one advertiser. */
export interface FailedEventQuery extends ArrivalRange {
  reason?: string;
  advertiserId?: string;
}

/** A failure record read from `errors/`, with its reason derived again and its data decoded. */
export interface FailedEvent {
  errorOutputType: ErrorOutputType;
  key: string;
  line: number;
  record: FailedRecord;
  reason: string;
  refusal?: Refusal;
  /** The record's data as a JSON object, when it is one (never for a record too large to decode). */
  event?: Record<string, unknown>;
  /** Size of the record's data. */
  bytes: number;
}

/**
 * The transform's verdicts for a configuration (the transform's own settings, as it reads them
 * from its environment: MAX_EVENT_AGE_DAYS, FUTURE_TOLERANCE_SECONDS, IP_ANONYMISATION).
 */
export function verdictsFor(config: TransformConfig): Verdicts {
  return { current: new TransformVerdict(config), defaults: new TransformVerdict(readTransformConfig({})) };
}

/** The failed records a query selects, each with its derived reason, in key order. */
export async function* failedEvents(
  store: ObjectStore,
  query: FailedEventQuery,
  verdicts: Verdicts,
  options: ReadOptions = {},
): AsyncGenerator<FailedEvent> {
  for await (const at of readFailedRecords(store, query, options)) {
    const decoded = decodeRecord(at.record.rawData);
    const event = decoded.ok && isPlainObject(decoded.value) ? decoded.value : undefined;
    if (query.advertiserId !== undefined && event?.advertiser_id !== query.advertiserId) continue;
    const derived = deriveReason(at.record, at.errorOutputType, verdicts);
    if (query.reason !== undefined && derived.reason !== query.reason) continue;
    yield {
      ...at,
      ...derived,
      ...(event === undefined ? {} : { event }),
      bytes: Buffer.byteLength(at.record.rawData, 'base64'),
    };
  }
}

/** Whether sending the record again now would pass the transform (records the index refused are never resent). */
export function passesNow(failed: FailedEvent, verdicts: Verdicts, now: number): boolean {
  return (
    failed.errorOutputType === 'processing-failed' &&
    verdicts.current.refusalOf(failed.record.rawData, now) === undefined
  );
}

/** One failed record as `failed list` shows it: personal fields hidden (mask.ts). */
export interface FailedSample {
  arrival: string;
  error_code: string;
  /** Firehose's message for a processing failure; an index's message may quote field values, so it is left out. */
  error_message?: string;
  /** The refused field (a JSON pointer) and why, for a typed reason. */
  field?: string;
  message?: string;
  bytes: number;
  /** The event with personal fields hidden; null when the data is not a JSON object (nothing of it is shown). */
  event: Record<string, unknown> | null;
  /** The object it was read from. */
  object: string;
}

export function sampleOf(failed: FailedEvent): FailedSample {
  return {
    arrival: toUtcIso(failed.record.arrivalTimestamp),
    error_code: failed.record.errorCode,
    ...(failed.errorOutputType === 'processing-failed' ? { error_message: failed.record.errorMessage } : {}),
    ...(failed.refusal?.field === undefined ? {} : { field: failed.refusal.field }),
    ...(failed.refusal === undefined ? {} : { message: failed.refusal.message }),
    bytes: failed.bytes,
    event: failed.event === undefined ? null : maskEvent(failed.event),
    object: failed.key,
  };
}

export interface FailedGroup {
  reason: string;
  errorOutputType: ErrorOutputType;
  records: number;
  /** Records that would pass the transform if sent now (what `failed redrive` would send, before its record of what it sent). */
  passNow: number;
  firstArrival: number;
  lastArrival: number;
  samples: FailedSample[];
}

export interface FailedEventList {
  total: number;
  /** Most records first, then by reason and error output type. */
  groups: FailedGroup[];
  problems: ReadProblem[];
}

export interface ListOptions {
  config: TransformConfig;
  /** When `passNow` is judged. @default Date.now() */
  now?: number;
  /** Judge `passNow` (a second run of the transform per record). @default true */
  judgePassNow?: boolean;
  /** Samples kept per group (the first ones read). @default 3 */
  samplesPerGroup?: number;
  onProblem?: (problem: ReadProblem) => void;
  onObject?: ReadOptions['onObject'];
}

/** The failed records of a query grouped by reason and error output type, with masked samples. */
export async function listFailedEvents(
  store: ObjectStore,
  query: FailedEventQuery,
  options: ListOptions,
): Promise<FailedEventList> {
  const verdicts = verdictsFor(options.config);
  const now = options.now ?? Date.now();
  const samples = options.samplesPerGroup ?? 3;
  const judge = options.judgePassNow ?? true;
  const problems: ReadProblem[] = [];
  const groups = new Map<string, FailedGroup>();
  let total = 0;
  const read = failedEvents(store, query, verdicts, {
    onProblem: (problem) => {
      problems.push(problem);
      options.onProblem?.(problem);
    },
    ...(options.onObject === undefined ? {} : { onObject: options.onObject }),
  });
  for await (const failed of read) {
    total += 1;
    const id = `${failed.reason}\u0000${failed.errorOutputType}`;
    let group = groups.get(id);
    if (group === undefined) {
      group = {
        reason: failed.reason,
        errorOutputType: failed.errorOutputType,
        records: 0,
        passNow: 0,
        firstArrival: failed.record.arrivalTimestamp,
        lastArrival: failed.record.arrivalTimestamp,
        samples: [],
      };
      groups.set(id, group);
    }
    group.records += 1;
    if (judge && passesNow(failed, verdicts, now)) group.passNow += 1;
    group.firstArrival = Math.min(group.firstArrival, failed.record.arrivalTimestamp);
    group.lastArrival = Math.max(group.lastArrival, failed.record.arrivalTimestamp);
    if (group.samples.length < samples) group.samples.push(sampleOf(failed));
  }
  return { total, groups: [...groups.values()].sort(byCountThenName), problems };
}

export interface FailedCounts {
  total: number;
  byReason: { reason: string; errorOutputType: ErrorOutputType; count: number }[];
  /** Objects and lines that could not be read (skipped). */
  problems: ReadProblem[];
}

/**
 * Failed records by reason and error output type for a range of arrival times and, optionally, one
 * advertiser (records whose data names no advertiser count for none): what the dashboard's
 * `GET /api/failed` serves. `config` is the transform's configuration, by default read from this
 * process's environment as the transform reads its own.
 */
export async function countFailedByReason(
  store: ObjectStore,
  query: Pick<FailedEventQuery, 'from' | 'to' | 'advertiserId'>,
  options: { config?: TransformConfig } = {},
): Promise<FailedCounts> {
  const list = await listFailedEvents(store, query, {
    config: options.config ?? readTransformConfig(process.env),
    samplesPerGroup: 0,
    judgePassNow: false,
  });
  return {
    total: list.total,
    byReason: list.groups.map((g) => ({
      reason: g.reason,
      errorOutputType: g.errorOutputType,
      count: g.records,
    })),
    problems: list.problems,
  };
}

function byCountThenName(a: FailedGroup, b: FailedGroup): number {
  return (
    b.records - a.records ||
    a.reason.localeCompare(b.reason) ||
    a.errorOutputType.localeCompare(b.errorOutputType)
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
