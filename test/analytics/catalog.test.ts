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
    ['an unnamed placeholder', [...HEADER, 'SELECT ? /* day */, ?'], 'placeholder #2 must be followed by'],
    ['an undeclared placeholder name', [...HEADER, 'SELECT ? /* day */, ? /* month */'], 'does not declare'],
    ['an unused parameter', [...HEADER, 'SELECT 1'], '"day" is declared but no placeholder uses it'],
    ['no SQL', HEADER, 'no SQL after the header'],
  ])('rejects %s', (_, lines, message) => {
    expect(() => parseSavedQuery(file, lines.join('\n'))).toThrow(SavedQueryFormatError);
    expect(() => parseSavedQuery(file, lines.join('\n'))).toThrow(message);
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

  it.each(queries.map((q) => [q.name, q]))('%s prunes on the arrival-day partition', (_, query) => {
    expect(query.sql).toMatch(/\bdt BETWEEN\b/);
  });
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
