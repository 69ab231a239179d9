import { PUT_RECORD_BATCH_LIMITS, type Refusal, validateWireEvent, type WireEvent } from '../contract/index';

/**
 * An event's wire form: its JSON text, and the UTF-8 size of its line (the text and the newline
 * that ends it), which is what Firehose's limits and the tracker's byte bounds count.
 */
export interface WireText {
  readonly json: string;
  readonly lineBytes: number;
}

export interface EncodedEvent extends WireText {
  readonly eventId: string;
}

export type Encoding = ({ ok: true } & EncodedEvent) | ({ ok: false } & Refusal);

/**
 * Fills `event_id` and `sent_at` when absent (on a copy: the caller's object is left alone), checks
 * the result against the shared contract and serialises it once. The text is produced here, at
 * `track` time, so a caller changing its object afterwards cannot change what is sent. Bytes are
 * made later, per request (`toWireLines`): one buffer per request costs less than one per event.
 */
export function encodeEvent(input: unknown, newEventId: (nowMs: number) => string, now: number): Encoding {
  const event = isObject(input) ? Object.assign({}, input) : input;
  if (isObject(event)) {
    if (event.event_id === undefined) event.event_id = newEventId(now);
    if (event.sent_at === undefined) event.sent_at = now;
  }
  const validation = validateWireEvent(event);
  if (!validation.ok) return validation;
  const json = JSON.stringify(validation.event);
  const lineBytes = Buffer.byteLength(json) + 1;
  if (lineBytes > PUT_RECORD_BATCH_LIMITS.maxRecordBytes) {
    return {
      ok: false,
      reason: 'record_too_large',
      message: `the event is ${lineBytes} bytes as a JSON line; a Firehose record holds at most ${PUT_RECORD_BATCH_LIMITS.maxRecordBytes}`,
    };
  }
  return { ok: true, eventId: validation.event.event_id, json, lineBytes };
}

const NEWLINE = 0x0a;

/**
 * The wire lines of one request's events (each its JSON and a newline, as UTF-8), written into one
 * buffer and handed out as views of it. A line with as many bytes as characters is ASCII, whose
 * UTF-8 is its latin1: written as latin1, it is copied instead of encoded (half the cost of a
 * 450-byte event on Node 20).
 */
export function toWireLines(events: readonly WireText[]): Buffer[] {
  let total = 0;
  for (const event of events) total += event.lineBytes;
  const buffer = Buffer.allocUnsafe(total);
  const lines: Buffer[] = [];
  let start = 0;
  for (const { json, lineBytes } of events) {
    const end = start + lineBytes;
    buffer.write(json, start, lineBytes === json.length + 1 ? 'latin1' : 'utf8');
    buffer[end - 1] = NEWLINE;
    lines.push(buffer.subarray(start, end));
    start = end;
  }
  return lines;
}

/** The event a record carries, for callbacks (errors and drops are rare, so parsing back is cheap enough). */
export function decodeEvent(json: string): WireEvent {
  return JSON.parse(json);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
