import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toUtcIso } from '../../../contract';
import { eventTimes, UtcFormatter } from '../../../lambdas/transform/event-times';

describe('UtcFormatter', () => {
  it('formats every millisecond exactly as toUtcIso', () => {
    const formatter = new UtcFormatter();
    fc.assert(
      fc.property(fc.integer({ min: -62_000_000_000_000, max: 300_000_000_000_000 }), (epochMs) => {
        expect(formatter.format(epochMs)).toBe(toUtcIso(epochMs));
      }),
      { numRuns: 2000 },
    );
  });

  it('formats times within one minute, in any order, as toUtcIso', () => {
    const formatter = new UtcFormatter();
    const minute = Date.UTC(2026, 10, 22, 7, 35);
    for (const epochMs of [minute + 59_999, minute, minute + 1, minute + 10_010, minute - 1]) {
      expect(formatter.format(epochMs)).toBe(toUtcIso(epochMs));
    }
  });
});

// Limits that never refuse a storable time (2000-2099), so each test sees only what it is about.
const NO_AGE_LIMIT = { futureToleranceMs: 0, maxEventAgeMs: Number.POSITIVE_INFINITY };

describe('eventTimes: the skew-corrected time', () => {
  const FIRST_MS = Date.UTC(2000, 0, 1);
  const LAST_MS = Date.UTC(2100, 0, 1) - 1;
  const event = (eventTime: number, sentAt: number) =>
    ({
      event_id: 'e',
      event_type: 'click',
      advertiser_id: 'a',
      event_time: eventTime,
      sent_at: sentAt,
    }) as const;

  it.each([
    ['the first storable millisecond', FIRST_MS, LAST_MS, LAST_MS, '2000-01-01T00:00:00.000Z'],
    ['the last storable millisecond', LAST_MS, LAST_MS, LAST_MS, '2099-12-31T23:59:59.999Z'],
  ])('keeps a derived time at %s', (_name, eventMs, sentMs, receivedMs, derived) => {
    const times = eventTimes(event(eventMs, sentMs), receivedMs, new UtcFormatter(), {
      ...NO_AGE_LIMIT,
      futureToleranceMs: 1,
    });

    expect(times).toMatchObject({ derivedEventTime: derived });
  });

  it.each([
    ['before 2000', FIRST_MS, LAST_MS + 1, LAST_MS],
    ['after 2099', LAST_MS, LAST_MS - 1, LAST_MS],
  ])('refuses a derived time %s', (_name, eventMs, sentMs, receivedMs) => {
    const times = eventTimes(event(eventMs, sentMs), receivedMs, new UtcFormatter(), {
      ...NO_AGE_LIMIT,
      futureToleranceMs: 1,
    });

    expect(times).toMatchObject({ reason: 'invalid_timestamp', field: '/sent_at' });
  });
});

describe('eventTimes: an event_time already in the stored form', () => {
  it('is read to the millisecond: with no clock skew the derived time is the same text', () => {
    const LAST_MS = Date.UTC(2100, 0, 1) - 1;
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: LAST_MS }), (eventMs) => {
        const eventTime = new Date(eventMs).toISOString();
        const wire = {
          event_id: 'e',
          event_type: 'click',
          advertiser_id: 'a',
          event_time: eventTime,
          sent_at: LAST_MS,
        };

        const times = eventTimes(wire, LAST_MS, new UtcFormatter(), NO_AGE_LIMIT);

        expect(times).toMatchObject({ eventTime, derivedEventTime: eventTime, clockSkewMs: 0 });
      }),
      { numRuns: 2000 },
    );
  });
});
