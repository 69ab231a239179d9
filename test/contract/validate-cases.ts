// Shared by the validator tests and the transform tests: a valid event, the bad-input rules as a
// table, and fast-check arbitraries for valid and near-valid events.
import fc from 'fast-check';
import { EVENT_TIME_RANGE, type FailureReason, type WireEvent } from '../../contract';

/** A complete, valid wire event; each case below changes one thing. */
export function validEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_id: '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
    event_type: 'click',
    advertiser_id: 'acme-ads_01',
    event_time: '2026-11-22T07:35:00.000Z',
    campaign_id: 'spring-sale',
    ad_id: 'ad-42',
    session_id: 's-1',
    url: 'https://Shop.Example.com/products/42?ref=mail#top',
    user_agent:
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    ip: '203.0.113.77',
    revenue: 12.5,
    currency: 'EUR',
    sent_at: '2026-11-22T07:35:02.000Z',
    properties: { plan: { tier: 'pro', seats: 3 }, tags: ['a', 'b'], trial: false, coupon: null },
    ...overrides,
  };
}

/** `validEvent` without the named fields. */
export function validEventWithout(...fields: string[]): Record<string, unknown> {
  const event = validEvent();
  for (const field of fields) delete event[field];
  return event;
}

/** Nested `properties` objects, `levels` deep in total. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 'x' };
  for (let i = 1; i < levels; i++) value = { level: value };
  return value;
}

function keys(count: number, prefix = 'k'): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, 'v']));
}

export interface BadEventCase {
  rule: string;
  event: Record<string, unknown>;
  reason: FailureReason;
  field: string;
}

/** Every "bad input" rule that concerns a parsed event (decoding rules live with the transform). */
export const BAD_EVENT_CASES: BadEventCase[] = [
  ...(['event_id', 'event_type', 'advertiser_id', 'event_time'] as const).map((field) => ({
    rule: `missing ${field}`,
    event: validEventWithout(field),
    reason: 'missing_required_field' as const,
    field: `/${field}`,
  })),
  {
    rule: 'event_id not a string',
    event: validEvent({ event_id: 42 }),
    reason: 'invalid_event_id',
    field: '/event_id',
  },
  {
    rule: 'empty event_id',
    event: validEvent({ event_id: '' }),
    reason: 'invalid_event_id',
    field: '/event_id',
  },
  {
    rule: 'event_id over 128 characters',
    event: validEvent({ event_id: 'e'.repeat(129) }),
    reason: 'invalid_event_id',
    field: '/event_id',
  },
  {
    rule: 'event_id with a newline',
    event: validEvent({ event_id: 'a\nb' }),
    reason: 'invalid_event_id',
    field: '/event_id',
  },
  ...(
    [
      ['DEL', '\u007f'],
      ['U+0080, the first C1 control', '\u0080'],
      ['U+0085, next line (C1)', '\u0085'],
      ['U+009F, the last C1 control', '\u009f'],
    ] as const
  ).map(([name, control]) => ({
    rule: `event_id with ${name}`,
    event: validEvent({ event_id: `a${control}b` }),
    reason: 'invalid_event_id' as const,
    field: '/event_id',
  })),
  {
    rule: 'event_type not a string',
    event: validEvent({ event_type: ['click'] }),
    reason: 'invalid_event_type',
    field: '/event_type',
  },
  {
    rule: 'event_type upper case',
    event: validEvent({ event_type: 'Click' }),
    reason: 'invalid_event_type',
    field: '/event_type',
  },
  {
    rule: 'event_type over 64 characters',
    event: validEvent({ event_type: `a${'b'.repeat(64)}` }),
    reason: 'invalid_event_type',
    field: '/event_type',
  },
  {
    rule: 'advertiser_id with ../',
    event: validEvent({ advertiser_id: '../etc' }),
    reason: 'invalid_advertiser_id',
    field: '/advertiser_id',
  },
  {
    rule: 'advertiser_id with /',
    event: validEvent({ advertiser_id: 'acme/ads' }),
    reason: 'invalid_advertiser_id',
    field: '/advertiser_id',
  },
  {
    rule: 'advertiser_id with a dot',
    event: validEvent({ advertiser_id: 'acme.ads' }),
    reason: 'invalid_advertiser_id',
    field: '/advertiser_id',
  },
  {
    rule: 'advertiser_id with a space',
    event: validEvent({ advertiser_id: 'acme ads' }),
    reason: 'invalid_advertiser_id',
    field: '/advertiser_id',
  },
  {
    rule: 'advertiser_id empty',
    event: validEvent({ advertiser_id: '' }),
    reason: 'invalid_advertiser_id',
    field: '/advertiser_id',
  },
  {
    rule: 'advertiser_id starting with -',
    event: validEvent({ advertiser_id: '-acme' }),
    reason: 'invalid_advertiser_id',
    field: '/advertiser_id',
  },
  {
    rule: 'advertiser_id over 64 characters',
    event: validEvent({ advertiser_id: 'a'.repeat(65) }),
    reason: 'invalid_advertiser_id',
    field: '/advertiser_id',
  },
  {
    rule: 'advertiser_id a number',
    event: validEvent({ advertiser_id: 7 }),
    reason: 'invalid_advertiser_id',
    field: '/advertiser_id',
  },
  {
    rule: 'event_time 30 February',
    event: validEvent({ event_time: '2026-02-30T00:00:00Z' }),
    reason: 'invalid_timestamp',
    field: '/event_time',
  },
  {
    rule: 'event_time month 13',
    event: validEvent({ event_time: '2026-13-01T00:00:00Z' }),
    reason: 'invalid_timestamp',
    field: '/event_time',
  },
  {
    rule: 'event_time hour 25',
    event: validEvent({ event_time: '2026-11-22T25:00:00Z' }),
    reason: 'invalid_timestamp',
    field: '/event_time',
  },
  {
    rule: 'event_time without an offset',
    event: validEvent({ event_time: '2026-11-22T07:35:00' }),
    reason: 'invalid_timestamp',
    field: '/event_time',
  },
  {
    rule: 'event_time before 2000',
    event: validEvent({ event_time: '1999-12-31T23:59:59Z' }),
    reason: 'invalid_timestamp',
    field: '/event_time',
  },
  {
    rule: 'event_time after 2099',
    event: validEvent({ event_time: '2100-01-01T00:00:00Z' }),
    reason: 'invalid_timestamp',
    field: '/event_time',
  },
  {
    rule: 'event_time prose',
    event: validEvent({ event_time: 'yesterday' }),
    reason: 'invalid_timestamp',
    field: '/event_time',
  },
  {
    rule: 'event_time negative epoch',
    event: validEvent({ event_time: -1 }),
    reason: 'invalid_timestamp',
    field: '/event_time',
  },
  {
    rule: 'event_time fractional epoch',
    event: validEvent({ event_time: 1795334306944.5 }),
    reason: 'invalid_timestamp',
    field: '/event_time',
  },
  {
    rule: 'event_time epoch seconds',
    event: validEvent({ event_time: 1795334306 }),
    reason: 'invalid_timestamp',
    field: '/event_time',
  },
  {
    rule: 'event_time a boolean',
    event: validEvent({ event_time: true }),
    reason: 'invalid_timestamp',
    field: '/event_time',
  },
  // The range holds for the instant, after the offset, whichever form the time is sent in.
  {
    rule: 'event_time in 2000 on the clock but in 1999 once the offset applies',
    event: validEvent({ event_time: '2000-01-01T00:30:00+01:00' }),
    reason: 'invalid_timestamp',
    field: '/event_time',
  },
  {
    rule: 'event_time in 2099 on the clock but in 2100 once the offset applies',
    event: validEvent({ event_time: '2099-12-31T23:30:00-01:00' }),
    reason: 'invalid_timestamp',
    field: '/event_time',
  },
  {
    rule: 'event_time one millisecond before 2000 in UTC',
    event: validEvent({ event_time: '2000-01-01T00:59:59.999+01:00' }),
    reason: 'invalid_timestamp',
    field: '/event_time',
  },
  {
    rule: 'sent_at in 1999 once the offset applies',
    event: validEvent({ sent_at: '2000-01-01T00:00:00+00:01' }),
    reason: 'invalid_timestamp',
    field: '/sent_at',
  },
  {
    rule: 'sent_at impossible',
    event: validEvent({ sent_at: '2026-04-31T00:00:00Z' }),
    reason: 'invalid_timestamp',
    field: '/sent_at',
  },
  {
    rule: 'negative revenue',
    event: validEvent({ revenue: -0.01 }),
    reason: 'invalid_money',
    field: '/revenue',
  },
  {
    rule: 'revenue as text',
    event: validEvent({ revenue: '12.50' }),
    reason: 'invalid_money',
    field: '/revenue',
  },
  {
    rule: 'revenue over the maximum',
    event: validEvent({ revenue: 1e13 }),
    reason: 'invalid_money',
    field: '/revenue',
  },
  { rule: 'negative cost', event: validEvent({ cost: -3 }), reason: 'invalid_money', field: '/cost' },
  { rule: 'cost null', event: validEvent({ cost: null }), reason: 'invalid_money', field: '/cost' },
  {
    rule: 'campaign_id a number',
    event: validEvent({ campaign_id: 5 }),
    reason: 'invalid_field_type',
    field: '/campaign_id',
  },
  {
    rule: 'user_agent an object',
    event: validEvent({ user_agent: {} }),
    reason: 'invalid_field_type',
    field: '/user_agent',
  },
  {
    rule: 'url over 8192 characters',
    event: validEvent({ url: `https://a.example/${'p'.repeat(8192)}` }),
    reason: 'field_too_long',
    field: '/url',
  },
  {
    rule: 'user_agent over 2048 characters',
    event: validEvent({ user_agent: 'U'.repeat(2049) }),
    reason: 'field_too_long',
    field: '/user_agent',
  },
  {
    rule: 'campaign_id over 128 characters',
    event: validEvent({ campaign_id: 'c'.repeat(129) }),
    reason: 'field_too_long',
    field: '/campaign_id',
  },
  {
    rule: 'campaign_id with U+0085, a C1 control',
    event: validEvent({ campaign_id: 'spring\u0085sale' }),
    reason: 'invalid_field',
    field: '/campaign_id',
  },
  {
    rule: 'session_id with DEL',
    event: validEvent({ session_id: 's\u007f' }),
    reason: 'invalid_field',
    field: '/session_id',
  },
  {
    rule: 'ip not an address',
    event: validEvent({ ip: '300.1.2.3' }),
    reason: 'invalid_field',
    field: '/ip',
  },
  {
    rule: 'currency lower case',
    event: validEvent({ currency: 'eur' }),
    reason: 'invalid_field',
    field: '/currency',
  },
  {
    rule: 'unknown top-level field',
    event: validEvent({ color: 'red' }),
    reason: 'unknown_field',
    field: '/color',
  },
  {
    rule: 'top-level __proto__ key',
    event: JSON.parse(`{"__proto__":{"x":1},${JSON.stringify(validEvent()).slice(1)}`),
    reason: 'unknown_field',
    field: '/__proto__',
  },
  {
    rule: 'properties an array',
    event: validEvent({ properties: ['a'] }),
    reason: 'invalid_field_type',
    field: '/properties',
  },
  {
    rule: 'property string over 4096 characters',
    event: validEvent({ properties: { note: 'n'.repeat(4097) } }),
    reason: 'field_too_long',
    field: '/properties/note',
  },
  {
    rule: 'property array over 100 items',
    event: validEvent({ properties: { tags: Array.from({ length: 101 }, () => 't') } }),
    reason: 'field_too_long',
    field: '/properties/tags',
  },
  {
    rule: 'property array of objects',
    event: validEvent({ properties: { tags: [{ a: 1 }] } }),
    reason: 'invalid_field_type',
    field: '/properties/tags/0',
  },
  {
    rule: 'property key with a dot',
    event: validEvent({ properties: { 'a.b': 1 } }),
    reason: 'invalid_property_key',
    field: '/properties',
  },
  {
    rule: 'empty property key',
    event: validEvent({ properties: { '': 1 } }),
    reason: 'invalid_property_key',
    field: '/properties',
  },
  {
    rule: 'property key with a control character',
    event: validEvent({ properties: { 'a\u0001': 1 } }),
    reason: 'invalid_property_key',
    field: '/properties',
  },
  {
    rule: 'property key with a C1 control character',
    event: validEvent({ properties: { 'a\u0085': 1 } }),
    reason: 'invalid_property_key',
    field: '/properties',
  },
  {
    rule: 'nested property key over 128 characters',
    event: validEvent({ properties: { a: { ['k'.repeat(129)]: 1 } } }),
    reason: 'invalid_property_key',
    field: '/properties/a',
  },
  {
    rule: 'properties 6 objects deep',
    event: validEvent({ properties: nested(6) }),
    reason: 'properties_too_deep',
    field: '/properties',
  },
  {
    rule: 'over 100 keys in properties',
    event: validEvent({ properties: keys(101) }),
    reason: 'too_many_properties',
    field: '/properties',
  },
  {
    rule: 'over 100 keys in a nested object',
    event: validEvent({ properties: { a: keys(101) } }),
    reason: 'too_many_properties',
    field: '/properties/a',
  },
  {
    rule: 'over 200 values once flattened',
    event: validEvent({ properties: { a: keys(100), b: keys(100), c: 1 } }),
    reason: 'too_many_properties',
    field: '/properties',
  },
  // An array is flattened to its JSON text: 10 strings of 4,000 characters make one 40 kB term.
  {
    rule: 'an array property whose flattened text is over the indexed term limit',
    event: validEvent({ properties: { tags: Array.from({ length: 10 }, () => 'x'.repeat(4000)) } }),
    reason: 'property_value_too_long',
    field: '/properties/tags',
  },
  {
    rule: 'a nested array property over the limit once JSON escapes its control characters',
    event: validEvent({ properties: { 'a/b': { list: ['\u0001'.repeat(4096), '\u0001'.repeat(4096)] } } }),
    reason: 'property_value_too_long',
    field: '/properties/a~1b/list',
  },
  // Lone UTF-16 surrogates: what JSON.parse makes of an escape such as \udc00 (a browser cutting
  // an emoji in half). The pointer of a malformed key shows the surrogate as U+FFFD, so that the
  // refusal itself stays well-formed text.
  ...(
    [
      ['user_agent ending in a lone low surrogate', { user_agent: 'Mozilla \udc00' }, '/user_agent'],
      ['url ending in a lone high surrogate', { url: 'https://a.example/\ud83d' }, '/url'],
      ['event_id with a lone surrogate', { event_id: 'id-\ud800' }, '/event_id'],
      ['campaign_id with a reversed surrogate pair', { campaign_id: '\ude00\ud83d' }, '/campaign_id'],
      ['a property value with a lone surrogate', { properties: { note: 'x\udfff' } }, '/properties/note'],
      ['a nested property value', { properties: { a: { 'b/c': '\ud800y' } } }, '/properties/a/b~1c'],
      ['a property array item', { properties: { tags: ['ok', '\udbff'] } }, '/properties/tags/1'],
      ['a property key', { properties: { 'k\ud800': 1 } }, '/properties/k\ufffd'],
      ['a nested property key', { properties: { a: { '\udc00': 'v' } } }, '/properties/a/\ufffd'],
    ] as const
  ).map(([rule, overrides, field]) => ({
    rule,
    event: validEvent(overrides),
    reason: 'malformed_unicode' as const,
    field,
  })),
];

