import { toUtcIso } from '../../../contract';
import type { AdvertiserAggregationRequest } from '../ports';
import { NO_CURRENCY } from '../summary';
import { type TimeRange, WINDOW_MS } from '../windows';

/** Workers read the event-day indices only (never `incoming-*`, where duplicates may still sit). */
export const EVENTS_INDEX_PATTERN = 'events-*';

/**
 * Distinct user ids are counted exactly (up to hash collisions) below this many per window, and
 * within a few percent above it. 10,000 costs about 80 KB of memory per window bucket.
 */
export const UNIQUE_USERS_PRECISION_THRESHOLD = 10_000;

/**
 * Distinct currencies a window's amounts are grouped by: every code the contract's `^[A-Z]{3}$`
 * allows (26³), so no currency can fall outside the buckets. Buckets exist only for codes present.
 */
export const CURRENCY_BUCKETS = 26 ** 3;

const BOT = { term: { is_bot: true } };
const eventType = (type: string) => ({ term: { event_type: type } });
// An event without is_bot (no user agent, or an untransformed record) is billable.
const billable = (filter: object) => ({ bool: { filter: [filter], must_not: [BOT] } });

/** The named counts of a window: billable ad events, page views (bots included), bot ad events. */
const COUNTS = {
  impressions: billable(eventType('impression')),
  clicks: billable(eventType('click')),
  conversions: billable(eventType('conversion')),
  pageviews: eventType('pageview'),
  bot_impressions: { bool: { filter: [eventType('impression'), BOT] } },
  bot_clicks: { bool: { filter: [eventType('click'), BOT] } },
} as const;
export type CountName = keyof typeof COUNTS;

/**
 * Sums of one money field over billable events that carry it, by currency: an amount without a
 * currency goes to NO_CURRENCY (`missing`), so two currencies are never added together.
 */
function amountsByCurrency(field: 'revenue' | 'cost'): object {
  return {
    filter: billable({ exists: { field } }),
    aggs: {
      currencies: {
        terms: { field: 'currency', missing: NO_CURRENCY, size: CURRENCY_BUCKETS },
        aggs: { amount: { sum: { field } } },
      },
    },
  };
}

function isoRange(range: TimeRange): { gte: string; lt: string } {
  return { gte: toUtcIso(range.from), lt: toUtcIso(range.to) };
}

/** Events whose event time or arrival lies in the range (late arrivals belong to the run too). */
function activeIn(range: TimeRange): object {
  return {
    bool: {
      should: [{ range: { event_time: isoRange(range) } }, { range: { received_at: isoRange(range) } }],
      minimum_should_match: 1,
    },
  };
}

/** One page of a composite aggregation over advertiser ids: pages follow `after_key`, any count works. */
export function listAdvertisersBody(range: TimeRange, size: number, after?: string): object {
  return {
    size: 0,
    track_total_hits: false,
    query: { bool: { filter: [activeIn(range)] } },
    aggs: {
      advertisers: {
        composite: {
          size,
          sources: [{ advertiser_id: { terms: { field: 'advertiser_id' } } }],
          ...(after === undefined ? {} : { after: { advertiser_id: after } }),
        },
      },
    },
  };
}

/**
 * The single request a worker sends per advertiser: 15-minute windows of event_time with their
 * metrics, plus the late arrivals per arrival window (a named filter each, as "late" compares an
 * event's time with its own arrival window's start).
 */
export function aggregateAdvertiserBody(request: AdvertiserAggregationRequest): object {
  const { windows, horizonMs } = request;
  const lateArrivals: Record<string, object> = {};
  for (let start = windows.from; start < windows.to; start += WINDOW_MS) {
    lateArrivals[toUtcIso(start)] = {
      bool: {
        filter: [
          { range: { received_at: isoRange({ from: start, to: start + WINDOW_MS }) } },
          { range: { event_time: { lt: toUtcIso(start - horizonMs) } } },
        ],
      },
    };
  }
  return {
    size: 0,
    track_total_hits: false,
    query: { bool: { filter: [{ term: { advertiser_id: request.advertiserId } }, activeIn(windows)] } },
    aggs: {
      windows: {
        filter: { range: { event_time: isoRange(windows) } },
        aggs: {
          by_window: {
            date_histogram: {
              field: 'event_time',
              fixed_interval: '15m',
              time_zone: 'UTC',
              min_doc_count: 1,
            },
            aggs: {
              counts: { filters: { filters: COUNTS } },
              unique_users: {
                cardinality: { field: 'user_id', precision_threshold: UNIQUE_USERS_PRECISION_THRESHOLD },
              },
              revenue: amountsByCurrency('revenue'),
              cost: amountsByCurrency('cost'),
              top_campaigns: { terms: { field: 'campaign_id', size: request.topCampaigns } },
              // A url_path longer than the mapping's ignore_above is not indexed, so not ranked.
              top_pages: {
                filter: eventType('pageview'),
                aggs: { paths: { terms: { field: 'url_path', size: request.topCampaigns } } },
              },
            },
          },
        },
      },
      late_arrivals: { filters: { filters: lateArrivals } },
    },
  };
}
