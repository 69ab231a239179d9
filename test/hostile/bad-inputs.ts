import { toUtcIso } from '../../contract';

/**
 * What must happen to an input:
 * - `refused`: a typed refusal (the transform's reason, or dead-lettered with a reason);
 * - `refused-or-repaired`: that, or stored with its text repaired, in a form the contract accepts;
 * - `refused-or-valid`: debatable input: refused with a type, or stored in a form the contract accepts;
 * - `valid`: odd but valid: delivered, indexed and summarised;
 * - `endpoint-refused`: the API refuses the request with an AWS error, and the next request is served;
 * - `dropped`: an event_id repeated within a batch (the transform's `Dropped`);
 * - `duplicate`: an event_id delivered before: kept in the lake, counted once.
 */
export type Expectation =
  | 'refused'
  | 'refused-or-repaired'
  | 'refused-or-valid'
  | 'valid'
  | 'endpoint-refused'
  | 'dropped'
  | 'duplicate';

export interface InputContext {
  /** A fresh event_id for the bad record. */
  readonly id: string;
  readonly now: number;
  /** An event delivered before the trials (for the duplicate kinds). */
  readonly delivered: Record<string, unknown>;
  /** The good record sent first in the same batch (for the in-batch duplicate kinds). */
  readonly firstGood: Record<string, unknown>;
}

/** A raw request to the endpoint, outside the SDK (which would never send it). */
export interface RawRequest {
  target?: string;
  body: string | Buffer;
}

export interface BadInput {
  kind: string;
  expect: Expectation;
  /** Needs a pipeline that takes events from years ago (MAX_EVENT_AGE_DAYS raised). */
  history?: boolean;
  /** The record's data, sent in a PutRecordBatch between two good records. */
  record?: (context: InputContext) => Buffer;
  /** Or a request of its own, followed by a good batch. */
  request?: (context: InputContext) => RawRequest;
}

/** The advertiser of the catalogue's events. */
export const INPUT_ADVERTISER = 'hostile-inputs';

/** A valid event of the catalogue's advertiser. */
export function goodEvent(id: string, now: number): Record<string, unknown> {
  return {
    event_id: id,
    event_type: 'impression',
    advertiser_id: INPUT_ADVERTISER,
    event_time: toUtcIso(now),
    campaign_id: 'campaign-1',
    user_id: `user-${id}`,
    url: 'https://shop.example/products/1?ref=ad',
    user_agent:
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
    ip: '203.0.113.9',
  };
}

const line = (text: string) => Buffer.from(`${text}\n`);
const json = (value: unknown) => line(JSON.stringify(value));

/** A good event with fields replaced (an `undefined` value removes the field). */
function event(context: InputContext, overrides: Record<string, unknown>): Buffer {
  const value: Record<string, unknown> = { ...goodEvent(context.id, context.now), ...overrides };
  for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key];
  return json(value);
}

/** A good event whose JSON text has `bytes` spliced in place of the marker string's content. */
function withBytes(context: InputContext, field: string, bytes: number[]): Buffer {
  const marker = 'BYTES-GO-HERE';
  const [before, after] = event(context, { [field]: marker })
    .toString('utf8')
    .split(marker);
  return Buffer.concat([Buffer.from(before ?? ''), Buffer.from(bytes), Buffer.from(after ?? '')]);
}

function nested(depth: number, leaf: unknown, wrap: (inner: unknown) => unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = wrap(value);
  return value;
}

/** Deep nesting as text: JSON.stringify recurses and would overflow the stack first. */
function deepText(depth: number, open: string, close: string, leaf: string): string {
  return `${open.repeat(depth)}${leaf}${close.repeat(depth)}`;
}

const LONE_HIGH = '\ud83d';
const LONE_LOW = '\udc00';

/** String fields of the wire format that take free text or identifiers. */
const STRING_FIELDS = [
  'event_id',
  'event_type',
  'advertiser_id',
  'campaign_id',
  'ad_id',
  'publisher_id',
  'user_id',
  'anonymous_id',
  'session_id',
  'url',
  'referrer',
  'user_agent',
  'ip',
  'currency',
] as const;

