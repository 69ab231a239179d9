import type { FirehoseTransformationEventRecord } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { EVENT_TIME_RANGE, MAX_RECORD_BYTES, type Refusal, validateStoredEvent } from '../../../contract';
import { transformBatch } from '../../../lambdas/transform/transform-batch';
import { BAD_EVENT_CASES, validEvent, validEventWithout } from '../../contract/validate-cases';
import { ARRIVAL_MS, enrichersFor, lineOf, rawRecord, recordOf, storedOf } from './firehose-records';

function transform(records: FirehoseTransformationEventRecord[], env: Record<string, string> = {}) {
  const refused: Array<{ recordId: string; refusal: Refusal }> = [];
  const batch = transformBatch(records, enrichersFor(env), (recordId, refusal) =>
    refused.push({ recordId, refusal }),
  );
  return { ...batch, refused };
}

const utf8 = (text: string) => new TextEncoder().encode(text);
const withBytes = (before: string, bytes: number[], after: string) =>
  Uint8Array.from([...utf8(before), ...bytes, ...utf8(after)]);
const base64Of = (text: string) => Buffer.from(text).toString('base64');
/** An arrival no client time is after, so that only the range decides. */
const LAST_STORABLE_MS = EVENT_TIME_RANGE.lastMs;

describe('transformBatch: records it cannot decode', () => {
  it.each([
    ['punctuation instead of base64', rawRecord('!!!!'), 'invalid_base64'],
    ['a length that is not a multiple of 4', rawRecord('abcde'), 'invalid_base64'],
    ['the URL-safe base64 alphabet', rawRecord('e30-_w=='), 'invalid_base64'],
    [
      'whitespace inside the base64',
      rawRecord(`${base64Of('{"a":')}    ${base64Of('1}')}`),
      'invalid_base64',
    ],
    ['data that is not a string', { ...rawRecord(''), data: 42 as unknown as string }, 'invalid_base64'],
    ['a byte that is never UTF-8', recordOf(withBytes('{"event_id":"', [0xff], '"}')), 'invalid_utf8'],
    ['an overlong UTF-8 encoding', recordOf(withBytes('{"event_id":"', [0xc0, 0xaf], '"}')), 'invalid_utf8'],
    [
      'an encoded UTF-16 surrogate',
      recordOf(withBytes('{"event_id":"', [0xed, 0xa0, 0x80], '"}')),
      'invalid_utf8',
    ],
    ['a truncated UTF-8 sequence', recordOf(withBytes('{"event_id":"', [0xe2, 0x82], '"}')), 'invalid_utf8'],
    ['prose', recordOf('hello'), 'invalid_json'],
    ['truncated JSON', recordOf('{"event_id":'), 'invalid_json'],
    ['no data at all', recordOf(''), 'invalid_json'],
    ['two JSON objects in one record', recordOf('{}\n{}'), 'invalid_json'],
    ['a JSON array', recordOf('[{"event_id":"a"}]'), 'not_an_object'],
    ['a JSON string', recordOf('"event"'), 'not_an_object'],
    ['a JSON number', recordOf('42'), 'not_an_object'],
    ['JSON null', recordOf('null'), 'not_an_object'],
    [
      'a record over the size limit',
      recordOf(JSON.stringify(validEvent({ properties: { note: 'x'.repeat(MAX_RECORD_BYTES) } }))),
      'record_too_large',
    ],
  ])('refuses %s as %s, returning the original data', (_name, record, reason) => {
    const { records, refused } = transform([record]);

    expect(records).toEqual([{ recordId: record.recordId, result: 'ProcessingFailed', data: record.data }]);
    expect(refused).toEqual([{ recordId: record.recordId, refusal: expect.objectContaining({ reason }) }]);
  });
});