export const SAMPLE_USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
];

/** Valid events covering every optional field, both timestamp forms and nested properties. */
export const validEventArbitrary: fc.Arbitrary<WireEvent> = (() => {
  // Within the limit whether lengths count code points or UTF-16 code units (astral characters are two).
  const text = (maxLength: number) =>
    fc
      .string({ unit: 'binary', minLength: 1, maxLength })
      .filter((s) => s.length <= maxLength && !hasControlCharacter(s));
  // Any instant of the range, as text with any offset (the clock may then show 1999 or 2100).
  const instant = fc.integer({ min: EVENT_TIME_RANGE.firstMs, max: EVENT_TIME_RANGE.lastMs });
  const timestamp = fc.oneof(
    instant,
    fc
      .tuple(instant, fc.integer({ min: -(24 * 60 - 1), max: 24 * 60 - 1 }))
      .map(([ms, offsetMinutes]) => isoWithOffset(ms, offsetMinutes)),
  );
  const key = fc
    .string({ unit: 'binary', minLength: 1, maxLength: 20 })
    .filter((k) => !k.includes('.') && !hasControlCharacter(k));
  const scalar = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
  );
  const { properties } = fc.letrec<{ properties: Record<string, unknown> }>((tie) => ({
    properties: fc.dictionary(
      key,
      fc.oneof(
        { depthSize: 'small', maxDepth: 4 },
        scalar,
        fc.array(scalar, { maxLength: 4 }),
        tie('properties'),
      ),
      { maxKeys: 5 },
    ),
  }));
  const event = fc.record(
    {
      event_id: text(128),
      event_type: fc.oneof(
        fc.constantFrom('impression', 'click', 'conversion', 'pageview'),
        fc.stringMatching(/^[a-z][a-z0-9_]{0,63}$/),
      ),
      advertiser_id: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/),
      event_time: timestamp,
      campaign_id: text(128),
      ad_id: text(128),
      publisher_id: text(128),
      user_id: text(128),
      anonymous_id: text(128),
      session_id: text(128),
      url: fc.oneof(
        fc.webUrl({ withQueryParameters: true, withFragments: true }),
        fc.string({ unit: 'binary', maxLength: 100 }),
      ),
      referrer: fc.webUrl(),
      user_agent: fc.oneof(fc.constantFrom(...SAMPLE_USER_AGENTS), fc.string({ maxLength: 200 })),
      ip: fc.oneof(fc.ipV4(), fc.ipV6()),
      revenue: fc.double({ min: 0, max: 1e12, noNaN: true }),
      cost: fc.integer({ min: 0, max: 1_000_000 }),
      currency: fc.stringMatching(/^[A-Z]{3}$/),
      sent_at: timestamp,
      properties,
    },
    { requiredKeys: ['event_id', 'event_type', 'advertiser_id', 'event_time'] },
  );
  // Trackers stamp sent_at just after event_time; independent times (above) cover clock skew.
  return fc.tuple(event, fc.option(fc.integer({ min: 0, max: 600_000 }))).map(([wire, sendDelay]) => {
    const eventMs = typeof wire.event_time === 'number' ? wire.event_time : Date.parse(wire.event_time);
    return sendDelay === null || eventMs + sendDelay > EVENT_TIME_RANGE.lastMs
      ? wire
      : { ...wire, sent_at: eventMs + sendDelay };
  }) as fc.Arbitrary<WireEvent>;
})();

/** Valid events with, sometimes, one field replaced by an arbitrary JSON value or removed. */
export const nearValidEventArbitrary: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    validEventArbitrary,
    fc.option(
      fc.tuple(
        fc.constantFrom(
          'event_id',
          'event_type',
          'advertiser_id',
          'event_time',
          'sent_at',
          'ip',
          'revenue',
          'url',
          'properties',
          '__proto__',
          'extra',
        ),
        fc.option(fc.jsonValue({ maxDepth: 3 })),
      ),
      { freq: 2 },
    ),
  )
  .map(([event, change]) => {
    const copy: Record<string, unknown> = JSON.parse(JSON.stringify(event));
    if (change === null) return copy;
    const [field, value] = change;
    if (value === null) delete copy[field];
    else Object.defineProperty(copy, field, { value, enumerable: true, writable: true, configurable: true });
    return copy;
  });

/** C0, DEL or C1 (U+0000-U+001F, U+007F-U+009F): Unicode's control characters. */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

export function isoWithOffset(epochMs: number, offsetMinutes: number): string {
  const local = new Date(epochMs + offsetMinutes * 60_000).toISOString().slice(0, 23);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
