import type { FirehoseTransformationEventRecord, FirehoseTransformationResultRecord } from 'aws-lambda';
import { type FailureReason, type Refusal, validateWireEvent } from '../../contract';
import { decodeRecord } from './decode-record';
import { eventTimes, isRefusal, UtcFormatter } from './event-times';
import { growthRefusal } from './growth-bound';
import { type Enrichers, storedEventLine } from './stored-event';

/** Told about every refused record (for one log line each); never given the payload. */
export type RefusalSink = (recordId: string, refusal: Refusal) => void;

export interface BatchTally {
  Ok: number;
  Dropped: number;
  ProcessingFailed: number;
  failedByReason: Map<FailureReason, number>;
}

export interface TransformedBatch {
  records: FirehoseTransformationResultRecord[];
  tally: BatchTally;
}

/**
 * Transforms one Firehose batch: exactly one result per record, in input order. `Ok` carries the
 * stored event as one JSON line; `Dropped` marks a repeated event_id (the first valid occurrence
 * wins: an invalid record never shadows a valid one); `ProcessingFailed` returns the original data
 * unchanged and reports a typed reason, also for a valid event whose stored line would outgrow the
 * growth bound (growth-bound.ts), so that no record can push the response over Lambda's limit and
 * fail the batch. Bad input never throws.
 */
export function transformBatch(
  records: readonly FirehoseTransformationEventRecord[],
  enrichers: Enrichers,
  onRefused: RefusalSink,
): TransformedBatch {
  const tally: BatchTally = { Ok: 0, Dropped: 0, ProcessingFailed: 0, failedByReason: new Map() };
  const seenEventIds = new Set<string>();
  const formatter = new UtcFormatter();
  const results: FirehoseTransformationResultRecord[] = [];
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as FirehoseTransformationEventRecord;
    const { recordId, data } = record;
    const outcome = transformRecord(record, enrichers, formatter, seenEventIds);
    if (typeof outcome === 'string') {
      tally.Ok++;
      results.push({ recordId, result: 'Ok', data: outcome });
    } else if (outcome === DROPPED) {
      tally.Dropped++;
      results.push({ recordId, result: 'Dropped', data });
    } else {
      tally.ProcessingFailed++;
      tally.failedByReason.set(outcome.reason, (tally.failedByReason.get(outcome.reason) ?? 0) + 1);
      onRefused(recordId, outcome);
      results.push({ recordId, result: 'ProcessingFailed', data });
    }
  }
  return { records: results, tally };
}

/** A repeated event_id: the record is dropped. */
const DROPPED = Symbol('dropped');

/** The base64 of a valid record's stored line, DROPPED for a repeated event_id, or why it was refused. */
function transformRecord(
  record: FirehoseTransformationEventRecord,
  enrichers: Enrichers,
  formatter: UtcFormatter,
  seenEventIds: Set<string>,
): string | typeof DROPPED | Refusal {
  const decoded = decodeRecord(record.data);
  if (!decoded.ok) return decoded;
  const validation = validateWireEvent(decoded.value);
  if (!validation.ok) return validation;
  const event = validation.event;
  const times = eventTimes(event, record.approximateArrivalTimestamp, formatter, enrichers.config);
  if (isRefusal(times)) return times;
  const data = base64OfUtf8(storedEventLine(event, times, enrichers, decoded.plainStrings));
  // Sizes from base64 lengths (both strings are strict base64), without counting UTF-8. Checked
  // before the event_id is marked seen, so that a refused record never shadows a valid one; a
  // repeated event_id is serialised for nothing, which is rare.
  const tooLarge = growthRefusal(Buffer.byteLength(record.data, 'base64'), Buffer.byteLength(data, 'base64'));
  if (tooLarge !== undefined) return tooLarge;
  // One hash lookup instead of has-then-add: the set grows only for an event_id it did not hold.
  const seenBefore = seenEventIds.size;
  if (seenEventIds.add(event.event_id).size === seenBefore) return DROPPED;
  return data;
}

/**
 * btoa encodes a string of one byte per character, so for ASCII, nearly every stored line, it
 * gives the base64 of the UTF-8 bytes without building them; other text goes through a Buffer.
 */
export function base64OfUtf8(text: string): string {
  // Each character above U+007F takes more than one byte in UTF-8: equal lengths mean ASCII only.
  return Buffer.byteLength(text, 'utf8') === text.length
    ? btoa(text)
    : Buffer.from(text, 'utf8').toString('base64');
}
