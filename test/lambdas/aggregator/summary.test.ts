import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clickThroughRate,
  conversionsPerClick,
  fromSummaryJson,
  OutdatedSummaryError,
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
  botImpressions: 6,
  botClicks: 1,
  uniqueUsers: 3,
  revenueByCurrency: { EUR: 12.5, JPY: 300 },
  costByCurrency: { EUR: 0.3 },
  topCampaigns: [{ campaignId: 'c1', events: 5 }],
  topPages: [{ urlPath: '/home', pageviews: 2 }],
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
    [{ conversions: 4, clicks: 2 }, 2],
    [{ conversions: 1, clicks: 0 }, null],
  ])('conversions per click of %o is %s (may exceed 1)', (counts, expected) => {
    expect(conversionsPerClick(counts)).toBe(expected);
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
      bot_impressions: 6,
      bot_clicks: 1,
      unique_users: 3,
      revenue_by_currency: { EUR: 12.5, JPY: 300 },
      cost_by_currency: { EUR: 0.3 },
      ctr: 0.5,
      conversions_per_click: 0.5,
      top_campaigns: [{ campaign_id: 'c1', events: 5 }],
      top_pages: [{ url_path: '/home', pageviews: 2 }],
      late_events: 1,
      final: true,
      computed_at: '2026-11-22T14:07:00.123Z',
    });
  });

  it('reads back exactly what it wrote', () => {
    const count = fc.nat({ max: 1_000_000 });
    const amounts = fc.dictionary(
      fc.stringMatching(/^[A-Z]{3}$/),
      fc.double({ min: 0, max: 1e9, noNaN: true }),
    );
    const summaries = fc.record({
      advertiserId: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/),
      windowStart: fc.integer({ min: 0, max: 4_000_000 }).map((n) => n * WINDOW_MS),
      events: count,
      impressions: count,
      clicks: count,
      conversions: count,
      pageviews: count,
      botImpressions: count,
      botClicks: count,
      uniqueUsers: count,
      revenueByCurrency: amounts,
      costByCurrency: amounts,
      topCampaigns: fc.array(fc.record({ campaignId: fc.string({ minLength: 1 }), events: count }), {
        maxLength: 5,
      }),
      topPages: fc.array(fc.record({ urlPath: fc.string({ minLength: 1 }), pageviews: count }), {
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
    ['pages not a list', { ...toSummaryJson(summary), top_pages: undefined }, /top_pages must be an array/],
    [
      'amounts not an object',
      { ...toSummaryJson(summary), revenue_by_currency: 12.5 },
      /revenue_by_currency must be an object/,
    ],
    [
      'an amount not a number',
      { ...toSummaryJson(summary), cost_by_currency: { EUR: '0.3' } },
      /cost_by_currency.EUR must be a number/,
    ],
  ])('refuses %s, naming the field', (_case, stored, message) => {
    expect(() => fromSummaryJson(stored)).toThrow(message);
  });
});

describe('a stored v1 summary', () => {
  // As version 1 wrote it: bots counted, revenue and cost added across currencies.
  const v1 = {
    advertiser_id: 'adv-1',
    window_start: '2026-11-22T10:30:00.000Z',
    window_end: '2026-11-22T10:45:00.000Z',
    events: 7,
    impressions: 4,
    clicks: 2,
    conversions: 1,
    pageviews: 0,
    unique_users: 3,
    revenue: 200,
    cost: 0.3,
    ctr: 0.5,
    conversion_rate: 0.5,
    top_campaigns: [],
    late_events: 0,
    final: true,
    computed_at: '2026-11-22T14:07:00.123Z',
  };

  it('is refused with OutdatedSummaryError naming its window, never converted', () => {
    expect(() => fromSummaryJson(v1)).toThrow(OutdatedSummaryError);
    expect(() => fromSummaryJson(v1)).toThrow(/adv-1 at 2026-11-22T10:30:00.000Z is in the v1 form/);
  });
});