const DAY_MS = 86_400_000;

/** The catalogue: each kind is sent once, between two good records. */
export const BAD_INPUTS: readonly BadInput[] = [
  // Decoding: bytes that are no JSON object.
  { kind: 'not JSON', expect: 'refused', record: () => line('hello world') },
  {
    kind: 'truncated JSON',
    expect: 'refused',
    record: (c) => Buffer.from(JSON.stringify(goodEvent(c.id, c.now)).slice(0, 40)),
  },
  { kind: 'a JSON array', expect: 'refused', record: () => line('[1,2,3]') },
  { kind: 'a JSON string', expect: 'refused', record: () => line('"an event"') },
  { kind: 'a JSON number', expect: 'refused', record: () => line('42') },
  { kind: 'JSON null', expect: 'refused', record: () => line('null') },
  { kind: 'an empty record (one newline)', expect: 'refused', record: () => line('') },
  { kind: 'whitespace only', expect: 'refused', record: () => line(' \t  ') },
  { kind: 'an empty object', expect: 'refused', record: () => json({}) },
  {
    kind: 'invalid UTF-8 byte 0xFF in a string',
    expect: 'refused',
    record: (c) => withBytes(c, 'user_agent', [0xff]),
  },
  {
    kind: 'overlong UTF-8 (C0 AF)',
    expect: 'refused',
    record: (c) => withBytes(c, 'user_agent', [0xc0, 0xaf]),
  },
  {
    kind: 'a surrogate encoded in UTF-8 (CESU-8, ED A0 80)',
    expect: 'refused',
    record: (c) => withBytes(c, 'user_agent', [0xed, 0xa0, 0x80]),
  },
  {
    kind: 'a UTF-8 sequence cut short (E2 82)',
    expect: 'refused',
    record: (c) => withBytes(c, 'user_agent', [0xe2, 0x82]),
  },
  {
    kind: 'a byte-order mark before the JSON',
    expect: 'refused-or-valid',
    record: (c) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), event(c, {})]),
  },
  {
    kind: 'two JSON objects in one record',
    expect: 'refused',
    record: (c) => Buffer.concat([event(c, {}).subarray(0, -1), event(c, {})]),
  },
  {
    kind: 'two NDJSON lines in one record',
    expect: 'refused',
    record: (c) => Buffer.concat([event(c, {}), event(c, {})]),
  },
  {
    kind: 'a NUL byte after the object',
    expect: 'refused',
    record: (c) => Buffer.concat([event(c, {}).subarray(0, -1), Buffer.from([0, 10])]),
  },
  {
    kind: 'a trailing comma',
    expect: 'refused',
    record: (c) => line(`${event(c, {}).toString().trim().slice(0, -1)},}`),
  },
  {
    kind: 'a comment in the JSON',
    expect: 'refused',
    record: (c) => line(`/* hi */ ${event(c, {}).toString().trim()}`),
  },
  {
    kind: 'single-quoted JSON',
    expect: 'refused',
    record: (c) => line(event(c, {}).toString().trim().replaceAll('"', "'")),
  },
  {
    kind: 'a NaN literal',
    expect: 'refused',
    record: (c) => line(event(c, { revenue: 'NAN-HERE' }).toString().trim().replace('"NAN-HERE"', 'NaN')),
  },
  {
    kind: 'a number beyond a double (revenue 1e400)',
    expect: 'refused',
    record: (c) => line(event(c, { revenue: 'BIG-HERE' }).toString().trim().replace('"BIG-HERE"', '1e400')),
  },
  {
    kind: 'a duplicate key (the second event_id wins)',
    expect: 'refused-or-valid',
    record: (c) => line(`{"event_id":"first-${c.id}",${event(c, {}).toString().trim().slice(1)}`),
  },
  {
    kind: 'invalid JSON of 1,024,000 bytes (the limit)',
    expect: 'refused',
    record: () =>
      Buffer.concat([Buffer.from('{"event_id":"'), Buffer.alloc(1_024_000 - 14, 'a'), Buffer.from('\n')]),
  },
  {
    kind: 'a record 1 byte over the limit',
    expect: 'endpoint-refused',
    record: () => Buffer.alloc(1_024_001, 'a'),
  },
  {
    kind: 'a valid event of about 1,000 KB (big properties arrays)',
    expect: 'refused-or-valid',
    record: (c) =>
      event(c, {
        properties: Object.fromEntries(
          Array.from({ length: 33 }, (_, i) => [
            `list_${i}`,
            Array.from({ length: 7 }, () => 'x'.repeat(4_000)),
          ]),
        ),
      }),
  },

  // Required and unknown fields.
  ...(['event_id', 'event_type', 'advertiser_id', 'event_time'] as const).map(
    (field): BadInput => ({
      kind: `no ${field}`,
      expect: 'refused',
      record: (c) => event(c, { [field]: undefined }),
    }),
  ),
  { kind: 'an unknown top-level field', expect: 'refused', record: (c) => event(c, { page_title: 'Home' }) },

  // Wrong types.
  { kind: 'event_id a number', expect: 'refused', record: (c) => event(c, { event_id: 12345 }) },
  { kind: 'event_id null', expect: 'refused', record: (c) => event(c, { event_id: null }) },
  { kind: 'event_type a number', expect: 'refused', record: (c) => event(c, { event_type: 1 }) },
  {
    kind: 'advertiser_id an array',
    expect: 'refused',
    record: (c) => event(c, { advertiser_id: [INPUT_ADVERTISER] }),
  },
  { kind: 'event_time a boolean', expect: 'refused', record: (c) => event(c, { event_time: true }) },
  {
    kind: 'event_time fractional epoch millis',
    expect: 'refused',
    record: (c) => event(c, { event_time: c.now + 0.5 }),
  },
  {
    kind: 'event_time epoch seconds (1970)',
    expect: 'refused',
    record: (c) => event(c, { event_time: Math.floor(c.now / 1000) }),
  },
  { kind: 'revenue a string', expect: 'refused', record: (c) => event(c, { revenue: '12.50' }) },
  { kind: 'revenue negative', expect: 'refused', record: (c) => event(c, { revenue: -1 }) },
  { kind: 'cost an object', expect: 'refused', record: (c) => event(c, { cost: { amount: 1 } }) },
  { kind: 'currency lower case', expect: 'refused', record: (c) => event(c, { currency: 'usd' }) },
  { kind: 'ip not an address', expect: 'refused', record: (c) => event(c, { ip: 'not-an-ip' }) },
  { kind: 'ip 999.1.1.1', expect: 'refused', record: (c) => event(c, { ip: '999.1.1.1' }) },
  { kind: 'properties an array', expect: 'refused', record: (c) => event(c, { properties: [1, 2] }) },
  { kind: 'properties a string', expect: 'refused', record: (c) => event(c, { properties: 'a=1' }) },
  { kind: 'user_id empty', expect: 'refused', record: (c) => event(c, { user_id: '' }) },
  { kind: 'user_id a number', expect: 'refused', record: (c) => event(c, { user_id: 42 }) },
  { kind: 'sent_at not a time', expect: 'refused', record: (c) => event(c, { sent_at: 'yesterday' }) },

  // event_id content.
  { kind: 'event_id empty', expect: 'refused', record: (c) => event(c, { event_id: '' }) },
  {
    kind: 'event_id of 129 characters',
    expect: 'refused',
    record: (c) => event(c, { event_id: `${c.id}-`.padEnd(129, 'x') }),
  },
  { kind: 'event_id with NUL', expect: 'refused', record: (c) => event(c, { event_id: `${c.id}\u0000` }) },
  { kind: 'event_id with U+001F', expect: 'refused', record: (c) => event(c, { event_id: `${c.id}\u001f` }) },
  {
    kind: 'event_id with DEL (U+007F)',
    expect: 'refused',
    record: (c) => event(c, { event_id: `${c.id}\u007f` }),
  },
  {
    kind: 'event_id with C1 NEL (U+0085)',
    expect: 'refused',
    record: (c) => event(c, { event_id: `${c.id}\u0085` }),
  },
  {
    kind: 'event_id with C1 U+009F',
    expect: 'refused',
    record: (c) => event(c, { event_id: `${c.id}\u009f` }),
  },
  {
    kind: 'event_id with a lone high surrogate',
    expect: 'refused-or-repaired',
    record: (c) => event(c, { event_id: `${c.id}${LONE_HIGH}` }),
  },
  {
    kind: 'event_id with a lone low surrogate',
    expect: 'refused-or-repaired',
    record: (c) => event(c, { event_id: `${c.id}${LONE_LOW}` }),
  },
  {
    kind: 'event_id with a reversed surrogate pair',
    expect: 'refused-or-repaired',
    record: (c) => event(c, { event_id: `${c.id}\udc00\ud83d` }),
  },
  { kind: 'event_id with an emoji', expect: 'valid', record: (c) => event(c, { event_id: `${c.id}-😀` }) },
  {
    kind: 'event_id of 128 code points (256 UTF-16 units)',
    expect: 'valid',
    record: (c) => event(c, { event_id: `${c.id}-`.padEnd(128 - 20, 'x') + '😀'.repeat(20) }),
  },
  {
    kind: 'event_id with spaces around it',
    expect: 'refused-or-valid',
    record: (c) => event(c, { event_id: `  ${c.id}  ` }),
  },
  {
    kind: 'event_id with U+2028 (line separator)',
    expect: 'refused-or-valid',
    record: (c) => event(c, { event_id: `${c.id}\u2028` }),
  },
  {
    kind: 'event_id with a right-to-left override',
    expect: 'refused-or-valid',
    record: (c) => event(c, { event_id: `${c.id}\u202e` }),
  },

  // Lone surrogates in every string field, in property keys, values and array items.
  ...STRING_FIELDS.filter((f) => f !== 'event_id').map(
    (field): BadInput => ({
      kind: `${field} with a lone surrogate`,
      expect: 'refused-or-repaired',
      record: (c) =>
        event(c, {
          [field]:
            field === 'user_agent'
              ? `Mozilla ${LONE_LOW}`
              : `${goodEvent(c.id, c.now)[field] ?? 'x'}${LONE_HIGH}`,
        }),
    }),
  ),
  {
    kind: 'event_time with a lone surrogate',
    expect: 'refused',
    record: (c) => event(c, { event_time: `${toUtcIso(c.now)}${LONE_LOW}` }),
  },
  {
    kind: 'sent_at with a lone surrogate',
    expect: 'refused',
    record: (c) => event(c, { sent_at: `${toUtcIso(c.now)}${LONE_LOW}` }),
  },
  {
    kind: 'a property value with a lone surrogate',
    expect: 'refused-or-repaired',
    record: (c) => event(c, { properties: { title: `caf${LONE_HIGH}` } }),
  },
  {
    kind: 'a property key with a lone surrogate',
    expect: 'refused-or-repaired',
    record: (c) => event(c, { properties: { [`k${LONE_LOW}`]: 1 } }),
  },
  {
    kind: 'a nested property key with a lone surrogate',
    expect: 'refused-or-repaired',
    record: (c) => event(c, { properties: { a: { [`k${LONE_HIGH}`]: 1 } } }),
  },
  {
    kind: 'a property array item with a lone surrogate',
    expect: 'refused-or-repaired',
    record: (c) => event(c, { properties: { tags: ['ok', `x${LONE_LOW}`] } }),
  },

  // C1 controls outside event_id.
  {
    kind: 'user_id with C1 NEL (U+0085)',
    expect: 'refused-or-valid',
    record: (c) => event(c, { user_id: `u\u0085` }),
  },
  {
    kind: 'a property key with C1 NEL (U+0085)',
    expect: 'refused-or-valid',
    record: (c) => event(c, { properties: { 'k\u0085': 1 } }),
  },

  // Over-long values.
  {
    kind: 'url of 8,193 characters',
    expect: 'refused',
    record: (c) => event(c, { url: `https://a.example/${'p'.repeat(8_193 - 18)}` }),
  },
  {
    kind: 'referrer of 8,193 characters',
    expect: 'refused',
    record: (c) => event(c, { referrer: 'r'.repeat(8_193) }),
  },
  {
    kind: 'user_agent of 2,049 characters',
    expect: 'refused',
    record: (c) => event(c, { user_agent: 'M'.repeat(2_049) }),
  },
  {
    kind: 'campaign_id of 129 characters',
    expect: 'refused',
    record: (c) => event(c, { campaign_id: 'c'.repeat(129) }),
  },
  {
    kind: 'a property string of 4,097 characters',
    expect: 'refused',
    record: (c) => event(c, { properties: { s: 's'.repeat(4_097) } }),
  },
  {
    kind: 'a property key of 129 characters',
    expect: 'refused',
    record: (c) => event(c, { properties: { ['k'.repeat(129)]: 1 } }),
  },
  {
    kind: '101 property keys',
    expect: 'refused',
    record: (c) =>
      event(c, { properties: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i])) }),
  },
  {
    kind: '201 property values once flattened',
    expect: 'refused',
    record: (c) =>
      event(c, {
        properties: Object.fromEntries(
          ['a', 'b', 'c'].map((group) => [
            group,
            Object.fromEntries(Array.from({ length: 67 }, (_, i) => [`k${i}`, i])),
          ]),
        ),
      }),
  },
  {
    kind: 'a property array of 101 items',
    expect: 'refused',
    record: (c) => event(c, { properties: { list: Array.from({ length: 101 }, (_, i) => i) } }),
  },
  {
    kind: 'a property value over 32 KB as an array (ASCII)',
    expect: 'refused',
    record: (c) => event(c, { properties: { list: Array.from({ length: 9 }, () => 'a'.repeat(4_000)) } }),
  },
  {
    kind: 'a property value over 32 KB as an array (3-byte characters)',
    expect: 'refused',
    record: (c) => event(c, { properties: { list: Array.from({ length: 9 }, () => '€'.repeat(1_300)) } }),
  },
  {
    kind: "a property key with '.'",
    expect: 'refused',
    record: (c) => event(c, { properties: { 'a.b': 1 } }),
  },
  { kind: 'an empty property key', expect: 'refused', record: (c) => event(c, { properties: { '': 1 } }) },
  {
    kind: 'a property key with a newline',
    expect: 'refused',
    record: (c) => event(c, { properties: { 'a\nb': 1 } }),
  },
  {
    kind: 'a property array holding an object',
    expect: 'refused',
    record: (c) => event(c, { properties: { list: [{ a: 1 }] } }),
  },
  {
    kind: 'a property array holding an array',
    expect: 'refused',
    record: (c) => event(c, { properties: { list: [[1]] } }),
  },

  // Deep nesting.
  {
    kind: 'properties 6 objects deep',
    expect: 'refused',
    record: (c) => event(c, { properties: nested(6, 1, (inner) => ({ a: inner })) }),
  },
  {
    kind: 'properties 100,000 objects deep',
    expect: 'refused',
    record: (c) =>
      line(
        event(c, { properties: 'DEEP' })
          .toString()
          .trim()
          .replace('"DEEP"', deepText(100_000, '{"a":', '}', '1')),
      ),
  },
  {
    kind: 'a property 100,000 arrays deep',
    expect: 'refused',
    record: (c) =>
      line(
        event(c, { properties: 'DEEP' })
          .toString()
          .trim()
          .replace('"DEEP"', `{"a":${deepText(100_000, '[', ']', '1')}}`),
      ),
  },
  {
    kind: 'a record of 100,000 nested arrays',
    expect: 'refused',
    record: () => line(deepText(100_000, '[', ']', '1')),
  },

  // Times: ranges, offsets that cross a year, the age and future limits.
  {
    kind: '2000-01-01T00:30:00+01:00 (1999 in UTC)',
    expect: 'refused-or-valid',
    history: true,
    record: (c) => event(c, { event_time: '2000-01-01T00:30:00+01:00' }),
  },
  {
    kind: 'sent_at 2000-01-01T00:30:00+01:00',
    expect: 'refused-or-valid',
    history: true,
    record: (c) => event(c, { sent_at: '2000-01-01T00:30:00+01:00' }),
  },
  {
    kind: '2000-01-01T00:00:00Z (the first instant allowed)',
    expect: 'valid',
    history: true,
    record: (c) => event(c, { event_time: '2000-01-01T00:00:00Z' }),
  },
  {
    kind: '1999-12-31T23:59:59Z',
    expect: 'refused',
    history: true,
    record: (c) => event(c, { event_time: '1999-12-31T23:59:59Z' }),
  },
  {
    kind: 'epoch millis 946684799999 (1999)',
    expect: 'refused',
    history: true,
    record: (c) => event(c, { event_time: 946_684_799_999 }),
  },
  {
    kind: 'epoch millis 946684800000 (2000-01-01)',
    expect: 'valid',
    history: true,
    record: (c) => event(c, { event_time: 946_684_800_000 }),
  },
  {
    kind: '2099-12-31T23:30:00-01:00 (2100 in UTC)',
    expect: 'refused',
    record: (c) => event(c, { event_time: '2099-12-31T23:30:00-01:00' }),
  },
  {
    kind: '2100-01-01T00:00:00Z',
    expect: 'refused',
    record: (c) => event(c, { event_time: '2100-01-01T00:00:00Z' }),
  },
  { kind: 'negative epoch millis', expect: 'refused', record: (c) => event(c, { event_time: -1 }) },
  {
    kind: 'February 30th',
    expect: 'refused',
    record: (c) => event(c, { event_time: `${toUtcIso(c.now).slice(0, 4)}-02-30T00:00:00Z` }),
  },
  {
    kind: 'month 13',
    expect: 'refused',
    record: (c) => event(c, { event_time: `${toUtcIso(c.now).slice(0, 4)}-13-01T00:00:00Z` }),
  },
  {
    kind: 'a leap second (23:59:60)',
    expect: 'refused-or-valid',
    record: (c) => event(c, { event_time: `${toUtcIso(c.now).slice(0, 10)}T00:00:60Z` }),
  },
  {
    kind: 'no UTC offset',
    expect: 'refused-or-valid',
    record: (c) => event(c, { event_time: toUtcIso(c.now).slice(0, 19) }),
  },
  {
    kind: 'a date without a time',
    expect: 'refused-or-valid',
    record: (c) => event(c, { event_time: toUtcIso(c.now).slice(0, 10) }),
  },
  {
    kind: 'offset +24:00',
    expect: 'refused',
    record: (c) => event(c, { event_time: `${toUtcIso(c.now).slice(0, 19)}+24:00` }),
  },
  {
    kind: 'nine fractional digits',
    expect: 'refused-or-valid',
    record: (c) => event(c, { event_time: `${toUtcIso(c.now).slice(0, 19)}.123456789Z` }),
  },
  {
    kind: 'a timestamp of 41 characters',
    expect: 'refused',
    record: (c) => event(c, { event_time: `${toUtcIso(c.now).slice(0, 19)}.${'1'.repeat(20)}Z` }),
  },
  {
    kind: 'an event 31 days old',
    expect: 'refused',
    record: (c) => event(c, { event_time: toUtcIso(c.now - 31 * DAY_MS) }),
  },
  {
    kind: 'an event 2 hours in the future',
    expect: 'refused',
    record: (c) => event(c, { event_time: toUtcIso(c.now + 2 * 3_600_000) }),
  },
  {
    kind: 'sent_at 2 days ahead (a skewed clock)',
    expect: 'refused-or-valid',
    record: (c) => event(c, { sent_at: toUtcIso(c.now + 2 * DAY_MS) }),
  },
  {
    kind: 'an event 50 minutes in the future (within tolerance)',
    expect: 'valid',
    record: (c) => event(c, { event_time: toUtcIso(c.now + 50 * 60_000) }),
  },

  // Duplicates.
  { kind: 'an event_id repeated in the same batch', expect: 'dropped', record: (c) => json(c.firstGood) },
  {
    kind: 'an event_id repeated in the same batch, other content',
    expect: 'dropped',
    record: (c) => json({ ...c.firstGood, event_type: 'click' }),
  },
  {
    kind: 'an event delivered earlier, sent again as it was',
    expect: 'duplicate',
    record: (c) => json(c.delivered),
  },
  {
    // The contract makes event_id the key of de-duplication everywhere; OpenSearch keeps one
    // document per event_id and event day.
    kind: 'an event_id delivered earlier, with an event_time 1 s later',
    expect: 'duplicate',
    record: (c) =>
      event(c, {
        event_id: c.delivered.event_id,
        event_time: toUtcIso(Date.parse(String(c.delivered.event_time)) + 1_000),
      }),
  },
  {
    kind: 'an event_id differing only in case from a delivered one',
    expect: 'valid',
    record: (c) => event(c, { event_id: String(c.delivered.event_id).toUpperCase() }),
  },

  // Odd but valid text.
  {
    kind: 'a URL path of spaces',
    expect: 'valid',
    record: (c) => event(c, { url: 'https://shop.example/     /   ' }),
  },
  { kind: 'a URL of only spaces', expect: 'valid', record: (c) => event(c, { url: '      ' }) },
  { kind: 'a URL of 8,192 spaces', expect: 'valid', record: (c) => event(c, { url: ' '.repeat(8_192) }) },
  {
    kind: 'a javascript: URL',
    expect: 'valid',
    record: (c) => event(c, { url: 'javascript:alert(document.cookie)' }),
  },
  {
    kind: 'a URL with an unclosed IPv6 host',
    expect: 'valid',
    record: (c) => event(c, { url: 'http://[::1/path' }),
  },
  {
    kind: 'a URL with a unicode host',
    expect: 'valid',
    record: (c) => event(c, { url: 'https://bücher.example/straße?q=ä#ü' }),
  },
  {
    kind: 'a URL with a cut percent-escape',
    expect: 'valid',
    record: (c) => event(c, { url: 'https://shop.example/%E0%A4%A' }),
  },
  { kind: 'a relative URL', expect: 'valid', record: (c) => event(c, { url: '/just/a/path' }) },
  {
    kind: 'a user_agent of 2,048 nested parentheses',
    expect: 'valid',
    record: (c) =>
      event(c, { user_agent: `Mozilla/5.0 ${'('.repeat(1_024)}${')'.repeat(1_024)}`.slice(0, 2_048) }),
  },
  {
    kind: 'a user_agent of 2,048 repeated tokens',
    expect: 'valid',
    record: (c) => event(c, { user_agent: 'Chrome/1.0 '.repeat(200).slice(0, 2_048) }),
  },
  {
    kind: 'a bot user_agent',
    expect: 'valid',
    record: (c) => event(c, { user_agent: 'Googlebot/2.1 (+http://www.google.com/bot.html)' }),
  },
  {
    kind: 'an IPv6 address with a zone (fe80::1%eth0)',
    expect: 'refused-or-valid',
    record: (c) => event(c, { ip: 'fe80::1%eth0' }),
  },
  {
    kind: 'an IPv4-mapped IPv6 address',
    expect: 'valid',
    record: (c) => event(c, { ip: '::ffff:198.51.100.7' }),
  },
  { kind: 'the IPv6 address ::', expect: 'valid', record: (c) => event(c, { ip: '::' }) },
  { kind: 'revenue exactly 1e12', expect: 'valid', record: (c) => event(c, { revenue: 1e12 }) },
  { kind: 'revenue 1e12 + 1', expect: 'refused', record: (c) => event(c, { revenue: 1e12 + 1 }) },
  {
    kind: 'revenue -0',
    expect: 'valid',
    record: (c) => line(event(c, { revenue: 'ZERO' }).toString().trim().replace('"ZERO"', '-0')),
  },
  { kind: 'revenue 5e-324 (a denormal)', expect: 'valid', record: (c) => event(c, { revenue: 5e-324 }) },
  {
    kind: "a property key '__proto__'",
    expect: 'refused-or-valid',
    record: (c) =>
      line(event(c, { properties: 'P' }).toString().trim().replace('"P"', '{"__proto__":{"polluted":1}}')),
  },
  {
    kind: "property keys 'constructor' and 'toString'",
    expect: 'valid',
    record: (c) => event(c, { properties: { constructor: 1, toString: 'x' } }),
  },
  {
    kind: 'property values null, true and 1e308',
    expect: 'valid',
    record: (c) => event(c, { properties: { n: null, b: true, big: 1e308 } }),
  },
  {
    kind: "advertiser_id 'CON' (reserved on Windows)",
    expect: 'valid',
    record: (c) => event(c, { advertiser_id: 'CON' }),
  },
  {
    kind: 'a custom event type',
    expect: 'valid',
    record: (c) => event(c, { event_type: 'video_quartile_3' }),
  },

  // The API itself: requests the SDK would never send.
  { kind: 'Data not base64', expect: 'endpoint-refused', request: () => putRequest('!!!not base64!!!') },
  {
    kind: 'Data in the base64url alphabet',
    expect: 'endpoint-refused',
    request: () => putRequest(Buffer.from('{"a":"??>>"}\n').toString('base64url')),
  },
  {
    kind: 'Data base64 without padding',
    expect: 'endpoint-refused',
    request: () => putRequest(Buffer.from('{"a":1}\n').toString('base64').replace(/=+$/, '')),
  },
  {
    kind: 'Data a number',
    expect: 'endpoint-refused',
    request: () => ({ body: '{"DeliveryStreamName":"clickstream-events","Records":[{"Data":42}]}' }),
  },
  { kind: 'a body that is not JSON', expect: 'endpoint-refused', request: () => ({ body: '{"Records": [' }) },
  { kind: 'a body that is a JSON array', expect: 'endpoint-refused', request: () => ({ body: '[]' }) },
  {
    kind: 'Records not an array',
    expect: 'endpoint-refused',
    request: () => ({ body: '{"DeliveryStreamName":"clickstream-events","Records":"x"}' }),
  },
  {
    kind: 'no Records',
    expect: 'endpoint-refused',
    request: () => ({ body: '{"DeliveryStreamName":"clickstream-events","Records":[]}' }),
  },
  {
    kind: '501 records in one batch',
    expect: 'endpoint-refused',
    request: (c) => ({
      body: JSON.stringify({
        DeliveryStreamName: 'clickstream-events',
        Records: Array.from({ length: 501 }, (_, i) => ({
          Data: event({ ...c, id: `${c.id}-${i}` }, {}).toString('base64'),
        })),
      }),
    }),
  },
  {
    kind: 'an unknown stream',
    expect: 'endpoint-refused',
    request: () => ({ body: '{"DeliveryStreamName":"nope","Records":[{"Data":"e30K"}]}' }),
  },
  { kind: 'no X-Amz-Target', expect: 'endpoint-refused', request: () => ({ target: '', body: '{}' }) },
  {
    kind: 'a body over 8 MiB',
    expect: 'endpoint-refused',
    request: () => putRequest('A'.repeat(9 * 1024 * 1024)),
  },
];

function putRequest(data: string): RawRequest {
  return { body: `{"DeliveryStreamName":"clickstream-events","Records":[{"Data":"${data}"}]}` };
}
