import {
  EVENT_TIME_RANGE,
  type Refusal,
  storedFormMillis,
  type TimestampInput,
  toEpochMillis,
  toUtcIso,
  type WireEvent,
} from '../../contract';

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

/** How far from the arrival time a client time may lie (TransformConfig holds them). */
export interface TimeLimits {
  futureToleranceMs: number;
  maxEventAgeMs: number;
}

/**
 * Normalises an event's times and derives the skew-corrected event time the way Snowplow derives
 * derived_tstamp: event_time + (received_at - sent_at). Refuses a client time more than
 * `futureToleranceMs` after the arrival time (a wrong clock, or a forged time), an event_time more
 * than `maxEventAgeMs` before it (its day's index would be created again), and a skew that would
 * move the derived time out of the storable years. Ages count from the arrival time Firehose
 * stamps, not from the clock, so replaying a batch gives the same answer on any day.
 */
export function eventTimes(
  event: WireEvent,
  receivedMs: number,
  formatter: UtcFormatter,
  limits: TimeLimits,
): EventTimes | Refusal {
  const { futureToleranceMs, maxEventAgeMs } = limits;
  const eventRead = readTime(event.event_time);
  const eventMs = eventRead.epochMs;
  const eventRefusal = timeRefusal('/event_time', eventMs, receivedMs, futureToleranceMs);
  if (eventRefusal !== undefined) return eventRefusal;
  if (receivedMs - eventMs > maxEventAgeMs) {
    return {
      reason: 'event_too_old',
      field: '/event_time',
      message: `/event_time is more than ${maxEventAgeMs / 86_400_000} days before the record's arrival`,
    };
  }
  const eventTime = eventRead.storedText ?? formatter.format(eventMs);
  const receivedAt = formatter.format(receivedMs);
  if (event.sent_at === undefined) {
    return { eventTime, sentAt: undefined, receivedAt, derivedEventTime: eventTime, clockSkewMs: undefined };
  }
  const sentRead = readTime(event.sent_at);
  const sentMs = sentRead.epochMs;
  const sentRefusal = timeRefusal('/sent_at', sentMs, receivedMs, futureToleranceMs);
  if (sentRefusal !== undefined) return sentRefusal;
  const clockSkewMs = receivedMs - sentMs;
  const derivedMs = eventMs + clockSkewMs;
  // The stored format holds the instants the wire format does.
  if (derivedMs < EVENT_TIME_RANGE.firstMs || derivedMs > EVENT_TIME_RANGE.lastMs) {
    return {
      reason: 'invalid_timestamp',
      field: '/sent_at',
      message: '/sent_at puts the skew-corrected event time outside the years 2000-2099',
    };
  }
  const derivedEventTime = formatter.format(derivedMs);
  return {
    eventTime,
    sentAt: sentRead.storedText ?? formatter.format(sentMs),
    receivedAt,
    derivedEventTime,
    clockSkewMs,
  };
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

interface ReadTime {
  epochMs: number;
  /** The sent text when it already is the stored form, which is then kept as it is. */
  storedText: string | undefined;
}

/** A time as sent; a leap second (:60) is not in the stored form: it becomes the next minute. */
function readTime(input: TimestampInput): ReadTime {
  if (typeof input === 'string') {
    const storedMs = storedFormMillis(input);
    if (!Number.isNaN(storedMs)) return { epochMs: storedMs, storedText: input };
  }
  return { epochMs: toEpochMillis(input), storedText: undefined };
}

/**
 * toUtcIso with each minute's text remembered: a batch's times fall in a few minutes, and
 * formatting a Date is the costliest step of time normalisation. One per batch.
 */
export class UtcFormatter {
  private readonly minutePrefixes = new Map<number, string>();

  format(epochMs: number): string {
    const minute = Math.floor(epochMs / 60_000);
    let prefix = this.minutePrefixes.get(minute);
    if (prefix === undefined) {
      const iso = toUtcIso(minute * 60_000);
      // Years outside 0000-9999 have a longer form; those are formatted whole (and refused later).
      if (iso.length !== 24) return toUtcIso(epochMs);
      prefix = iso.slice(0, 17);
      // Bounded for a batch whose times are spread over many minutes.
      if (this.minutePrefixes.size >= MAX_REMEMBERED_MINUTES) this.minutePrefixes.clear();
      this.minutePrefixes.set(minute, prefix);
    }
    const millisOfMinute = epochMs - minute * 60_000;
    const seconds = Math.floor(millisOfMinute / 1000);
    const millis = millisOfMinute - seconds * 1000;
    return `${prefix}${seconds < 10 ? '0' : ''}${seconds}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
  }
}

const MAX_REMEMBERED_MINUTES = 1024;