describe('transformBatch: events the contract refuses', () => {
  it.each(BAD_EVENT_CASES)('refuses $rule as $reason at $field', ({ event, reason, field }) => {
    const record = recordOf(event);

    const { records, refused } = transform([record]);

    expect(records).toEqual([{ recordId: 'r-1', result: 'ProcessingFailed', data: record.data }]);
    expect(refused[0]?.refusal).toMatchObject({ reason, field });
  });

  it.each([
    ['event_time', { event_time: new Date(ARRIVAL_MS + 3_600_001).toISOString() }],
    ['sent_at', { sent_at: ARRIVAL_MS + 3_600_001 }],
  ])('refuses %s more than the tolerance after arrival as timestamp_in_future', (field, overrides) => {
    const { records, refused } = transform([recordOf(validEvent(overrides))]);

    expect(records[0]?.result).toBe('ProcessingFailed');
    expect(refused[0]?.refusal).toMatchObject({ reason: 'timestamp_in_future', field: `/${field}` });
  });

  it('accepts a client time up to the tolerance after arrival', () => {
    const event = validEvent({ event_time: ARRIVAL_MS + 60_000, sent_at: ARRIVAL_MS + 60_000 });

    const { records } = transform([recordOf(event)], { FUTURE_TOLERANCE_SECONDS: '60' });

    expect(records[0]?.result).toBe('Ok');
  });

  it('refuses a sent_at whose skew moves the derived event time before 2000', () => {
    const event = validEvent({ event_time: '2000-01-01T00:00:00.000Z', sent_at: ARRIVAL_MS + 60_000 });

    const { refused } = transform([recordOf(event)], { MAX_EVENT_AGE_DAYS: '36525' });

    expect(refused[0]?.refusal).toMatchObject({ reason: 'invalid_timestamp', field: '/sent_at' });
  });
});

describe('transformBatch: well-formed Unicode', () => {
  // JSON text in valid UTF-8 (ASCII, even) can still escape half of a surrogate pair; JSON.parse
  // then makes a lone surrogate, which the contract refuses wherever it is.
  const eventText = (members: string) =>
    `${JSON.stringify(validEventWithout('properties')).slice(0, -1)},${members}}`;

  it.each([
    ['a value', '"properties":{"note":"cut \\ud83d"}', '/properties/note'],
    ['a key', '"properties":{"k\\udc00":"v"}', '/properties/k\ufffd'],
    ['a nested key', '"properties":{"a":{"\\ud800b":1}}', '/properties/a/\ufffdb'],
    ['an array item', '"properties":{"tags":["\\udfff"]}', '/properties/tags/0'],
    ['a top-level field', '"anonymous_id":"\\ud83dx"', '/anonymous_id'],
  ])(
    'refuses an escaped lone surrogate in %s as malformed_unicode, keeping the data',
    (_name, members, field) => {
      const record = recordOf(eventText(members));

      const { records, refused } = transform([record]);

      expect(records).toEqual([{ recordId: 'r-1', result: 'ProcessingFailed', data: record.data }]);
      expect(refused[0]?.refusal).toMatchObject({ reason: 'malformed_unicode', field });
    },
  );

  it('accepts a surrogate pair written as two escapes, and stores the character it makes', () => {
    const record = recordOf(eventText('"properties":{"\\ud83d\\ude00":"\\ud83d\\ude80"}'));

    const { records } = transform([record]);

    expect(records[0]?.result).toBe('Ok');
    expect(storedOf(records[0]).properties).toEqual({ '😀': '🚀' });
  });
});

describe('transformBatch: the range of event times', () => {
  it.each([
    ['event_time', '2000-01-01T00:30:00+01:00'],
    ['event_time', '2099-12-31T23:30:00-01:00'],
    ['sent_at', '2000-01-01T00:59:59.999+01:00'],
  ])('refuses a %s of %s, outside 2000-2099 once the offset applies', (field, time) => {
    const { refused } = transform([recordOf(validEvent({ [field]: time }), 'r-1', LAST_STORABLE_MS)], {
      MAX_EVENT_AGE_DAYS: '36525',
    });

    expect(refused[0]?.refusal).toMatchObject({ reason: 'invalid_timestamp', field: `/${field}` });
  });

  it.each([
    ['1999-12-31T23:30:00-01:00', '2000-01-01T00:30:00.000Z'],
    ['2100-01-01T00:30:00+01:00', '2099-12-31T23:30:00.000Z'],
  ])('accepts an event_time of %s, stored as %s', (time, storedTime) => {
    const { records } = transform(
      [recordOf(validEvent({ event_time: time, sent_at: undefined }), 'r-1', LAST_STORABLE_MS)],
      { MAX_EVENT_AGE_DAYS: '36525' },
    );

    const stored = storedOf(records[0]);
    expect(stored.event_time).toBe(storedTime);
    expect(validateStoredEvent(stored)).toMatchObject({ ok: true });
  });
});

