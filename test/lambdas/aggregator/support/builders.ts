import type { WindowAggregate, WindowSummary } from '../../../../lambdas/aggregator/summary';

/** A window's counts: zeros unless told. */
export function windowAggregate(windowStart: number, fields: Partial<WindowAggregate> = {}): WindowAggregate {
  return {
    windowStart,
    events: 0,
    impressions: 0,
    clicks: 0,
    conversions: 0,
    pageviews: 0,
    botImpressions: 0,
    botClicks: 0,
    uniqueUsers: 0,
    revenueByCurrency: {},
    costByCurrency: {},
    topCampaigns: [],
    topPages: [],
    ...fields,
  };
}

/** A provisional summary without late events, zeros unless told. */
export function windowSummary(
  fields: Partial<WindowSummary> & Pick<WindowSummary, 'advertiserId' | 'windowStart' | 'computedAt'>,
): WindowSummary {
  return { ...windowAggregate(fields.windowStart), lateEvents: 0, final: false, ...fields };
}
