import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EVENT_TIME_RANGE,
  FAILURE_REASONS,
  indexedPropertyBytes,
  MAX_PROPERTY_VALUE_BYTES,
  validateStoredEvent,
  validateWireEvent,
} from '../../contract';
import {
  BAD_EVENT_CASES,
  isoWithOffset,
  nearValidEventArbitrary,
  validEvent,
  validEventArbitrary,
} from './validate-cases';

/** Strings of ASCII whose array has a JSON text of exactly `bytes` bytes (each at most 4,096 characters). */
function arrayOfJsonBytes(bytes: number): string[] {
  const items: string[] = [];
  // [] around, "" around each item, a comma between items.
  for (let left = bytes - 2; left > 0; ) {
    const overhead = items.length === 0 ? 2 : 3;
    const length = Math.min(4096, left - overhead);
    items.push('x'.repeat(length));
    left -= overhead + length;
  }
  return items;
}

describe('validateWireEvent', () => {
  it('accepts a complete valid event', () => {
    const result = validateWireEvent(validEvent());

    expect(result).toEqual({ ok: true, event: validEvent() });
  });

  it.each([
    ['epoch milliseconds', { event_time: 1795334306944 }],
    ['an offset other than Z', { event_time: '2026-11-22T08:35:00+01:00' }],
    ['a custom event type', { event_type: 'video_started' }],
    ['an IPv6 address', { ip: '2001:db8::1' }],
    ['zero revenue', { revenue: 0 }],
    ['empty properties', { properties: {} }],
    ['properties 5 objects deep', { properties: { a: { b: { c: { d: { e: 1 } } } } } }],
    [
      'a newline inside a string value',
      { url: 'https://a.example/x\ny', properties: { note: 'line 1\nline 2' } },
    ],
    ['a time in 1999 on the clock whose instant is in 2000', { event_time: '1999-12-31T23:30:00-01:00' }],
    [
      'the first and the last instant of the range, written with offsets',
      { event_time: '2000-01-01T01:00:00+01:00', sent_at: '2100-01-01T00:59:59.999+01:00' },
    ],
    [
      'surrogate pairs (emoji) in ids, values and keys',
      { event_id: 'id-😀', user_agent: 'Mozilla 🚀', properties: { '😀': ['🚀'], a: { b: 'x😀' } } },
    ],
    ['U+00A0, the first character after the C1 controls, in event_id', { event_id: 'a\u00a0b' }],
  ])('accepts %s', (_name, overrides) => {
    expect(validateWireEvent(validEvent(overrides)).ok).toBe(true);
  });

  it.each(BAD_EVENT_CASES)('refuses $rule as $reason at $field', ({ event, reason, field }) => {
    const result = validateWireEvent(event);

    expect(result).toMatchObject({ ok: false, reason, field });
  });

  it.each([
    ['null', null],
    ['an array', [validEvent()]],
    ['a string', 'event'],
    ['a number', 42],
  ])('refuses %s as not_an_object', (_name, value) => {
    expect(validateWireEvent(value)).toMatchObject({ ok: false, reason: 'not_an_object' });
  });

  it('never echoes a field value in its message', () => {
    const secret = 'secret-value-123';

    const result = validateWireEvent(validEvent({ advertiser_id: `../${secret}`, campaign_id: 1 }));

    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).not.toContain(secret);
  });

  it('refuses any valid event given a string that is not well-formed, keeping its refusal well-formed', () => {
    const surrounding = fc.string({ unit: 'binary', maxLength: 8 });
    const malformed = fc
      .tuple(surrounding, fc.integer({ min: 0xd800, max: 0xdfff }), surrounding)
      .map(([before, unit, after]) => before + String.fromCharCode(unit) + after);
    const placements = [
      (text: string) => ({ user_agent: text }),
      (text: string) => ({ anonymous_id: text }),
      (text: string) => ({ properties: { note: text } }),
      (text: string) => ({ properties: { list: [1, text] } }),
      (text: string) => ({ properties: { [text]: 1 } }),
      (text: string) => ({ properties: { a: { [text]: { b: true } } } }),
    ];
    fc.assert(
      fc.property(validEventArbitrary, malformed, fc.constantFrom(...placements), (event, text, place) => {
        const result = validateWireEvent({ ...event, ...place(text) });

        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.message.isWellFormed()).toBe(true);
        expect(result.field?.isWellFormed() ?? true).toBe(true);
      }),
    );
  });

  it('accepts every generated valid event', () => {
    fc.assert(
      fc.property(validEventArbitrary, (event) => {
        expect(validateWireEvent(event)).toMatchObject({ ok: true });
      }),
    );
  });

  it('for any JSON value or near-valid event, answers ok or a known reason without throwing', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), nearValidEventArbitrary), (value) => {
        const result = validateWireEvent(value);

        if (!result.ok) expect(FAILURE_REASONS).toContain(result.reason);
      }),
    );
  });
});