describe('transformBatch: the past limit on event_time', () => {
  const DAY_MS = 86_400_000;
  const aged = (ageMs: number) =>
    recordOf(validEvent({ event_time: new Date(ARRIVAL_MS - ageMs).toISOString(), sent_at: undefined }));

  it.each<[string, string, number, Record<string, string>]>([
    ['14 days late (a replay)', 'Ok', 14 * DAY_MS, {}],
    ['exactly the default 30 days old', 'Ok', 30 * DAY_MS, {}],
    ['a millisecond over the default 30 days', 'ProcessingFailed', 30 * DAY_MS + 1, {}],
    ['3 days old with MAX_EVENT_AGE_DAYS=2', 'ProcessingFailed', 3 * DAY_MS, { MAX_EVENT_AGE_DAYS: '2' }],
    ['3 days old with MAX_EVENT_AGE_DAYS=3', 'Ok', 3 * DAY_MS, { MAX_EVENT_AGE_DAYS: '3' }],
  ])('answers an event_time %s with %s', (_name, result, ageMs, env) => {
    const { records } = transform([aged(ageMs)], env);

    expect(records[0]?.result).toBe(result);
  });

  it('refuses an older event as event_too_old at /event_time, keeping its bytes', () => {
    const record = aged(31 * DAY_MS);

    const { records, refused } = transform([record]);

    expect(records).toEqual([{ recordId: 'r-1', result: 'ProcessingFailed', data: record.data }]);
    expect(refused[0]?.refusal).toEqual({
      reason: 'event_too_old',
      field: '/event_time',
      message: "/event_time is more than 30 days before the record's arrival",
    });
  });

  it('measures the age from the arrival time Firehose stamps, not from the clock', () => {
    const event = validEvent({ event_time: '2026-11-22T07:35:00.000Z', sent_at: undefined });

    const { records } = transform([recordOf(event, 'r-1', Date.parse('2030-01-01T00:00:00Z'))]);

    expect(records[0]?.result).toBe('ProcessingFailed');
  });
});

describe('transformBatch: outcomes', () => {
  it('returns one result per record, in input order, whatever each outcome', () => {
    const input = [
      recordOf(validEvent({ event_id: 'a' }), 'r-1'),
      rawRecord('%%%%', 'r-2'),
      recordOf(validEvent({ event_id: 'a' }), 'r-3'),
      recordOf(validEvent({ event_id: 'b' }), 'r-4'),
      recordOf('[]', 'r-5'),
    ];

    const { records, tally } = transform(input);

    expect(records.map((r) => [r.recordId, r.result])).toEqual([
      ['r-1', 'Ok'],
      ['r-2', 'ProcessingFailed'],
      ['r-3', 'Dropped'],
      ['r-4', 'Ok'],
      ['r-5', 'ProcessingFailed'],
    ]);
    expect(tally).toMatchObject({ Ok: 2, Dropped: 1, ProcessingFailed: 2 });
    expect([...tally.failedByReason]).toEqual([
      ['invalid_base64', 1],
      ['not_an_object', 1],
    ]);
  });

  it('keeps the first of repeated event_ids and drops the others', () => {
    const input = ['first', 'second', 'third'].map((campaign, i) =>
      recordOf(validEvent({ event_id: 'same', campaign_id: campaign }), `r-${i}`),
    );

    const { records } = transform(input);

    expect(records.map((r) => r.result)).toEqual(['Ok', 'Dropped', 'Dropped']);
    expect(storedOf(records[0]).campaign_id).toBe('first');
    expect(records[1]?.data).toBe(input[1]?.data);
  });

  it('does not let an invalid record shadow a valid one with the same event_id', () => {
    const input = [
      recordOf(validEvent({ event_id: 'same', revenue: -1 }), 'r-1'),
      recordOf(validEvent({ event_id: 'same' }), 'r-2'),
    ];

    const { records } = transform(input);

    expect(records.map((r) => r.result)).toEqual(['ProcessingFailed', 'Ok']);
  });

  it('reports each refused record to the sink once, and no other record', () => {
    const sink = vi.fn();

    transformBatch(
      [recordOf(validEvent()), rawRecord('!!!!', 'bad-1'), recordOf(validEvent())],
      enrichersFor(),
      sink,
    );

    expect(sink).toHaveBeenCalledTimes(1);
    expect(sink).toHaveBeenCalledWith('bad-1', expect.objectContaining({ reason: 'invalid_base64' }));
  });

  it('answers an empty batch with no records', () => {
    expect(transform([]).records).toEqual([]);
  });
});

