import { createEventIdSource } from '../../tracker/event-id';

/** What a replay may change in a record before it sends it; by default nothing: it sends what was recorded. */
export interface RecordRewrites {
  /** Give an event without an `event_id` one, as the tracker SDK does (a time-ordered UUID). */
  fillEventId?: boolean;
  /** Set `sent_at` to the time of sending (the replay's clock), as the tracker SDK does when it sends. */
  restampSentAt?: boolean;
}

export interface RewriteCounts {
  eventIdFilled: number;
  sentAtRestamped: number;
}

/**
 * Applies the rewrites asked for to records that are JSON objects (anything else is sent as it is),
 * counting what it changed. With no rewrite asked for, every record is returned untouched.
 */
export function recordRewriter(rewrites: RecordRewrites): {
  rewrite(record: Buffer, sentAt: number): Buffer;
  counts: RewriteCounts;
} {
  const counts: RewriteCounts = { eventIdFilled: 0, sentAtRestamped: 0 };
  const newEventId = createEventIdSource();
  const rewrite = (record: Buffer, sentAt: number): Buffer => {
    if (!rewrites.fillEventId && !rewrites.restampSentAt) return record;
    const event = jsonObject(record);
    if (event === undefined) return record;
    let changed = false;
    if (rewrites.fillEventId && event.event_id === undefined) {
      event.event_id = newEventId(sentAt);
      counts.eventIdFilled++;
      changed = true;
    }
    if (rewrites.restampSentAt) {
      event.sent_at = new Date(sentAt).toISOString();
      counts.sentAtRestamped++;
      changed = true;
    }
    return changed ? Buffer.from(JSON.stringify(event)) : record;
  };
  return { rewrite, counts };
}

function jsonObject(record: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(record.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
