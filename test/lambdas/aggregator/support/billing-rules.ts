import fc from 'fast-check';
import { expect } from 'vitest';
import type { StoredEvent } from '../../../../contract';
import { NO_CURRENCY, type SummaryJson } from '../../../../lambdas/aggregator/summary';
import { WINDOW_MS, windowStartOf } from '../../../../lambdas/aggregator/windows';
import { SCENARIO_NOW } from './scenarios';

// Random event sets for the rules every event index must keep in the summaries: billable counts
// never include bots, amounts are summed per currency only, conversions_per_click is
// conversions / clicks. Events fall in the windows a scenario run recomputes (10:30..12:00 at
// 12:07) and arrive 30 s after their event time, so none is late.

const FIRST_WINDOW = Date.parse('2026-11-22T10:30:00.000Z');
const WINDOWS = Math.floor((SCENARIO_NOW - FIRST_WINDOW) / WINDOW_MS);

// Quarters add up exactly in binary floating point, so the truth and both indices agree exactly.
const amount = fc.integer({ min: 0, max: 400_000 }).map((n) => n / 4);

const randomEvent = fc.record(
  {
    advertiser: fc.constantFrom('p1', 'p2'),
    type: fc.constantFrom('impression', 'click', 'conversion', 'pageview', 'video_play'),
    offset: fc.integer({ min: 0, max: WINDOWS * WINDOW_MS - 1 }),
    bot: fc.constantFrom(true, false, undefined),
    currency: fc.constantFrom('USD', 'EUR', 'JPY', undefined),
    revenue: fc.option(amount, { nil: undefined }),
    cost: fc.option(amount, { nil: undefined }),
    path: fc.constantFrom('/a', '/b', '/c', undefined),
  },
  { requiredKeys: ['advertiser', 'type', 'offset'] },
);

/** 1 to 80 events with unique ids, as delivered once each. */
export const randomEventSets: fc.Arbitrary<StoredEvent[]> = fc
  .array(randomEvent, { minLength: 1, maxLength: 80 })
  .map((drawn) =>
    drawn.map((e, i) => {
      const time = FIRST_WINDOW + e.offset;
      return {
        event_id: `rule-${i}`,
        event_type: e.type,
        advertiser_id: e.advertiser,
        event_time: new Date(time).toISOString(),
        received_at: new Date(time + 30_000).toISOString(),
        ...(e.bot === undefined ? {} : { is_bot: e.bot }),
        ...(e.currency === undefined ? {} : { currency: e.currency }),
        ...(e.revenue === undefined ? {} : { revenue: e.revenue }),
        ...(e.cost === undefined ? {} : { cost: e.cost }),
        ...(e.path === undefined ? {} : { url_path: e.path }),
      };
    }),
  );

interface Truth {
  impressions: number;
  clicks: number;
  conversions: number;
  bot_impressions: number;
  bot_clicks: number;
  revenue_by_currency: Record<string, number>;
  cost_by_currency: Record<string, number>;
}

/** What each advertiser's window must show, counted from the events one by one. */
function truthOf(events: readonly StoredEvent[]): Map<string, Truth> {
  const truth = new Map<string, Truth>();
  for (const event of events) {
    const key = `${event.advertiser_id} ${windowStartOf(Date.parse(event.event_time))}`;
    const window = truth.get(key) ?? {
      impressions: 0,
      clicks: 0,
      conversions: 0,
      bot_impressions: 0,
      bot_clicks: 0,
      revenue_by_currency: {},
      cost_by_currency: {},
    };
    truth.set(key, window);
    const bot = event.is_bot === true;
    const type = event.event_type;
    if (type === 'impression') window[bot ? 'bot_impressions' : 'impressions'] += 1;
    if (type === 'click') window[bot ? 'bot_clicks' : 'clicks'] += 1;
    if (type === 'conversion' && !bot) window.conversions += 1;
    if (bot) continue;
    const currency = event.currency ?? NO_CURRENCY;
    if (event.revenue !== undefined) {
      window.revenue_by_currency[currency] = (window.revenue_by_currency[currency] ?? 0) + event.revenue;
    }
    if (event.cost !== undefined) {
      window.cost_by_currency[currency] = (window.cost_by_currency[currency] ?? 0) + event.cost;
    }
  }
  return truth;
}

/** Asserts the billing rules of `summaries`, computed from `events`. */
export function expectBillingRules(events: readonly StoredEvent[], summaries: readonly SummaryJson[]): void {
  const truth = truthOf(events);
  expect(summaries.map((s) => `${s.advertiser_id} ${Date.parse(s.window_start)}`).sort()).toEqual(
    [...truth.keys()].sort(),
  );
  for (const summary of summaries) {
    const want = truth.get(`${summary.advertiser_id} ${Date.parse(summary.window_start)}`);
    expect({
      impressions: summary.impressions,
      clicks: summary.clicks,
      conversions: summary.conversions,
      bot_impressions: summary.bot_impressions,
      bot_clicks: summary.bot_clicks,
      revenue_by_currency: summary.revenue_by_currency,
      cost_by_currency: summary.cost_by_currency,
    }).toEqual(want);
    expect(summary.conversions_per_click).toBe(
      summary.clicks === 0 ? null : summary.conversions / summary.clicks,
    );
    expect(summary.ctr).toBe(summary.impressions === 0 ? null : summary.clicks / summary.impressions);
  }
}
