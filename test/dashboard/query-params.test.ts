import { describe, expect, it } from 'vitest';
import { loadSavedQueries } from '../../analytics/catalog';
import { parseParameterValues } from '../../analytics/parameters';
import {
  inputRules,
  parseParameter,
  type QueryParameter,
  rangeHint,
  type SavedQueryInfo,
} from '../../dashboard/src/query-params';

const START: QueryParameter = { name: 'start_date', type: 'date', description: 'First day.' };
const END: QueryParameter = {
  name: 'end_date',
  type: 'date',
  description: 'Last day.',
  range: { min: { parameter: 'start_date' } },
};
const GAP: QueryParameter = {
  name: 'gap_minutes',
  type: 'integer',
  description: 'Gap.',
  range: { min: { value: 1 }, max: { value: 1440 } },
};

describe('inputRules', () => {
  it('gives each type its input, and bounds from values or from the other parameter', () => {
    expect(inputRules(GAP, new Map())).toEqual({ type: 'number', step: '1', min: '1', max: '1440' });
    expect(inputRules(END, new Map([['start_date', '2026-11-20']]))).toEqual({
      type: 'date',
      min: '2026-11-20',
    });
    expect(inputRules(END, new Map([['start_date', '']]))).toEqual({ type: 'date' });
    expect(inputRules({ name: 'k', type: 'string', description: '' }, new Map())).toEqual({
      type: 'text',
      maxLength: 1024,
    });
  });
});

describe('parseParameter', () => {
  const texts = new Map([['start_date', '2026-11-20']]);
  it.each([
    [START, '2026-11-20', { value: '2026-11-20' }],
    [START, '2026-02-30', { error: 'start_date must be a date YYYY-MM-DD.' }],
    [START, '', { error: 'Enter start_date.' }],
    [END, '2026-11-19', { error: 'end_date must be on or after start_date (2026-11-20).' }],
    [END, '2026-11-20', { value: '2026-11-20' }],
    [GAP, '30', { value: 30 }],
    [GAP, '2.5', { error: 'gap_minutes must be a whole number.' }],
    [GAP, '0', { error: 'gap_minutes must be at least 1.' }],
    [GAP, '1441', { error: 'gap_minutes must be at most 1440.' }],
  ])('%o %j', (p, text, expected) => {
    expect(parseParameter(p, text, texts)).toEqual(expected);
  });

  it('accepts what the server accepts for every saved query’s parameters (valid sample values)', () => {
    for (const query of loadSavedQueries()) {
      const info: SavedQueryInfo = query;
      const sample = new Map(
        info.parameters.map((p) => [
          p.name,
          p.type === 'date' ? '2026-11-20' : p.type === 'integer' ? '30' : 'plan',
        ]),
      );
      for (const p of info.parameters)
        expect(parseParameter(p, sample.get(p.name)!, sample)).toHaveProperty('value');
      expect(() =>
        parseParameterValues(
          query,
          [...sample].map(([k, v]) => `${k}=${v}`),
        ),
      ).not.toThrow();
    }
  });
});

describe('rangeHint', () => {
  it('says the range in words', () => {
    expect(rangeHint(GAP)).toBe('from 1 to 1440');
    expect(rangeHint(END)).toBe('on or after start_date');
    expect(rangeHint(START)).toBe('');
  });
});
