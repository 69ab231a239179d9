import type { FirehoseTransformationEventRecord, FirehoseTransformationResultRecord } from 'aws-lambda';
import { type FailureReason, type Refusal, validateWireEvent } from '../../contract';
import { decodeRecord } from './decode-record';
import { eventTimes, isRefusal, UtcFormatter } from './event-times';
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
 * unchanged and reports a typed reason. Bad input never throws.
 */
export function transformBatch(
  records: readonly FirehoseTransformationEventRecord[],
  enrichers: Enrichers,
  onRefused: RefusalSink,
): TransformedBatch {
  const tally: BatchTally = { Ok: 0, Dropped: 0, ProcessingFailed: 0, failedByReason: new Map() };
  const seenEventIds = new Set<string>();
  const formatter = new UtcFormatter();
  const results = records.map((record): FirehoseTransformationResultRecord => {
    const { recordId, data } = record;
    const outcome = transformRecord(record, enrichers, formatter, seenEventIds);
    if (outcome.result === 'Ok') {
      tally.Ok++;
      return { recordId, result: 'Ok', data: base64OfUtf8(outcome.line) };
    }
    if (outcome.result === 'Dropped') {
      tally.Dropped++;
      return { recordId, result: 'Dropped', data };
    }
    const { reason } = outcome.refusal;
    tally.ProcessingFailed++;
    tally.failedByReason.set(reason, (tally.failedByReason.get(reason) ?? 0) + 1);
    onRefused(recordId, outcome.refusal);
    return { recordId, result: 'ProcessingFailed', data };
  });
  return { records: results, tally };
}

type RecordOutcome =
  | { result: 'Ok'; line: string }
  | { result: 'Dropped' }
  | { result: 'ProcessingFailed'; refusal: Refusal };

const DROPPED: RecordOutcome = { result: 'Dropped' };

function transformRecord(
  record: FirehoseTransformationEventRecord,
  enrichers: Enrichers,
  formatter: UtcFormatter,
  seenEventIds: Set<string>,
): RecordOutcome {
  const decoded = decodeRecord(record.data);
  if (!decoded.ok) return { result: 'ProcessingFailed', refusal: decoded };
  const validation = validateWireEvent(decoded.value);
  if (!validation.ok) return { result: 'ProcessingFailed', refusal: validation };
  const event = validation.event;
  const times = eventTimes(
    event,
    record.approximateArrivalTimestamp,
    formatter,
    enrichers.config.futureToleranceMs,
  );
  if (isRefusal(times)) return { result: 'ProcessingFailed', refusal: times };
  if (seenEventIds.has(event.event_id)) return DROPPED;
  seenEventIds.add(event.event_id);
  return { result: 'Ok', line: storedEventLine(event, times, enrichers, decoded.plainStrings) };
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
