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
      conversions_per_click: 0,
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
      // The events name no currency: their amounts are kept under XXX, never guessed.
      revenue_by_currency: { XXX: 12.5 },
      cost_by_currency: { XXX: 0.3 },
      ctr: 0.25,
      conversions_per_click: 1,
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
    summary('edge', '11:00:00.000', {
      events: 2,
      impressions: 1,
      clicks: 1,
      ctr: 1,
      conversions_per_click: 0,
    }),
    summary('edge', '11:15:00.000', { events: 1, clicks: 1, conversions_per_click: 0 }),
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
      ? summary(id, '11:45:00.000', {
          events: 2,
          impressions: 1,
          clicks: 1,
          ctr: 1,
          conversions_per_click: 0,
        })
      : summary(id, '11:45:00.000', { events: 1, impressions: 1, ctr: 0 }),
  ),
};

const BOT = { is_bot: true } as const;
const HUMAN = { is_bot: false } as const;
const page = (id: string, time: string, urlPath: string | undefined, extra: Partial<StoredEvent> = {}) =>
  event(id, 'pageview', 'ads', time, { ...(urlPath === undefined ? {} : { url_path: urlPath }), ...extra });

const billing: Scenario = {
  id: 'bots-currencies-pages',
  title:
    'bots are counted apart, amounts are kept by currency, conversions may outnumber clicks, pages are ranked',
  pageSize: 1000,
  events: [
    // Window 11:15: billable and bot traffic, three currencies and an amount without one.
    event('b-1', 'impression', 'ads', '11:16:00.000', { ...HUMAN, cost: 0.002, currency: 'USD' }),
    event('b-2', 'impression', 'ads', '11:16:01.000', { cost: 0.003, currency: 'USD' }),
    event('b-3', 'impression', 'ads', '11:16:02.000', { ...BOT, cost: 0.5, currency: 'USD' }),
    event('b-4', 'impression', 'ads', '11:16:03.000', { ...BOT }),
    event('b-5', 'click', 'ads', '11:17:00.000', { ...HUMAN, cost: 0.35, currency: 'EUR' }),
    event('b-6', 'click', 'ads', '11:17:01.000', { ...BOT, cost: 9, currency: 'EUR' }),
    // Two clicks, four conversions in the window: 2 conversions per click (the window cannot
    // attribute them; the conversions of earlier clicks land here too).
    event('b-7', 'click', 'ads', '11:18:00.000', { ...HUMAN }),
    event('b-8', 'conversion', 'ads', '11:20:00.000', { ...HUMAN, revenue: 100, currency: 'EUR' }),
    event('b-9', 'conversion', 'ads', '11:21:00.000', { revenue: 100, currency: 'JPY' }),
    event('b-10', 'conversion', 'ads', '11:22:00.000', { ...HUMAN, revenue: 5 }),
    event('b-11', 'conversion', 'ads', '11:23:00.000', { ...HUMAN, revenue: 0, currency: 'EUR' }),
    // A bot's conversion and revenue are not billable.
    event('b-12', 'conversion', 'ads', '11:24:00.000', { ...BOT, revenue: 1000, currency: 'JPY' }),
    // A currency without an amount adds no entry.
    event('b-13', 'impression', 'ads', '11:25:00.000', { ...HUMAN, currency: 'GBP' }),
    // Window 11:30: page views of seven paths (bots included), one without a path.
    page('p-1', '11:31:00.000', '/a'),
    page('p-2', '11:31:01.000', '/a', BOT),
    page('p-3', '11:31:02.000', '/a'),
    page('p-4', '11:31:03.000', '/b'),
    page('p-5', '11:31:04.000', '/b'),
    page('p-6', '11:31:05.000', '/c'),
    page('p-7', '11:31:06.000', '/e'),
    page('p-8', '11:31:07.000', '/d'),
    page('p-9', '11:31:08.000', '/g'),
    page('p-10', '11:31:09.000', '/f'),
    page('p-11', '11:31:10.000', undefined),
    // Only bots in window 11:45: no billable impression, so no ctr.
    event('b-14', 'impression', 'ads', '11:46:00.000', { ...BOT }),
    event('b-15', 'click', 'ads', '11:46:01.000', { ...BOT }),
  ],
  expected: [
    summary('ads', '11:15:00.000', {
      events: 13,
      impressions: 3,
      clicks: 2,
      conversions: 4,
      bot_impressions: 2,
      bot_clicks: 1,
      revenue_by_currency: { EUR: 100, JPY: 100, XXX: 5 },
      cost_by_currency: { EUR: 0.35, USD: 0.005 },
      ctr: 2 / 3,
      conversions_per_click: 2,
    }),
    summary('ads', '11:30:00.000', {
      events: 11,
      pageviews: 11,
      // Most first, ties by path, five at most; the page view without a path is not ranked.
      top_pages: [
        { url_path: '/a', pageviews: 3 },
        { url_path: '/b', pageviews: 2 },
        { url_path: '/c', pageviews: 1 },
        { url_path: '/d', pageviews: 1 },
        { url_path: '/e', pageviews: 1 },
      ],
    }),
    summary('ads', '11:45:00.000', { events: 2, bot_impressions: 1, bot_clicks: 1 }),
  ],
};

export const SCENARIOS: readonly Scenario[] = [
  lateEvents,
  duplicates,
  emptyWindows,
  windowEdges,
  manyAdvertisers,
  billing,
];