describe('validateWireEvent: the indexed length of a property', () => {
  // OpenSearch's flat_object indexes `properties.<key path>=<value>` as one term per value.
  const atTheBound = MAX_PROPERTY_VALUE_BYTES - 'properties.tags='.length;

  it('is counted in UTF-8 bytes of the path, the separator and the value', () => {
    expect(indexedPropertyBytes('plan.tier', 'pro')).toBe('properties.plan.tier=pro'.length);
    expect(indexedPropertyBytes('città', 'é🚀')).toBe(Buffer.byteLength('properties.città=é🚀'));
  });

  it('stays below Lucene term limit (32,766 bytes) with a margin', () => {
    expect(MAX_PROPERTY_VALUE_BYTES).toBeLessThan(32_766);
  });

  it('accepts an array property whose flattened text reaches the bound exactly', () => {
    const tags = arrayOfJsonBytes(atTheBound);

    expect(JSON.stringify(tags)).toHaveLength(atTheBound);
    expect(validateWireEvent(validEvent({ properties: { tags } }))).toMatchObject({ ok: true });
  });

  it('refuses one byte more as property_value_too_long, naming the property but not its value', () => {
    const result = validateWireEvent(validEvent({ properties: { tags: arrayOfJsonBytes(atTheBound + 1) } }));

    expect(result).toMatchObject({ ok: false, reason: 'property_value_too_long', field: '/properties/tags' });
    expect(result.ok ? '' : result.message).not.toContain('xxx');
  });

  it('checks the number of values before their length', () => {
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i]));
    const tooLong = arrayOfJsonBytes(MAX_PROPERTY_VALUE_BYTES);

    expect(validateWireEvent(validEvent({ properties: { a: many, b: many, c: tooLong } }))).toMatchObject({
      reason: 'too_many_properties',
    });
  });
});

/** A valid stored event; each test changes one thing. */
function stored(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_id: 'e-1',
    event_type: 'click',
    advertiser_id: 'acme',
    event_time: '2026-11-22T07:35:00.000Z',
    received_at: '2026-11-22T07:40:00.000Z',
    properties: { 'plan.tier': 'pro' },
    ...overrides,
  };
}

const DAY_MS = 86_400_000;

describe('validateStoredEvent', () => {
  it('accepts a stored event', () => {
    expect(validateStoredEvent(stored())).toMatchObject({ ok: true });
  });

  it('refuses a wire event, whose times are not normalised and which has no received_at', () => {
    expect(validateStoredEvent(validEvent({ event_time: 1795334306944 })).ok).toBe(false);
  });

  it.each([
    ['a value', { ua_browser: 'Chrome\ud83d' }, '/ua_browser'],
    ['a flattened property value', { properties: { 'plan.tier': '\udc00' } }, '/properties/plan.tier'],
    ['a flattened property key', { properties: { 'plan\ud800.tier': 'pro' } }, '/properties/plan\ufffd.tier'],
  ])('refuses a lone surrogate in %s as malformed_unicode', (_name, overrides, field) => {
    expect(validateStoredEvent(stored(overrides))).toMatchObject({
      ok: false,
      reason: 'malformed_unicode',
      field,
    });
  });

  it.each([
    ['the first', '2000-01-01T00:00:00.000Z', true],
    ['the last', '2099-12-31T23:59:59.999Z', true],
    ['one before the first', '1999-12-31T23:59:59.999Z', false],
    ['one after the last', '2100-01-01T00:00:00.000Z', false],
  ])('at %s millisecond of the range answers ok %s', (_name, eventTime, ok) => {
    expect(validateStoredEvent(stored({ event_time: eventTime })).ok).toBe(ok);
  });
});

describe('the event time range', () => {
  it('is one pair of instants, 2000-01-01T00:00:00.000Z to 2099-12-31T23:59:59.999Z', () => {
    expect(EVENT_TIME_RANGE).toEqual({
      firstMs: Date.UTC(2000, 0, 1),
      lastMs: Date.UTC(2100, 0, 1) - 1,
    });
  });

  it('bounds the wire form as text with any offset and as epoch milliseconds, at the same instants', () => {
    const nearAnEdge = fc.oneof(
      fc.integer({ min: EVENT_TIME_RANGE.firstMs - 2 * DAY_MS, max: EVENT_TIME_RANGE.firstMs + 2 * DAY_MS }),
      fc.integer({ min: EVENT_TIME_RANGE.lastMs - 2 * DAY_MS, max: EVENT_TIME_RANGE.lastMs + 2 * DAY_MS }),
    );
    // RFC 3339 offsets reach ±23:59.
    const offsetMinutes = fc.integer({ min: -(24 * 60 - 1), max: 24 * 60 - 1 });
    fc.assert(
      fc.property(nearAnEdge, offsetMinutes, (epochMs, offset) => {
        const inRange = epochMs >= EVENT_TIME_RANGE.firstMs && epochMs <= EVENT_TIME_RANGE.lastMs;
        const text = isoWithOffset(epochMs, offset);

        expect(validateWireEvent(validEvent({ event_time: text, sent_at: epochMs })).ok).toBe(inRange);
        expect(validateStoredEvent(stored({ event_time: new Date(epochMs).toISOString() })).ok).toBe(inRange);
      }),
      { numRuns: 500 },
    );
  });
});

describe('hostile nesting', () => {
  // A record nested this deep used to overflow the stack in the depth count, so the transform threw
  // and Firehose failed every record of its batch.
  it('refuses properties nested 100,000 objects deep with a typed reason instead of throwing', () => {
    let properties: Record<string, unknown> = { leaf: 1 };
    for (let level = 0; level < 100_000; level++) properties = { n: properties };

    const result = validateWireEvent(validEvent({ properties }));

    expect(result).toMatchObject({ ok: false, reason: 'properties_too_deep' });
  });
});
