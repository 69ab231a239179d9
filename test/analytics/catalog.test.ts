import { describe, expect, it } from 'vitest';
import {
  loadSavedQueries,
  parseSavedQuery,
  placeholderValues,
  SavedQueryFormatError,
} from '../../analytics/catalog';
import { findSavedQuery } from '../../analytics/lookup';

const HEADER = ['-- name: clicks', '-- description: Clicks per day.', '-- param: day date The day.'];
const file = '/repo/queries/clicks.sql';

describe('parseSavedQuery', () => {
  it('reads name, description, parameters, placeholders and the SQL after the header', () => {
    const text = [
      '-- name: clicks',
      '-- description: Clicks per day',
      '--   and per advertiser.',
      '-- param: day date The day.',
      '-- param: advertiser string The advertiser.',
      'SELECT \'?\' AS q, "x?" FROM events -- why?',
      'WHERE dt = ? /* day */ AND a = ?/*advertiser*/ /* ? */ AND CAST(? /* day */ AS date) IS NOT NULL',
    ].join('\n');

    const query = parseSavedQuery(file, text);

    expect(query).toEqual({
      name: 'clicks',
      description: 'Clicks per day and per advertiser.',
      parameters: [
        { name: 'day', type: 'date', description: 'The day.' },
        { name: 'advertiser', type: 'string', description: 'The advertiser.' },
      ],
      placeholders: ['day', 'advertiser', 'day'],
      sql: text.split('\n').slice(5).join('\n'),
      file,
    });
  });

  it.each([
    ['no name', ['-- description: d.', 'SELECT 1'], 'exactly one "-- name:"'],
    [
      'two descriptions',
      ['-- name: clicks', '-- description: a.', '-- description: b.', 'SELECT 1'],
      'exactly one "-- description:"',
    ],
    [
      'a name unlike the file',
      ['-- name: other', '-- description: d.', 'SELECT 1'],
      'must match the file name "clicks"',
    ],
    [
      'an unknown header key',
      ['-- name: clicks', '-- owner: me', 'SELECT 1'],
      '/repo/queries/clicks.sql:2: expected "-- name:"',
    ],
    [
      'a parameter without type',
      [...HEADER.slice(0, 2), '-- param: day', 'SELECT ? /* day */'],
      'expected "-- param: <name> <type> <description>"',
    ],
    [
      'an unknown type',
      [...HEADER.slice(0, 2), '-- param: day timestamp The day.', 'SELECT ? /* day */'],
      'has type "timestamp"',
    ],
    [
      'a parameter declared twice',
      [...HEADER, '-- param: day date Again.', 'SELECT ? /* day */'],
      'declared twice',
    ],
    [
      'a range on a string',
      [...HEADER, '-- param: key string[a..b] The key.', 'SELECT ? /* day */, ? /* key */'],
      ':4: parameter "key" is a string; only date and integer parameters take a range',
    ],
    [
      'a range without bounds',
      [...HEADER, '-- param: n integer[..] N.', 'SELECT ? /* day */, ? /* n */'],
      'expected "[<min>..<max>]" with at least one bound, got "[..]"',
    ],
    [
      'a range without dots',
      [...HEADER, '-- param: n integer[1-5] N.', 'SELECT ? /* day */, ? /* n */'],
      'expected "[<min>..<max>]" with at least one bound, got "[1-5]"',
    ],
    [
      'an empty range',
      [...HEADER, '-- param: n integer[5..1] N.', 'SELECT ? /* day */, ? /* n */'],
      'parameter "n" has an empty range: 5 is above 1',
    ],
    [
      'a bound of the wrong type',
      [...HEADER, '-- param: n integer[2026-01-01..] N.', 'SELECT ? /* day */, ? /* n */'],
      'parameter "n": the bound "2026-01-01" is neither a whole number nor the name of another integer parameter',
    ],
    [
      'a bound naming an undeclared parameter',
      [...HEADER, '-- param: end date[start..] End.', 'SELECT ? /* day */, ? /* end */'],
      'parameter "end": the bound "start" is neither a date YYYY-MM-DD nor the name of another date parameter',
    ],
    [
      'a bound naming a parameter of another type',
      [...HEADER, '-- param: n integer[day..] N.', 'SELECT ? /* day */, ? /* n */'],
      'the bound "day" is neither a whole number nor the name of another integer parameter',
    ],
    [
      'a bound naming the parameter itself',
      [...HEADER.slice(0, 2), '-- param: day date[day..] The day.', 'SELECT ? /* day */'],
      'the bound "day" is neither a date YYYY-MM-DD nor the name of another date parameter',
    ],
    ['an unnamed placeholder', [...HEADER, 'SELECT ? /* day */, ?'], 'placeholder #2 must be followed by'],
    ['an undeclared placeholder name', [...HEADER, 'SELECT ? /* day */, ? /* month */'], 'does not declare'],
    ['an unused parameter', [...HEADER, 'SELECT 1'], '"day" is declared but no placeholder uses it'],
    ['no SQL', HEADER, 'no SQL after the header'],
  ])('rejects %s', (_, lines, message) => {
    expect(() => parseSavedQuery(file, lines.join('\n'))).toThrow(SavedQueryFormatError);
    expect(() => parseSavedQuery(file, lines.join('\n'))).toThrow(message);
  });
});

