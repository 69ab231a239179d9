import { toUtcIso } from '../../contract';
import type { SummaryJson } from '../../contract/summary-json';
import { WINDOW_MS } from './windows';

// The summary JSON is a public contract; its readers on the server side take it from here.
export { SUMMARY_JSON_VERSION, type SummaryJson } from '../../contract/summary-json';

export interface CampaignCount {
  readonly campaignId: string;
  readonly events: number;
}

export interface PageCount {
  readonly urlPath: string;
  readonly pageviews: number;
}

/**
 * Amounts by ISO 4217 currency code: amounts in different currencies are never added. An amount
 * sent without a currency is kept under NO_CURRENCY, never guessed.
 */
export type AmountsByCurrency = Readonly<Record<string, number>>;

/** ISO 4217's code for "no currency": where an amount sent without a `currency` is kept. */
export const NO_CURRENCY = 'XXX';

/** One window's counts as an event index aggregates them. */
export interface WindowAggregate {
  /** Epoch milliseconds; the window is [windowStart, windowStart + 15 min). */
  readonly windowStart: number;
  /** Events of every type in the window, custom types and bots included. */
  readonly events: number;
  /** Billable: events with `is_bot` true are not counted (they are in botImpressions). */
  readonly impressions: number;
  /** Billable: events with `is_bot` true are not counted (they are in botClicks). */
  readonly clicks: number;
  /** Billable: events with `is_bot` true are not counted. */
  readonly conversions: number;
  readonly pageviews: number;
  /** Impressions with `is_bot` true. */
  readonly botImpressions: number;
  /** Clicks with `is_bot` true. */
  readonly botClicks: number;
  /** Distinct `user_id` values (exact locally, HyperLogLog++ on OpenSearch: see docs/summaries.md). */
  readonly uniqueUsers: number;
  /** Sums of `revenue` over billable events, by currency. */
  readonly revenueByCurrency: AmountsByCurrency;
  /** Sums of `cost` over billable events, by currency. */
  readonly costByCurrency: AmountsByCurrency;
  /** Campaigns with the most events, most first, ties by campaign id. */
  readonly topCampaigns: readonly CampaignCount[];
  /** Paths with the most page views, most first, ties by path; as many as topCampaigns keeps. */
  readonly topPages: readonly PageCount[];
}

/** One advertiser's 15-minute window as the core computes it: the counts plus what the run adds. */
export interface WindowSummary extends WindowAggregate {
  readonly advertiserId: string;
  /** Events that ARRIVED during this window after their own window had become final. */
  readonly lateEvents: number;
  /** The window is older than the lateness horizon: later runs no longer change its counts. */
  readonly final: boolean;
  /** When the computation that produced this summary read the event index (epoch ms). */
  readonly computedAt: number;
}

/** Clicks per impression; null when there were no impressions (a rate of nothing is unknown, not 0). */
export function clickThroughRate(summary: Pick<WindowSummary, 'clicks' | 'impressions'>): number | null {
  return summary.impressions === 0 ? null : summary.clicks / summary.impressions;
}

/**
 * Conversions per click in the same window; null when there were no clicks. Not a conversion rate:
 * a window cannot attribute a conversion to a click (it may follow a click of another window), so
 * this may exceed 1. The saved queries compute an attributed conversion_rate.
 */
export function conversionsPerClick(summary: Pick<WindowSummary, 'conversions' | 'clicks'>): number | null {
  return summary.clicks === 0 ? null : summary.conversions / summary.clicks;
}

export function toSummaryJson(summary: WindowSummary): SummaryJson {
  return {
    advertiser_id: summary.advertiserId,
    window_start: toUtcIso(summary.windowStart),
    window_end: toUtcIso(summary.windowStart + WINDOW_MS),
    events: summary.events,
    impressions: summary.impressions,
    clicks: summary.clicks,
    conversions: summary.conversions,
    pageviews: summary.pageviews,
    bot_impressions: summary.botImpressions,
    bot_clicks: summary.botClicks,
    unique_users: summary.uniqueUsers,
    revenue_by_currency: { ...summary.revenueByCurrency },
    cost_by_currency: { ...summary.costByCurrency },
    ctr: clickThroughRate(summary),
    conversions_per_click: conversionsPerClick(summary),
    top_campaigns: summary.topCampaigns.map((c) => ({ campaign_id: c.campaignId, events: c.events })),
    top_pages: summary.topPages.map((p) => ({ url_path: p.urlPath, pageviews: p.pageviews })),
    late_events: summary.lateEvents,
    final: summary.final,
    computed_at: toUtcIso(summary.computedAt),
  };
}

