import { toEpochMillis } from '../../contract';

/**
 * One line of a traffic file (docs/traffic-format.md): the record exactly as sent, optionally
 * preceded by its recorded arrival time and a tab. A plain NDJSON line is a record with no
 * arrival time, so any NDJSON event file is a traffic file.
 */
export interface TrafficLine {
  /** Epoch millis Firehose stamped on the record (its approximateArrivalTimestamp); absent on a plain line. */
  arrivedAt?: number;
  /** The record's bytes, without the line's newline: what is sent. */
  record: Buffer;
}

const TAB = 0x09;
// Longer than any arrival time: a tab further into the line belongs to the record.
const MAX_ARRIVAL_CHARS = 40;

/** Reads a line (without its newline). A line whose text before the first tab is not an arrival time is all record. */
export function parseTrafficLine(line: Buffer): TrafficLine {
  const tab = line.subarray(0, MAX_ARRIVAL_CHARS).indexOf(TAB);
  if (tab === -1) return { record: line };
  // RFC 3339 (UTC or with an offset) read by the contract's parser, which refuses days that do not exist.
  const arrivedAt = toEpochMillis(line.subarray(0, tab).toString('latin1'));
  if (Number.isNaN(arrivedAt)) return { record: line };
  return { arrivedAt, record: line.subarray(tab + 1) };
}

/** Writes a line (without its newline): the arrival time in UTC to the millisecond, a tab, the record. */
export function formatTrafficLine(arrivedAt: number, record: string): string {
  return `${new Date(arrivedAt).toISOString()}\t${record}`;
}
