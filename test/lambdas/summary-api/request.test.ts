import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePageToken, encodePageToken } from '../../../lambdas/summary-api/page-token';
import { parseSummaryRequest } from '../../../lambdas/summary-api/request';

const now = Date.parse('2026-11-22T12:07:00.000Z');
const T = (iso: string) => Date.parse(iso);

describe('parseSummaryRequest', () => {
  it('defaults to the last day before now, 100 per page', () => {
    expect(parseSummaryRequest('adv-1', {}, now)).toEqual({
      ok: true,
      query: { advertiserId: 'adv-1', range: { from: now - 86_400_000, to: now }, limit: 100 },
    });
  });

  it('reads times with any offset, a limit and a next token', () => {
    const next = encodePageToken(T('2026-11-20T10:00:00Z'));

    const parsed = parseSummaryRequest(
      'adv-1',
      { from: '2026-11-20T01:00:00+01:00', to: '2026-11-21T00:00:00Z', limit: '500', next },
      now,
    );

    expect(parsed).toEqual({
      ok: true,
      query: {
        advertiserId: 'adv-1',
        range: { from: T('2026-11-20T00:00:00Z'), to: T('2026-11-21T00:00:00Z') },
        limit: 500,
        after: T('2026-11-20T10:00:00Z'),
      },
    });
  });

  it.each([
    ['an id with a slash', 'a/b', {}, /advertiserId "a\/b" is not an advertiser id/],
    ['an id of 65 characters', 'a'.repeat(65), {}, /is not an advertiser id/],
    ['no id', undefined, {}, /advertiserId "" is not an advertiser id/],
    ['a date without time', 'a', { from: '2026-11-20' }, /from "2026-11-20" is not an ISO-8601 time/],
    [
      'a time without offset',
      'a',
      { to: '2026-11-20T10:00:00' },
      /to "2026-11-20T10:00:00" is not an ISO-8601/,
    ],
    ['epoch millis', 'a', { to: '1795349220000' }, /is not an ISO-8601 time/],
    ['from after to', 'a', { from: '2026-11-21T00:00:00Z', to: '2026-11-20T00:00:00Z' }, /must be before to/],
    [
      'from equal to to',
      'a',
      { from: '2026-11-21T00:00:00Z', to: '2026-11-21T00:00:00Z' },
      /must be before to/,
    ],
    ['32 days', 'a', { from: '2026-10-01T00:00:00Z', to: '2026-11-02T00:00:00Z' }, /at most 31 days/],
    ['a limit of 0', 'a', { limit: '0' }, /limit "0" must be an integer from 1 to 500/],
    ['a limit of 501', 'a', { limit: '501' }, /limit "501"/],
    ['a fractional limit', 'a', { limit: '2.5' }, /limit "2.5"/],
    ['a foreign token', 'a', { next: 'bm90IGEgdG9rZW4' }, /next is not a page token/],
    [
      'a token outside the range',
      'a',
      { next: encodePageToken(T('2020-01-01T00:00:00Z')) },
      /next is not a page token/,
    ],
    ['a misspelt parameter', 'a', { form: '2026-11-20T00:00:00Z' }, /unknown query parameter\(s\) form/],
  ])('refuses %s with a message naming it', (_case, id, parameters, message) => {
    const parsed = parseSummaryRequest(id, parameters, now);

    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.message).toMatch(message);
  });

  it('accepts exactly 31 days', () => {
    const parsed = parseSummaryRequest(
      'a',
      { from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z' },
      now,
    );

    expect(parsed.ok).toBe(true);
  });
});

describe('page tokens', () => {
  it('decode to the window they were made from', () => {
    fc.assert(
      fc.property(fc.integer({ min: T('2000-01-01T00:00:00Z'), max: T('2099-12-31T00:00:00Z') }), (after) => {
        expect(decodePageToken(encodePageToken(after))).toBe(after);
      }),
    );
  });

  it('decode anything else to nothing', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const decoded = decodePageToken(text);
        expect(decoded === undefined || Number.isFinite(decoded)).toBe(true);
      }),
    );
  });
});
