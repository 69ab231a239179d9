import { describe, expect, it } from 'vitest';
import { summaryTable } from '../../cli/summary-table';
import { toSummaryJson } from '../../lambdas/aggregator/summary';

const now = Date.parse('2026-11-22T12:00:00.000Z');

const json = toSummaryJson({
  advertiserId: 'adv-1',
  windowStart: Date.parse('2026-11-22T10:00:00Z'),
  events: 3,
  impressions: 0,
  clicks: 2,
  conversions: 1,
  pageviews: 0,
  botImpressions: 5,
  botClicks: 1,
  uniqueUsers: 2,
  revenueByCurrency: { EUR: 9.5, JPY: 300 },
  costByCurrency: {},
  topCampaigns: [],
  topPages: [],
  lateEvents: 4,
  final: true,
  computedAt: now,
});

describe('summary table', () => {
  it('prints the scalar fields of the JSON form, amounts by currency as text, null rates and no amounts as nulls', () => {
    const table = summaryTable([json]);

    expect(table.columns.map((c) => c.name)).toEqual([
      'advertiser_id',
      'window_start',
      'events',
      'impressions',
      'clicks',
      'conversions',
      'pageviews',
      'bot_impressions',
      'bot_clicks',
      'unique_users',
      'revenue_by_currency',
      'cost_by_currency',
      'ctr',
      'conversions_per_click',
      'late_events',
      'final',
    ]);
    expect(table.rows).toEqual([
      [
        'adv-1',
        '2026-11-22T10:00:00.000Z',
        '3',
        '0',
        '2',
        '1',
        '0',
        '5',
        '1',
        '2',
        '9.5 EUR; 300 JPY',
        null,
        null,
        '0.5',
        '4',
        'true',
      ],
    ]);
  });

  it('prints only the columns asked for, in their order, with their kinds', () => {
    const table = summaryTable([json], ['window_start', 'ctr', 'final', 'clicks']);

    expect(table.columns).toEqual([
      { name: 'window_start', kind: 'text' },
      { name: 'ctr', kind: 'decimal' },
      { name: 'final', kind: 'boolean' },
      { name: 'clicks', kind: 'integer' },
    ]);
    expect(table.rows).toEqual([['2026-11-22T10:00:00.000Z', null, 'true', '2']]);
  });
});
