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
  uniqueUsers: 2,
  revenue: 9.5,
  cost: 0,
  topCampaigns: [],
  lateEvents: 4,
  final: true,
  computedAt: now,
});

describe('summary table', () => {
  it('prints the scalar fields of the JSON form, null rates as nulls', () => {
    const table = summaryTable([json]);

    expect(table.columns.map((c) => c.name)).toEqual([
      'advertiser_id',
      'window_start',
      'events',
      'impressions',
      'clicks',
      'conversions',
      'pageviews',
      'unique_users',
      'revenue',
      'cost',
      'ctr',
      'conversion_rate',
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
        '2',
        '9.5',
        '0',
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
