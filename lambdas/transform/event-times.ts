import { type Refusal, toEpochMillis, toUtcIso, type WireEvent } from '../../contract';

/** An event's times as stored, all ISO-8601 UTC with milliseconds. */
export interface EventTimes {
  eventTime: string;
  sentAt: string | undefined;
  receivedAt: string;
  /** event_time + clock skew; event_time when sent_at is absent. */
  derivedEventTime: string;
  /** received_at - sent_at: network delay plus the sender's clock offset. */
  clockSkewMs: number | undefined;
}

/**
 * Normalises an event's times and derives the skew-corrected event time the way Snowplow derives
 * derived_tstamp: event_time + (received_at - sent_at). Refuses a client time more than
 * `futureToleranceMs` after the arrival time (a wrong clock, or a forged time) and a skew that
 * would move the derived time out of the storable years.
 */
export function eventTimes(
  event: WireEvent,
  receivedMs: number,
  receivedAt: string,
  futureToleranceMs: number,
): EventTimes | Refusal {
  const eventMs = toEpochMillis(event.event_time);
  const eventRefusal = timeRefusal('/event_time', eventMs, receivedMs, futureToleranceMs);
  if (eventRefusal !== undefined) return eventRefusal;
  const eventTime = storedTime(event.event_time, eventMs);
  if (event.sent_at === undefined) {
    return { eventTime, sentAt: undefined, receivedAt, derivedEventTime: eventTime, clockSkewMs: undefined };
  }
  const sentMs = toEpochMillis(event.sent_at);
  const sentRefusal = timeRefusal('/sent_at', sentMs, receivedMs, futureToleranceMs);
  if (sentRefusal !== undefined) return sentRefusal;
  const clockSkewMs = receivedMs - sentMs;
  const derivedEventTime = toUtcIso(eventMs + clockSkewMs);
  // The stored format holds the years 2000-2099 (`20` and 24 characters), as the wire format does.
  if (!derivedEventTime.startsWith('20') || derivedEventTime.length !== 24) {
    return {
      reason: 'invalid_timestamp',
      field: '/sent_at',
      message: '/sent_at puts the skew-corrected event time outside the years 2000-2099',
    };
  }
  return { eventTime, sentAt: storedTime(event.sent_at, sentMs), receivedAt, derivedEventTime, clockSkewMs };
}

export function isRefusal(value: EventTimes | Refusal): value is Refusal {
  return 'reason' in value;
}

function timeRefusal(
  field: string,
  epochMs: number,
  receivedMs: number,
  futureToleranceMs: number,
): Refusal | undefined {
  // The validator accepts exactly what toEpochMillis parses; NaN here means the two disagree.
  if (Number.isNaN(epochMs)) {
    return { reason: 'invalid_timestamp', field, message: `${field} is not a valid date-time` };
  }
  if (epochMs - receivedMs > futureToleranceMs) {
    return {
      reason: 'timestamp_in_future',
      field,
      message: `${field} is more than ${futureToleranceMs / 1000} s after the record's arrival`,
    };
  }
  return undefined;
}

// `2026-11-22T07:35:00.123Z` is already the stored form and is kept without re-formatting (a leap
// second, :60, is excluded: it must become the next minute).
const CANONICAL_UTC = /^20\d\d-\d\d-\d\dT\d\d:\d\d:[0-5]\d\.\d{3}Z$/;

function storedTime(input: string | number, epochMs: number): string {
  return typeof input === 'string' && CANONICAL_UTC.test(input) ? input : toUtcIso(epochMs);
}