describe('parameter ranges', () => {
  it('reads literal bounds, open ends and bounds naming another parameter', () => {
    const query = parseSavedQuery(
      file,
      [
        ...HEADER,
        '-- param: last date[day..] Last day.',
        '-- param: gap integer[1..1440] Gap.',
        '-- param: top integer[1..] Top.',
        '-- param: since date[2020-01-01..last] A day.',
        '-- param: shift integer[..-1] Shift.',
        'SELECT ? /* day */, ? /* last */, ? /* gap */, ? /* top */, ? /* since */, ? /* shift */',
      ].join('\n'),
    );

    expect(query.parameters.map((p) => [p.name, p.range])).toEqual([
      ['day', undefined],
      ['last', { min: { parameter: 'day' } }],
      ['gap', { min: { value: 1 }, max: { value: 1440 } }],
      ['top', { min: { value: 1 } }],
      ['since', { min: { value: '2020-01-01' }, max: { parameter: 'last' } }],
      ['shift', { max: { value: -1 } }],
    ]);
    expect(query.parameters[2]?.description).toBe('Gap.');
  });
});

describe('placeholderValues', () => {
  it('repeats a value at every placeholder of its parameter', () => {
    const query = parseSavedQuery(
      file,
      [...HEADER, '-- param: n integer N.', 'SELECT ? /* n */, ? /* day */, ? /* n */'].join('\n'),
    );

    expect(
      placeholderValues(
        query,
        new Map<string, string | number>([
          ['day', '2026-11-01'],
          ['n', 3],
        ]),
      ),
    ).toEqual([3, '2026-11-01', 3]);
  });
});

describe('the queries folder', () => {
  const queries = loadSavedQueries();

  it.each(queries.map((q) => [q.name, q]))('%s is fully parameterised', (_, query) => {
    // Every value comes through a placeholder: no template or named-parameter syntax in the SQL.
    expect(query.sql).not.toMatch(/\$\{|:[a-z_]+\b(?!:)|\$\d/);
    expect(query.placeholders.length).toBeGreaterThanOrEqual(query.parameters.length);
  });

  // events_exact is partitioned by event day; the arrival-side queries read raw arrival days.
  it.each(queries.map((q) => [q.name, q]))('%s prunes on a partition column', (_, query) => {
    expect(query.sql).toMatch(
      /\bFROM events_exact\b/.test(query.sql) ? /\bevent_date BETWEEN\b/ : /\bdt (BETWEEN|>=)/,
    );
  });

  it.each(queries.map((q) => [q.name, q]))(
    '%s refuses a reversed date range and counts below 1',
    (_, query) => {
      for (const p of query.parameters) {
        if (p.name === 'end_date') expect(p.range).toEqual({ min: { parameter: 'start_date' } });
        // Every integer parameter counts something (minutes, days, pages): none of them can be 0.
        if (p.type === 'integer') expect(p.range?.min).toEqual({ value: 1 });
      }
    },
  );
});

describe('findSavedQuery', () => {
  const queries = loadSavedQueries();

  it.each([
    ['ctr_by_campaing', 'did you mean ctr_by_campaign?'],
    ['session', 'did you mean sessions?'],
    ['zzz', 'known: advertiser_daily_rollup'],
  ])('suggests names for %s', (name, hint) => {
    expect(() => findSavedQuery(queries, name)).toThrow(`unknown query "${name}": ${hint}`);
  });
});
