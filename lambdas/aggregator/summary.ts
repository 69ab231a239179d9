import { toUtcIso } from '../../contract';
import { WINDOW_MS } from './windows';

export interface CampaignCount {
  readonly campaignId: string;
  readonly events: number;
}

/** One window's counts as an event index aggregates them. */
export interface WindowAggregate {
  /** Epoch milliseconds; the window is [windowStart, windowStart + 15 min). */
  readonly windowStart: number;
  /** Events of every type in the window, custom types included. */
  readonly events: number;
  readonly impressions: number;
  readonly clicks: number;
  readonly conversions: number;
  readonly pageviews: number;
  /** Distinct `user_id` values (exact locally, HyperLogLog++ on OpenSearch: see docs/summaries.md). */
  readonly uniqueUsers: number;
  readonly revenue: number;
  readonly cost: number;
  /** Campaigns with the most events, most first, ties by campaign id. */
  readonly topCampaigns: readonly CampaignCount[];
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

/** Conversions per click; null when there were no clicks. */
export function conversionRate(summary: Pick<WindowSummary, 'conversions' | 'clicks'>): number | null {
  return summary.clicks === 0 ? null : summary.conversions / summary.clicks;
}

/**
 * The summary's public JSON form: the API's response items, the CLI's `--format json` output, and
 * the stored form (DynamoDB items and the local files), so every reader sees the same fields.
 */
export interface SummaryJson {
  advertiser_id: string;
  window_start: string;
  window_end: string;
  events: number;
  impressions: number;
  clicks: number;
  conversions: number;
  pageviews: number;
  unique_users: number;
  revenue: number;
  cost: number;
  ctr: number | null;
  conversion_rate: number | null;
  top_campaigns: { campaign_id: string; events: number }[];
  late_events: number;
  final: boolean;
  computed_at: string;
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
    unique_users: summary.uniqueUsers,
    revenue: summary.revenue,
    cost: summary.cost,
    ctr: clickThroughRate(summary),
    conversion_rate: conversionRate(summary),
    top_campaigns: summary.topCampaigns.map((c) => ({ campaign_id: c.campaignId, events: c.events })),
    late_events: summary.lateEvents,
    final: summary.final,
    computed_at: toUtcIso(summary.computedAt),
  };
}

/**
 * Reads a stored summary back. Stores hold what toSummaryJson wrote; a value of the wrong type
 * (a hand-edited file, a foreign item) fails loudly, naming the field.
 */
export function fromSummaryJson(value: unknown): WindowSummary {
  if (typeof value !== 'object' || value === null) throw new TypeError('a stored summary must be an object');
  const json = value as Record<string, unknown>;
  const text = (key: string) => field(json, key, 'string') as string;
  const count = (key: string) => field(json, key, 'number') as number;
  const campaigns = json.top_campaigns;
  if (!Array.isArray(campaigns)) throw new TypeError('stored summary field top_campaigns must be an array');
  return {
    advertiserId: text('advertiser_id'),
    windowStart: isoMillis(text('window_start'), 'window_start'),
    events: count('events'),
    impressions: count('impressions'),
    clicks: count('clicks'),
    conversions: count('conversions'),
    pageviews: count('pageviews'),
    uniqueUsers: count('unique_users'),
    revenue: count('revenue'),
    cost: count('cost'),
    topCampaigns: campaigns.map((entry: unknown) => {
      const campaign = (entry ?? {}) as Record<string, unknown>;
      return {
        campaignId: field(campaign, 'campaign_id', 'string') as string,
        events: field(campaign, 'events', 'number') as number,
      };
    }),
    lateEvents: count('late_events'),
    final: field(json, 'final', 'boolean') as boolean,
    computedAt: isoMillis(text('computed_at'), 'computed_at'),
  };
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
