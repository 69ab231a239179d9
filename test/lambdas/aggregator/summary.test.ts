import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clickThroughRate,
  conversionRate,
  fromSummaryJson,
  toSummaryJson,
  type WindowSummary,
} from '../../../lambdas/aggregator/summary';
import { WINDOW_MS } from '../../../lambdas/aggregator/windows';

const summary: WindowSummary = {
  advertiserId: 'adv-1',
  windowStart: Date.parse('2026-11-22T10:30:00.000Z'),
  events: 7,
  impressions: 4,
  clicks: 2,
  conversions: 1,
  pageviews: 0,
  uniqueUsers: 3,
  revenue: 12.5,
  cost: 0.3,
  topCampaigns: [{ campaignId: 'c1', events: 5 }],
  lateEvents: 1,
  final: true,
  computedAt: Date.parse('2026-11-22T14:07:00.123Z'),
};

describe('rates', () => {
  it.each([
    [{ clicks: 1, impressions: 4 }, 0.25],
    [{ clicks: 0, impressions: 4 }, 0],
    [{ clicks: 3, impressions: 0 }, null],
    [{ clicks: 0, impressions: 0 }, null],
  ])('ctr of %o is %s', (counts, expected) => {
    expect(clickThroughRate(counts)).toBe(expected);
  });

  it.each([
    [{ conversions: 1, clicks: 2 }, 0.5],
    [{ conversions: 0, clicks: 2 }, 0],
    [{ conversions: 1, clicks: 0 }, null],
  ])('conversion rate of %o is %s', (counts, expected) => {
    expect(conversionRate(counts)).toBe(expected);
  });
});

describe('summary JSON form', () => {
  it('names every field in snake_case with ISO-8601 UTC times', () => {
    expect(toSummaryJson(summary)).toEqual({
      advertiser_id: 'adv-1',
      window_start: '2026-11-22T10:30:00.000Z',
      window_end: '2026-11-22T10:45:00.000Z',
      events: 7,
      impressions: 4,
      clicks: 2,
      conversions: 1,
      pageviews: 0,
      unique_users: 3,
      revenue: 12.5,
      cost: 0.3,
      ctr: 0.5,
      conversion_rate: 0.5,
      top_campaigns: [{ campaign_id: 'c1', events: 5 }],
      late_events: 1,
      final: true,
      computed_at: '2026-11-22T14:07:00.123Z',
    });
  });

  it('reads back exactly what it wrote', () => {
    const count = fc.nat({ max: 1_000_000 });
    const summaries = fc.record({
      advertiserId: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/),
      windowStart: fc.integer({ min: 0, max: 4_000_000 }).map((n) => n * WINDOW_MS),
      events: count,
      impressions: count,
      clicks: count,
      conversions: count,
      pageviews: count,
      uniqueUsers: count,
      revenue: fc.double({ min: 0, max: 1e9, noNaN: true }),
      cost: fc.double({ min: 0, max: 1e9, noNaN: true }),
      topCampaigns: fc.array(fc.record({ campaignId: fc.string({ minLength: 1 }), events: count }), {
        maxLength: 5,
      }),
      lateEvents: count,
      final: fc.boolean(),
      computedAt: fc.integer({ min: 0, max: 4_102_444_799_999 }),
    });
    fc.assert(
      fc.property(summaries, (s) => {
        expect(fromSummaryJson(JSON.parse(JSON.stringify(toSummaryJson(s))))).toEqual(s);
      }),
    );
  });

  it.each([
    ['a non-object', 'x', /must be an object/],
    ['a missing count', { ...toSummaryJson(summary), clicks: undefined }, /clicks must be a number/],
    ['a text count', { ...toSummaryJson(summary), impressions: '4' }, /impressions must be a number/],
    [
      'a bad time',
      { ...toSummaryJson(summary), window_start: 'yesterday' },
      /window_start is not a timestamp/,
    ],
    [
      'campaigns not a list',
      { ...toSummaryJson(summary), top_campaigns: {} },
      /top_campaigns must be an array/,
    ],
  ])('refuses %s, naming the field', (_case, stored, message) => {
    expect(() => fromSummaryJson(stored)).toThrow(message);
  });
});
