import type { StoredEvent } from '../../../../contract';
import type { SummaryJson } from '../../../../lambdas/aggregator/summary';
import type { SummarySettings } from '../../../../lambdas/aggregator/windows';

/**
 * The shared scenario suite: events as the index holds them (duplicates included, as delivered),
 * the clock of the run, and the summaries any correct event index must lead to. Every scenario
 * runs at 12:07 with a 60-minute horizon and a 15-minute schedule, so a run recomputes the windows
 * 10:30..12:00, and the windows ending at or before 11:00 are final.
 */
export interface Scenario {
  readonly id: string;
  readonly title: string;
  readonly events: readonly StoredEvent[];
  readonly expected: readonly SummaryJson[];
  /** Advertisers per listing page (small, to exercise paging). */
  readonly pageSize: number;
}

export const SCENARIO_NOW = Date.parse('2026-11-22T12:07:00.000Z');
export const SCENARIO_SETTINGS: SummarySettings = { latenessHorizonMinutes: 60, summaryScheduleMinutes: 15 };

const DAY = '2026-11-22T';
const at = (time: string) => `${DAY}${time}Z`;

/** A stored event at `time` (HH:MM:SS.mmm on the scenario day), received 30 s later unless told. */
function event(
  eventId: string,
  eventType: string,
  advertiserId: string,
  time: string,
  extra: Partial<StoredEvent> = {},
): StoredEvent {
  const eventTime = at(time);
  return {
    event_id: eventId,
    event_type: eventType,
    advertiser_id: advertiserId,
    event_time: eventTime,
    received_at: new Date(Date.parse(eventTime) + 30_000).toISOString(),
    ...extra,
  };
}

/** An expected summary: zeros and nulls unless told, computed at the scenario's clock. */
function summary(advertiserId: string, windowStart: string, fields: Partial<SummaryJson> = {}): SummaryJson {
  const start = Date.parse(at(windowStart));
  return {
    advertiser_id: advertiserId,
    window_start: new Date(start).toISOString(),
    window_end: new Date(start + 15 * 60_000).toISOString(),
    events: 0,
    impressions: 0,
    clicks: 0,
    conversions: 0,
    pageviews: 0,
    unique_users: 0,
    revenue: 0,
    cost: 0,
    ctr: null,
    conversion_rate: null,
    top_campaigns: [],
    late_events: 0,
    final: false,
    computed_at: new Date(SCENARIO_NOW).toISOString(),
    ...fields,
  };
}

const lateEvents: Scenario = {
  id: 'late-events',
  title: 'late events update their window inside the horizon and are counted where they arrive outside it',
  pageSize: 1000,
  events: [
    event('late-1', 'click', 'late', '11:20:00.000', { campaign_id: 'c1', user_id: 'u1' }),
    // Its window (09:00) was final long before it arrived at 11:40: counted late in window 11:30.
    event('late-2', 'impression', 'late', '09:10:00.000', { received_at: at('11:40:00.000') }),
    // Window 10:30 is final; this arrival at 11:50 is late (10:40 < 11:45 - 60 min) yet still
    // lands in the final window's last rewrite.
    event('late-3', 'impression', 'late', '10:40:00.000', { user_id: 'u2', received_at: at('11:50:00.000') }),
    // 53 minutes late but inside the horizon of its arrival window: not late, just updates 11:00.
    event('late-4', 'pageview', 'late', '11:05:00.000', { received_at: at('11:58:00.000') }),
  ],
  expected: [
    summary('late', '10:30:00.000', { events: 1, impressions: 1, unique_users: 1, ctr: 0, final: true }),
    summary('late', '11:00:00.000', { events: 1, pageviews: 1 }),
    summary('late', '11:15:00.000', {
      events: 1,
      clicks: 1,
      unique_users: 1,
      conversion_rate: 0,
      top_campaigns: [{ campaign_id: 'c1', events: 1 }],
    }),
    summary('late', '11:30:00.000', { late_events: 1 }),
    summary('late', '11:45:00.000', { late_events: 1 }),
  ],
};

const duplicateDelivery = (original: StoredEvent, receivedAt: string): StoredEvent => ({
  ...original,
  received_at: at(receivedAt),
});
const dup1 = event('dup-1', 'impression', 'dup', '11:31:00.000', { user_id: 'u1', campaign_id: 'c2' });
const dup3 = event('dup-3', 'click', 'dup', '11:33:00.000', { user_id: 'u1', campaign_id: 'c1' });