/**
 * A stored summary written in the v1 form (before bots were excluded and revenue kept by
 * currency). It cannot be converted: its counts include bots and its amounts add currencies, and
 * nothing stored says by how much. Its window must be recomputed from the events.
 */
export class OutdatedSummaryError extends TypeError {
  override name = 'OutdatedSummaryError';
  constructor(
    readonly advertiserId: unknown,
    readonly windowStart: unknown,
  ) {
    super(
      `the stored summary of ${String(advertiserId)} at ${String(windowStart)} is in the v1 form (bots counted, ` +
        'currencies added together), which cannot be converted; recompute its window from the events',
    );
  }
}

/**
 * Reads a stored summary back. Stores hold what toSummaryJson wrote; a value of the wrong type
 * (a hand-edited file, a foreign item) fails loudly, naming the field, and a v1 summary throws
 * OutdatedSummaryError.
 */
export function fromSummaryJson(value: unknown): WindowSummary {
  if (typeof value !== 'object' || value === null) throw new TypeError('a stored summary must be an object');
  const json = value as Record<string, unknown>;
  if (isV1Summary(json)) throw new OutdatedSummaryError(json.advertiser_id, json.window_start);
  const text = (key: string) => field(json, key, 'string') as string;
  const count = (key: string) => field(json, key, 'number') as number;
  const list = (key: string) => {
    const entries = json[key];
    if (!Array.isArray(entries)) throw new TypeError(`stored summary field ${key} must be an array`);
    return entries.map((entry: unknown) => (entry ?? {}) as Record<string, unknown>);
  };
  return {
    advertiserId: text('advertiser_id'),
    windowStart: isoMillis(text('window_start'), 'window_start'),
    events: count('events'),
    impressions: count('impressions'),
    clicks: count('clicks'),
    conversions: count('conversions'),
    pageviews: count('pageviews'),
    botImpressions: count('bot_impressions'),
    botClicks: count('bot_clicks'),
    uniqueUsers: count('unique_users'),
    revenueByCurrency: amounts(json, 'revenue_by_currency'),
    costByCurrency: amounts(json, 'cost_by_currency'),
    topCampaigns: list('top_campaigns').map((campaign) => ({
      campaignId: field(campaign, 'campaign_id', 'string') as string,
      events: field(campaign, 'events', 'number') as number,
    })),
    topPages: list('top_pages').map((page) => ({
      urlPath: field(page, 'url_path', 'string') as string,
      pageviews: field(page, 'pageviews', 'number') as number,
    })),
    lateEvents: count('late_events'),
    final: field(json, 'final', 'boolean') as boolean,
    computedAt: isoMillis(text('computed_at'), 'computed_at'),
  };
}

/** v1 held `revenue` and `cost` as numbers and had no bot counts. */
function isV1Summary(json: Record<string, unknown>): boolean {
  return typeof json.revenue === 'number' && !('bot_impressions' in json);
}

function amounts(json: Record<string, unknown>, key: string): AmountsByCurrency {
  const value = json[key];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`stored summary field ${key} must be an object of amounts by currency`);
  }
  for (const [currency, amount] of Object.entries(value)) {
    if (typeof amount !== 'number')
      throw new TypeError(`stored summary field ${key}.${currency} must be a number`);
  }
  return value as AmountsByCurrency;
}

function field(json: Record<string, unknown>, key: string, type: 'string' | 'number' | 'boolean'): unknown {
  const value = json[key];
  if (typeof value !== type) throw new TypeError(`stored summary field ${key} must be a ${type}`);
  return value;
}

function isoMillis(text: string, key: string): number {
  const millis = Date.parse(text);
  if (Number.isNaN(millis)) throw new TypeError(`stored summary field ${key} is not a timestamp: ${text}`);
  return millis;
}
