import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  currenciesOf,
  mergeWindow,
  type Summary,
  topOverRange,
  totalsOf,
  WINDOW_MS,
} from '../../dashboard/src/summary';

const BASE = Date.parse('2026-11-22T08:00:00Z');

function summary(index: number, overrides: Partial<Summary> = {}): Summary {
  const start = BASE + index * WINDOW_MS;
  return {
    advertiser_id: 'adv-1',
    window_start: new Date(start).toISOString(),
    window_end: new Date(start + WINDOW_MS).toISOString(),
    events: 0,
    impressions: 0,
    clicks: 0,
    conversions: 0,
    pageviews: 0,
    bot_impressions: 0,
    bot_clicks: 0,
    unique_users: 0,
    revenue_by_currency: {},
    cost_by_currency: {},
    ctr: null,
    conversions_per_click: null,
    top_campaigns: [],
    top_pages: [],
    late_events: 0,
    final: true,
    computed_at: '2026-11-22T12:00:00.000Z',
    ...overrides,
  };
}

describe('mergeWindow', () => {
  it('inserts a new window in start order', () => {
    const merged = mergeWindow([summary(0), summary(2)], summary(1, { impressions: 5 }));
    expect(merged.map((w) => w.window_start)).toEqual([0, 1, 2].map((i) => summary(i).window_start));
  });

  it('replaces a window with a newer computation and keeps it against an older one', () => {
    const stored = summary(1, { impressions: 5, computed_at: '2026-11-22T12:00:05.000Z' });
    const older = summary(1, { impressions: 4, computed_at: '2026-11-22T12:00:00.000Z' });
    const newer = summary(1, { impressions: 6, computed_at: '2026-11-22T12:00:10.000Z' });
    expect(mergeWindow([stored], older)).toEqual([stored]);
    expect(mergeWindow([stored], newer)).toEqual([newer]);
  });

  it('keeps one window per start, sorted, whatever order the pushes come in', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 100 }))),
        (pushes) => {
          let windows: Summary[] = [];
          for (const [index, second] of pushes) {
            windows = mergeWindow(
              windows,
              summary(index, { computed_at: new Date(BASE + second * 1000).toISOString() }),
            );
          }
          const starts = windows.map((w) => Date.parse(w.window_start));
          expect(starts).toEqual(
            [...new Set(pushes.map(([i]) => BASE + i * WINDOW_MS))].sort((a, b) => a - b),
          );
          // Each window holds its latest computation.
          for (const w of windows) {
            const index = (Date.parse(w.window_start) - BASE) / WINDOW_MS;
            const latest = Math.max(...pushes.filter(([i]) => i === index).map(([, s]) => s));
            expect(Date.parse(w.computed_at)).toBe(BASE + latest * 1000);
          }
        },
      ),
    );
  });
});

describe('totalsOf', () => {
  it('sums counts, keeps currencies apart and takes the CTR of the sums', () => {
    const totals = totalsOf([
      summary(0, { impressions: 10, clicks: 1, late_events: 2, revenue_by_currency: { USD: 5 } }),
      summary(1, { impressions: 30, clicks: 5, final: false, revenue_by_currency: { USD: 1.5, EUR: 2 } }),
    ]);
    expect(totals).toMatchObject({
      windows: 2,
      provisionalWindows: 1,
      impressions: 40,
      clicks: 6,
      lateEvents: 2,
    });
    expect(totals.ctr).toBeCloseTo(6 / 40);
    expect(totals.revenueByCurrency).toEqual({ USD: 6.5, EUR: 2 });
  });

  it('has no CTR without impressions', () => {
    expect(totalsOf([summary(0, { clicks: 3 })]).ctr).toBeNull();
    expect(totalsOf([]).ctr).toBeNull();
  });

  it('lists every currency once, in code order', () => {
    expect(
      currenciesOf([
        summary(0, { revenue_by_currency: { USD: 1, EUR: 1 } }),
        summary(1, { revenue_by_currency: { GBP: 1 } }),
      ]),
    ).toEqual(['EUR', 'GBP', 'USD']);
  });
});

describe('topOverRange', () => {
  it('sums each window’s top list, most first, ties by key, up to the limit', () => {
    const windows = [
      summary(0, {
        top_campaigns: [
          { campaign_id: 'b', events: 3 },
          { campaign_id: 'a', events: 1 },
        ],
      }),
      summary(1, {
        top_campaigns: [
          { campaign_id: 'a', events: 2 },
          { campaign_id: 'c', events: 1 },
        ],
      }),
    ];
    expect(topOverRange(windows, 'top_campaigns', 10)).toEqual([
      { key: 'a', count: 3 },
      { key: 'b', count: 3 },
      { key: 'c', count: 1 },
    ]);
    expect(topOverRange(windows, 'top_campaigns', 1)).toEqual([{ key: 'a', count: 3 }]);
  });

  it('ranks pages by page views', () => {
    const windows = [
      summary(0, { top_pages: [{ url_path: '/p', pageviews: 2 }] }),
      summary(1, { top_pages: [{ url_path: '/p', pageviews: 1 }] }),
    ];
    expect(topOverRange(windows, 'top_pages', 10)).toEqual([{ key: '/p', count: 3 }]);
  });

  it('keeps the total of every list entry, for any windows', () => {
    const entry = fc.record({
      campaign_id: fc.constantFrom('a', 'b', 'c', 'd'),
      events: fc.integer({ min: 1, max: 50 }),
    });
    fc.assert(
      fc.property(fc.array(fc.array(entry, { maxLength: 4 }), { maxLength: 10 }), (lists) => {
        const windows = lists.map((top_campaigns, i) => summary(i, { top_campaigns }));
        const ranked = topOverRange(windows, 'top_campaigns', 100);
        expect(ranked.reduce((sum, r) => sum + r.count, 0)).toBe(
          lists.flat().reduce((sum, c) => sum + c.events, 0),
        );
        for (let i = 1; i < ranked.length; i++)
          expect(ranked[i - 1]!.count).toBeGreaterThanOrEqual(ranked[i]!.count);
      }),
    );
  });
});
