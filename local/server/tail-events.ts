import { maskEvent } from '../../analytics/failed/mask';
import type { LiveTailEvent } from '../../lambdas/live/protocol';
import { decodeRecord } from '../../lambdas/transform/decode-record';
import type { RecordOutcomeView } from '../pipeline/delivery';

/** The most events one `events` message carries; the rest of a delivery is counted in `omitted`. */
export const MAX_TAIL_EVENTS_PER_MESSAGE = 100;

/** The most bytes of one event shown; a bigger one is shown as a preview of its text. */
export const MAX_TAIL_EVENT_BYTES = 4 * 1024;

/** A record shown as text: what it starts with, whether it was cut, and its full size. */
export interface TextPreview {
  preview: string;
  truncated: boolean;
  bytes: number;
}

/**
 * The tail's view of one delivery: at most MAX_TAIL_EVENTS_PER_MESSAGE events, refused and dropped
 * records first (they are what a developer watches the tail for), then the latest accepted ones, in
 * arrival order; `omitted` counts the others.
 */
export function tailEvents(records: readonly RecordOutcomeView[]): {
  events: LiveTailEvent[];
  omitted: number;
} {
  let shown: readonly RecordOutcomeView[] = records;
  if (records.length > MAX_TAIL_EVENTS_PER_MESSAGE) {
    const latest = <T>(items: T[], count: number) => items.slice(Math.max(0, items.length - count));
    const notOk = latest(
      records.filter((r) => r.outcome !== 'ok'),
      MAX_TAIL_EVENTS_PER_MESSAGE,
    );
    const ok = latest(
      records.filter((r) => r.outcome === 'ok'),
      MAX_TAIL_EVENTS_PER_MESSAGE - notOk.length,
    );
    const keep = new Set([...notOk, ...ok]);
    shown = records.filter((r) => keep.has(r));
  }
  return { events: shown.map(tailEvent), omitted: records.length - shown.length };
}

export function tailEvent(record: RecordOutcomeView): LiveTailEvent {
  const event: LiveTailEvent = {
    received_at: new Date(record.arrivedAt).toISOString(),
    outcome: record.outcome,
    event: record.outcome === 'ok' ? storedEventView(record.data) : refusedRecordView(record.data),
  };
  if (record.reason !== undefined) event.reason = record.reason;
  return event;
}

/** A stored event as stored, or a preview when it is bigger than MAX_TAIL_EVENT_BYTES. */
function storedEventView(line: Buffer): unknown {
  if (line.length <= MAX_TAIL_EVENT_BYTES) {
    try {
      return JSON.parse(line.toString('utf8'));
    } catch {
      // Not expected of the transform; shown as text below.
    }
  }
  return textPreview(line.toString('utf8'), line.length);
}

/**
 * A refused (or dropped) record as `clickstream failed list` shows one (analytics/failed/mask.ts):
 * a JSON object with its personal fields hidden, URLs without their query, long text cut; null
 * when the data is not a JSON object, since nothing in it can be told apart. Cut to a preview when
 * still bigger than MAX_TAIL_EVENT_BYTES.
 */
export function refusedRecordView(data: Buffer): unknown {
  const decoded = decodeRecord(data.toString('base64'));
  if (
    !decoded.ok ||
    typeof decoded.value !== 'object' ||
    decoded.value === null ||
    Array.isArray(decoded.value)
  ) {
    return null;
  }
  const masked = maskEvent(decoded.value as Record<string, unknown>);
  const text = JSON.stringify(masked);
  return Buffer.byteLength(text) <= MAX_TAIL_EVENT_BYTES
    ? masked
    : textPreview(text, Buffer.byteLength(text));
}

function textPreview(text: string, bytes: number): TextPreview {
  const cut = Buffer.byteLength(text) > MAX_TAIL_EVENT_BYTES;
  // Cut on a character boundary: slicing the string by characters, then by bytes below the bound.
  let preview = cut ? text.slice(0, MAX_TAIL_EVENT_BYTES) : text;
  while (Buffer.byteLength(preview) > MAX_TAIL_EVENT_BYTES) preview = preview.slice(0, -64);
  return { preview, truncated: cut || bytes > Buffer.byteLength(text), bytes };
}
