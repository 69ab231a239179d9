import { toUtcIso } from '../../../contract';
import type { AdvertiserAggregationRequest } from '../ports';
import { type TimeRange, WINDOW_MS } from '../windows';

/** Workers read the event-day indices only (never `incoming-*`, where duplicates may still sit). */
export const EVENTS_INDEX_PATTERN = 'events-*';

/**
 * Distinct user ids are counted exactly (up to hash collisions) below this many per window, and
 * within a few percent above it. 10,000 costs about 80 KB of memory per window bucket.
 */
export const UNIQUE_USERS_PRECISION_THRESHOLD = 10_000;

const COUNTED_TYPES = ['impression', 'click', 'conversion', 'pageview'] as const;
export type CountedType = (typeof COUNTED_TYPES)[number];

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
              event_types: {
                filters: {
                  filters: Object.fromEntries(COUNTED_TYPES.map((t) => [t, { term: { event_type: t } }])),
                },
              },
              unique_users: {
                cardinality: { field: 'user_id', precision_threshold: UNIQUE_USERS_PRECISION_THRESHOLD },
              },
              revenue: { sum: { field: 'revenue' } },
              cost: { sum: { field: 'cost' } },
              top_campaigns: { terms: { field: 'campaign_id', size: request.topCampaigns } },
            },
          },
        },
      },
      late_arrivals: { filters: { filters: lateArrivals } },
    },
  };
}
