import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FAILURE_REASONS,
  indexedPropertyBytes,
  MAX_PROPERTY_VALUE_BYTES,
  validateStoredEvent,
  validateWireEvent,
} from '../../contract';
import { BAD_EVENT_CASES, nearValidEventArbitrary, validEvent, validEventArbitrary } from './validate-cases';

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

describe('validateStoredEvent', () => {
  it('refuses a wire event, whose times are not normalised and which has no received_at', () => {
    expect(validateStoredEvent(validEvent({ event_time: 1795334306944 })).ok).toBe(false);
  });
});