const duplicates: Scenario = {
  id: 'duplicates',
  title: 'repeated deliveries of an event_id change no count',
  pageSize: 1000,
  events: [
    dup1,
    duplicateDelivery(dup1, '11:45:00.000'),
    event('dup-2', 'impression', 'dup', '11:32:00.000', { user_id: 'u2', campaign_id: 'c1' }),
    dup3,
    duplicateDelivery(dup3, '11:34:00.000'),
    duplicateDelivery(dup3, '12:01:00.000'),
    event('dup-4', 'conversion', 'dup', '11:40:00.000', { user_id: 'u1', campaign_id: 'c1', revenue: 12.5 }),
    event('dup-5', 'impression', 'dup', '11:41:00.000', { user_id: 'u3', campaign_id: 'c2', cost: 0.1 }),
    event('dup-6', 'impression', 'dup', '11:42:00.000', { user_id: 'u3', campaign_id: 'c2', cost: 0.2 }),
  ],
  expected: [
    summary('dup', '11:30:00.000', {
      events: 6,
      impressions: 4,
      clicks: 1,
      conversions: 1,
      unique_users: 3,
      revenue: 12.5,
      cost: 0.3,
      ctr: 0.25,
      conversion_rate: 1,
      // A tie on events: campaign id order, as OpenSearch's terms aggregation breaks ties.
      top_campaigns: [
        { campaign_id: 'c1', events: 3 },
        { campaign_id: 'c2', events: 3 },
      ],
    }),
  ],
};

const emptyWindows: Scenario = {
  id: 'empty-windows',
  title: 'windows without events have no summary, custom event types count as events only',
  pageSize: 1000,
  events: [
    event('gap-1', 'pageview', 'gap', '10:50:00.000'),
    event('gap-2', 'pageview', 'gap', '11:40:00.000'),
    event('gap-3', 'video_play', 'gap', '11:41:00.000', { user_id: 'u9' }),
  ],
  expected: [
    summary('gap', '10:45:00.000', { events: 1, pageviews: 1, final: true }),
    summary('gap', '11:30:00.000', { events: 2, pageviews: 1, unique_users: 1 }),
  ],
};

const windowEdges: Scenario = {
  id: 'window-edges',
  title: 'window boundaries are inclusive at the start and exclusive at the end',
  pageSize: 1000,
  events: [
    // Before the run's first window; it arrived at 10:30:29 but is not late (10:29 >= 10:30 - 60 min).
    event('edge-1', 'click', 'edge', '10:29:59.999'),
    event('edge-2', 'impression', 'edge', '10:30:00.000'),
    event('edge-3', 'impression', 'edge', '10:59:59.999'),
    event('edge-4', 'impression', 'edge', '11:00:00.000'),
    event('edge-5', 'click', 'edge', '11:14:59.999'),
    event('edge-6', 'click', 'edge', '11:15:00.000'),
    event('edge-7', 'impression', 'edge', '12:06:59.999', { received_at: at('12:06:59.999') }),
    // A sender whose clock runs ahead: its window (12:15) is not open yet.
    event('edge-8', 'impression', 'edge', '12:15:00.000', { received_at: at('12:06:00.000') }),
  ],
  expected: [
    summary('edge', '10:30:00.000', { events: 1, impressions: 1, ctr: 0, final: true }),
    summary('edge', '10:45:00.000', { events: 1, impressions: 1, ctr: 0, final: true }),
    summary('edge', '11:00:00.000', { events: 2, impressions: 1, clicks: 1, ctr: 1, conversion_rate: 0 }),
    summary('edge', '11:15:00.000', { events: 1, clicks: 1, conversion_rate: 0 }),
    summary('edge', '12:00:00.000', { events: 1, impressions: 1, ctr: 0 }),
  ],
};

const manyIds = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'];
const manyAdvertisers: Scenario = {
  id: 'many-advertisers',
  title: 'every active advertiser is found across listing pages, inactive ones are not',
  pageSize: 3,
  events: [
    event('m0-1', 'impression', 'm0', '08:00:00.000'),
    ...manyIds.map((id) => event(`${id}-1`, 'impression', id, '11:50:00.000')),
    event('m3-2', 'click', 'm3', '11:51:00.000'),
  ],
  expected: manyIds.map((id) =>
    id === 'm3'
      ? summary(id, '11:45:00.000', { events: 2, impressions: 1, clicks: 1, ctr: 1, conversion_rate: 0 })
      : summary(id, '11:45:00.000', { events: 1, impressions: 1, ctr: 0 }),
  ),
};

export const SCENARIOS: readonly Scenario[] = [
  lateEvents,
  duplicates,
  emptyWindows,
  windowEdges,
  manyAdvertisers,
];
