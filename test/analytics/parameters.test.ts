import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSavedQuery } from '../../analytics/catalog';
import { athenaLiteral, ParameterError, parseParameterValues } from '../../analytics/parameters';

const query = parseSavedQuery(
  '/q/top.sql',
  [
    '-- name: top',
    '-- description: Top things.',
    '-- param: start_date date First day.',
    '-- param: top_n integer How many.',
    '-- param: key string The key.',
    'SELECT ? /* start_date */, ? /* top_n */, ? /* key */',
  ].join('\n'),
);

describe('parseParameterValues', () => {
  it.each([
    [['2026-11-01', '5', 'plan'], { start_date: '2026-11-01', top_n: 5, key: 'plan' }],
    [['top_n=5', '2026-11-01', 'plan'], { start_date: '2026-11-01', top_n: 5, key: 'plan' }],
    [['key=a=b', 'start_date=2024-02-29', '-1'], { start_date: '2024-02-29', top_n: -1, key: 'a=b' }],
    [['2026-11-01', '5', 'k'.repeat(1022)], { start_date: '2026-11-01', top_n: 5, key: 'k'.repeat(1022) }],
  ])('reads %j', (raw, expected) => {
    expect(Object.fromEntries(parseParameterValues(query, raw))).toEqual(expected);
  });

  it.each([
    [
      ['2026-11-01', '5'],
      'missing parameter key, text of 1 to 1024 characters: The key. Usage: top start_date:date top_n:integer key:string',
    ],
    [['2026-11-01', '5', 'plan', 'extra'], 'top takes 3 parameter(s)'],
    [['2026-02-29', '5', 'plan'], 'parameter start_date must be a date YYYY-MM-DD, got "2026-02-29"'],
    [['2026-11-1', '5', 'plan'], 'must be a date YYYY-MM-DD'],
    [['2026-11-01', '5.5', 'plan'], 'parameter top_n must be a whole number, got "5.5"'],
    [['2026-11-01', '99999999999999999', 'plan'], 'must be a whole number'],
    [['2026-11-01', '5', ''], 'parameter key must be text of 1 to 1024 characters'],
    [['top_n=1', 'top_n=2', 'x'], 'parameter top_n is given twice'],
    [
      ['2026-11-01', '5', 'k'.repeat(1023)],
      'parameter key is too long: 1025 characters as an Athena literal',
    ],
    [['2026-11-01', '5', "'".repeat(600)], 'parameter key is too long: 1202 characters as an Athena literal'],
  ])('rejects %j', (raw, message) => {
    expect(() => parseParameterValues(query, raw)).toThrow(ParameterError);
    expect(() => parseParameterValues(query, raw)).toThrow(message);
  });
});

describe('parseParameterValues, by name', () => {
  it.each([
    [
      ['2026-11-01', '5', 'plan', 'window_dayz=2'],
      'unknown parameter window_dayz; top takes start_date, top_n, key',
    ],
    [
      ['2026-11-01', 'key=x', 'top_m=5'],
      'unknown parameter top_m (did you mean top_n?); top takes start_date, top_n, key',
    ],
    [['2026-11-01', '5', 'Key=plan'], 'unknown parameter Key (did you mean key?)'],
  ])('refuses a name the query does not declare: %j', (raw, message) => {
    expect(() => parseParameterValues(query, raw)).toThrow(ParameterError);
    expect(() => parseParameterValues(query, raw)).toThrow(message);
  });

  it('says how to give a text value that holds "="', () => {
    expect(() => parseParameterValues(query, ['2026-11-01', '5', 'plan=gold'])).toThrow(
      'a text value holding "=" goes by name: key=plan=gold',
    );
  });
});

