import { PUT_RECORD_BATCH_LIMITS, type Refusal, validateWireEvent, type WireEvent } from '../contract/index';

/** An event ready for Firehose: its id and its wire bytes (one JSON line ending in a newline). */
export interface EncodedEvent {
  eventId: string;
  data: Buffer;
}

export type Encoding = ({ ok: true } & EncodedEvent) | ({ ok: false } & Refusal);

/**
 * Fills `event_id` and `sent_at` when absent (on a copy: the caller's object is left alone), checks
 * the result against the shared contract and serialises it once. The bytes are produced here, at
 * `track` time, so a caller changing its object afterwards cannot change what is sent.
 */
export function encodeEvent(input: unknown, newEventId: (nowMs: number) => string, now: number): Encoding {
  const event = isObject(input) ? Object.assign({}, input) : input;
  if (isObject(event)) {
    if (event.event_id === undefined) event.event_id = newEventId(now);
    if (event.sent_at === undefined) event.sent_at = now;
  }
  const validation = validateWireEvent(event);
  if (!validation.ok) return validation;
  const data = Buffer.from(`${JSON.stringify(validation.event)}\n`);
  if (data.length > PUT_RECORD_BATCH_LIMITS.maxRecordBytes) {
    return {
      ok: false,
      reason: 'record_too_large',
      message: `the event is ${data.length} bytes as a JSON line; a Firehose record holds at most ${PUT_RECORD_BATCH_LIMITS.maxRecordBytes}`,
    };
  }
  return { ok: true, eventId: validation.event.event_id, data };
}

/** The event a record carries, for callbacks (errors and drops are rare, so parsing back is cheap enough). */
export function decodeEvent(data: Buffer): WireEvent {
  return JSON.parse(data.toString('utf8'));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