describe('transformBatch: the stored record', () => {
  it('is one JSON line ending in a newline that passes the stored-event validator', () => {
    const { records } = transform([recordOf(validEvent())]);

    const line = lineOf(records[0]);

    expect(line.endsWith('\n')).toBe(true);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(validateStoredEvent(JSON.parse(line))).toMatchObject({ ok: true });
  });

  it('stays one line when string values contain newlines', () => {
    const event = validEvent({ url: 'https://a.example/x\ny', properties: { note: 'line 1\nline 2\r\n' } });

    const line = lineOf(transform([recordOf(event)]).records[0]);

    expect(line.split('\n')).toHaveLength(2);
    expect(JSON.parse(line).properties.note).toBe('line 1\nline 2\r\n');
  });

  it('keeps every wire field under its own name', () => {
    const sent = validEvent();

    const stored = storedOf(transform([recordOf(sent)]).records[0]);

    expect(Object.keys(stored)).toEqual(expect.arrayContaining(Object.keys(sent)));
  });

  it('normalises times and derives the skew-corrected event time', () => {
    const event = validEvent({
      event_time: '2026-11-22T08:35:00.5+01:00',
      sent_at: Date.UTC(2026, 10, 22, 7, 39, 58),
    });

    const stored = storedOf(transform([recordOf(event)]).records[0]);

    expect(stored).toMatchObject({
      event_time: '2026-11-22T07:35:00.500Z',
      sent_at: '2026-11-22T07:39:58.000Z',
      received_at: '2026-11-22T07:40:00.000Z',
      clock_skew_ms: 2000,
      derived_event_time: '2026-11-22T07:35:02.500Z',
    });
  });

  it('uses event_time as the derived time when sent_at is absent', () => {
    const stored = storedOf(transform([recordOf(validEventWithout('sent_at'))]).records[0]);

    expect(stored.derived_event_time).toBe(stored.event_time);
    expect(stored).not.toHaveProperty('clock_skew_ms');
    expect(stored).not.toHaveProperty('sent_at');
  });

  it('flattens properties into dotted keys with string values', () => {
    const event = validEvent({
      properties: {
        plan: { tier: 'pro', seats: 3, limits: { daily: 1.5 } },
        tags: ['a', 1, null],
        trial: false,
        coupon: null,
        empty: {},
      },
    });

    const stored = storedOf(transform([recordOf(event)]).records[0]);

    expect(stored.properties).toEqual({
      'plan.tier': 'pro',
      'plan.seats': '3',
      'plan.limits.daily': '1.5',
      tags: '["a",1,null]',
      trial: 'false',
      coupon: null,
    });
  });

  it('treats __proto__ and constructor as plain property keys, never touching prototypes', () => {
    const properties =
      '{"__proto__":"kept","constructor":{"prototype":{"polluted":"yes"}},"a":{"__proto__":{"polluted":"yes"}}}';
    const text = JSON.stringify(validEventWithout('properties')).replace(
      /}$/,
      `,"properties":${properties}}`,
    );

    const { records } = transform([recordOf(text)]);

    expect(records[0]?.result).toBe('Ok');
    expect(Object.entries(storedOf(records[0]).properties as object)).toEqual([
      ['__proto__', 'kept'],
      ['constructor.prototype.polluted', 'yes'],
      ['a.__proto__.polluted', 'yes'],
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('adds browser, OS, device and bot fields from user_agent', () => {
    const stored = storedOf(transform([recordOf(validEvent())]).records[0]);

    expect(stored).toMatchObject({
      ua_browser: 'Chrome',
      ua_browser_version: '131.0.0.0',
      ua_os: 'Windows',
      ua_os_version: '10',
      ua_device_type: 'desktop',
      is_bot: false,
    });
  });

  it('adds the lower-cased host and the path of url', () => {
    const stored = storedOf(transform([recordOf(validEvent())]).records[0]);

    expect(stored).toMatchObject({ url_host: 'shop.example.com', url_path: '/products/42' });
  });

  it('stores an unparseable url without host and path fields', () => {
    const { records } = transform([recordOf(validEvent({ url: '/relative/only' }))]);

    expect(records[0]?.result).toBe('Ok');
    expect(storedOf(records[0])).toMatchObject({ url: '/relative/only' });
    expect(storedOf(records[0])).not.toHaveProperty('url_host');
  });

  it.each([
    [{}, '203.0.113.0'],
    [{ IP_ANONYMISATION: 'truncate' }, '203.0.113.0'],
    [{ IP_ANONYMISATION: 'keep' }, '203.0.113.77'],
    [{ IP_ANONYMISATION: 'drop' }, undefined],
  ])('with %o stores ip as %s', (env, ip) => {
    const stored = storedOf(transform([recordOf(validEvent())], env).records[0]);

    expect(stored.ip).toBe(ip);
  });
});