describe('parseParameterValues, ranges from the header', () => {
  const ranged = parseSavedQuery(
    '/q/ranged.sql',
    [
      '-- name: ranged',
      '-- description: Ranged things.',
      '-- param: start_date date First day.',
      '-- param: end_date date[start_date..] Last day.',
      '-- param: top_n integer[1..100] How many.',
      '-- param: offset integer[..0] How far back.',
      'SELECT ? /* start_date */, ? /* end_date */, ? /* top_n */, ? /* offset */',
    ].join('\n'),
  );

  it.each([
    [
      ['2026-11-01', '2026-11-01', '1', '0'],
      { start_date: '2026-11-01', end_date: '2026-11-01', top_n: 1, offset: 0 },
    ],
    [
      ['2026-11-01', '2026-11-07', '100', '-3'],
      { start_date: '2026-11-01', end_date: '2026-11-07', top_n: 100, offset: -3 },
    ],
  ])('accepts %j', (raw, expected) => {
    expect(Object.fromEntries(parseParameterValues(ranged, raw))).toEqual(expected);
  });

  it.each([
    [['2026-11-01', '2026-11-07', '0', '0'], 'parameter top_n must be a whole number from 1 to 100, got "0"'],
    [
      ['2026-11-01', '2026-11-07', '-5', '0'],
      'parameter top_n must be a whole number from 1 to 100, got "-5"',
    ],
    [
      ['2026-11-01', '2026-11-07', '101', '0'],
      'parameter top_n must be a whole number from 1 to 100, got "101"',
    ],
    [['2026-11-01', '2026-11-07', '1', '1'], 'parameter offset must be a whole number of at most 0, got "1"'],
    [
      ['2026-11-07', '2026-11-01', '1', '0'],
      'parameter end_date must be a date YYYY-MM-DD on or after start_date (2026-11-07), got "2026-11-01"',
    ],
    [
      ['2026-11-01', '2026-11-07', '1'],
      'missing parameter offset, a whole number of at most 0: How far back.',
    ],
  ])('refuses %j, naming the allowed range', (raw, message) => {
    expect(() => parseParameterValues(ranged, raw)).toThrow(ParameterError);
    expect(() => parseParameterValues(ranged, raw)).toThrow(message);
  });
});

describe('athenaLiteral', () => {
  it.each([
    ['2026-11-01', "'2026-11-01'"],
    ["o'brien", "'o''brien'"],
    [7, '7'],
  ])('%j -> %s', (value, literal) => {
    expect(athenaLiteral(value)).toBe(literal);
  });

  it('quotes any text so that it reads back as one SQL string literal', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const literal = athenaLiteral(text);
        const inner = literal.slice(1, -1);
        expect(literal.startsWith("'") && literal.endsWith("'")).toBe(true);
        // Inside, every quote is doubled: no quote can end the literal early.
        expect(inner.replaceAll("''", '')).not.toContain("'");
        expect(inner.replaceAll("''", "'")).toBe(text);
      }),
    );
  });
});

describe('parseParameterValues, relative dates', () => {
  const now = Date.parse('2026-12-02T20:30:00Z');

  it.each([
    ['today', '2026-12-02'],
    ['yesterday', '2026-12-01'],
    ['today-7', '2026-11-25'],
    ['today+1', '2026-12-03'],
    ['yesterday-1', '2026-11-30'],
    ['TODAY', '2026-12-02'],
  ])('reads %s as %s', (text, day) => {
    expect(parseParameterValues(query, [text, '5', 'plan'], now).get('start_date')).toBe(day);
  });

  it.each(['today-', 'tomorrow', 'today-1d', 'today - 1'])('refuses %s like any malformed date', (text) => {
    expect(() => parseParameterValues(query, [text, '5', 'plan'], now)).toThrow('must be a date YYYY-MM-DD');
  });

  it('resolves every offset to the UTC day that many days from today', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4e12 }), fc.integer({ min: -3650, max: 3650 }), (at, days) => {
        const text = `today${days < 0 ? '-' : '+'}${Math.abs(days)}`;
        const expected = new Date(at + days * 86_400_000).toISOString().slice(0, 10);
        expect(parseParameterValues(query, [text, '1', 'k'], at).get('start_date')).toBe(expected);
      }),
    );
  });

  it('leaves text parameters alone', () => {
    expect(parseParameterValues(query, ['today', '1', 'today'], now).get('key')).toBe('today');
  });
});
