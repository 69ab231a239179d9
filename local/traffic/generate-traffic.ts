import type { WireEvent } from '../../contract';
import { wholeWindows, windowStartOf } from '../../lambdas/aggregator/windows';
import { SeededRandom } from './random';

export interface TrafficOptions {
  /** Roughly how many distinct valid events to generate (the funnel decides the exact number). */
  events: number;
  /** End of the day covered (epoch ms); events fall in [end - 24 h, end). */
  end: number;
  /** @default 7 */
  seed?: number;
  /** @default 60 */
  advertisers?: number;
  /** Share of events sent twice (half of them again within seconds, half minutes to hours later). @default 0.01 */
  duplicateRate?: number;
  /**
   * Share of sessions on a device that was offline and sends them when it reconnects: most within
   * the lateness horizon, a quarter of them hours beyond it. @default 0.04
   */
  offlineRate?: number;
  /** Share of extra lines that are malformed or invalid in some way. @default 0.003 */
  malformedRate?: number;
  /** The lateness horizon the tally's `afterFinal` counts against. @default 180 */
  latenessHorizonMinutes?: number;
}

export interface TrafficTally {
  lines: number;
  /** Distinct valid events that arrived by the end of the day. */
  events: number;
  duplicates: number;
  /** Events whose first copy arrived more than a minute after their event_time. */
  late: number;
  /** Of those, the events whose 15-minute window was final when they arrived: the summaries' late_events. */
  afterFinal: number;
  malformed: number;
}

export interface Traffic {
  /** The records (without the newline), in the order they arrived. */
  lines: string[];
  /** When each line's record arrived (epoch millis), in the same order: nondecreasing. */
  arrivals: number[];
  tally: TrafficTally;
}

export const DEFAULT_ADVERTISERS = 60;

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

// Relative traffic per UTC hour: a quiet night, a morning rise, a lunch bump and an evening peak.
const HOURLY_WEIGHTS = [3, 2, 1.5, 1, 1, 1.5, 3, 5, 7, 8, 8, 9, 10, 9, 8, 8, 9, 10, 12, 14, 13, 10, 7, 5];

const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
];
const UA_WEIGHTS = [30, 15, 25, 22, 5, 3];
const SECTIONS = ['news', 'sports', 'tech', 'travel', 'food', 'finance'];
const PLANS = ['free', 'plus', 'pro'];

interface Advertiser {
  id: string;
  campaigns: { id: string; ads: string[] }[];
}

/**
 * A realistic day of traffic for many advertisers: sessions on publisher sites following a daily
 * rhythm, each page view showing ads (impressions) that sometimes get a click and sometimes a
 * conversion with revenue; plus what real trackers produce: duplicate sends, late events (retries
 * minutes later, offline devices sending hours later, a few beyond the lateness horizon) and a
 * few malformed lines. Each record carries its arrival time; records arriving after `end` are left
 * out. Deterministic for a seed.
 */
export function generateTraffic(options: TrafficOptions): Traffic {
  const random = new SeededRandom(options.seed ?? 7);
  const advertisers = makeAdvertisers(random, options.advertisers ?? DEFAULT_ADVERTISERS);
  const popularity = advertisers.map((_, i) => 1 / (i + 1) ** 0.8);
  const start = options.end - DAY_MS;
  const sessions: WireEvent[][] = [];
  for (let session = 0, events = 0; events < options.events; session++) {
    const hour = random.weighted(HOURLY_WEIGHTS);
    const begin = start + hour * HOUR_MS + random.int(0, HOUR_MS - 1);
    const inDay = sessionEvents(random, advertisers, popularity, session, begin).filter(
      (e) => (e.event_time as number) < options.end,
    );
    sessions.push(inDay);
    events += inDay.length;
  }

  const sends: Send[] = [];
  let malformed = 0;
  for (const events of sessions) {
    for (const send of sessionSends(random, events, options.offlineRate ?? 0.04)) {
      sends.push(send);
      if (random.chance(options.duplicateRate ?? 0.01)) {
        const again = random.chance(0.5) ? random.int(0, 2_000) : random.int(MINUTE_MS, 6 * HOUR_MS);
        sends.push({ ...send, arrivedAt: send.arrivedAt + again });
      }
      if (random.chance(options.malformedRate ?? 0.003)) {
        const arrivedAt = send.arrivedAt + random.int(0, 1_000);
        sends.push({ arrivedAt, line: malformedLine(random, malformed++, arrivedAt) });
      }
    }
  }
  // Stable: records arriving in the same millisecond keep the order they were sent in.
  const arrived = sends.filter((s) => s.arrivedAt < options.end).sort((a, b) => a.arrivedAt - b.arrivedAt);
  return {
    lines: arrived.map((s) => s.line),
    arrivals: arrived.map((s) => s.arrivedAt),
    tally: tallyOf(arrived, options.latenessHorizonMinutes ?? 180),
  };
}

/** A record as sent: its line, and its event when it is a valid one. */
interface Send {
  arrivedAt: number;
  line: string;
  event?: { id: string; time: number };
}

/**
 * When a session's events arrive. Online, a few seconds after they happen (the tracker batches for
 * a second; a few retried minutes later). Offline, all together when the device reconnects, minutes
 * to hours later, or overnight. The tracker stamps sent_at when it sends, just before arrival.
 */
function sessionSends(random: SeededRandom, events: WireEvent[], offlineRate: number): Send[] {
  const last = Math.max(...events.map((e) => e.event_time as number));
  const offline = random.chance(offlineRate);
  const reconnect = !offline
    ? undefined
    : random.chance(0.75)
      ? last + random.int(20 * MINUTE_MS, 3 * HOUR_MS)
      : last + random.int(4 * HOUR_MS, 20 * HOUR_MS);
  return events.map((event) => {
    const time = event.event_time as number;
    const arrivedAt =
      reconnect !== undefined
        ? reconnect + random.int(0, 2_000)
        : time + (random.chance(0.02) ? random.int(MINUTE_MS, 15 * MINUTE_MS) : random.int(200, 5_000));
    const line = JSON.stringify({
      ...event,
      event_time: new Date(time).toISOString(),
      sent_at: new Date(arrivedAt - random.int(30, 400)).toISOString(),
    });
    return { arrivedAt, line, event: { id: event.event_id, time } };
  });
}

/** What arrived by the end of the day: an event's later copies are duplicates, lines with no event malformed. */
function tallyOf(arrived: Send[], horizonMinutes: number): TrafficTally {
  const horizonMs = wholeWindows(horizonMinutes * MINUTE_MS);
  const seen = new Set<string>();
  const tally: TrafficTally = {
    lines: arrived.length,
    events: 0,
    duplicates: 0,
    late: 0,
    afterFinal: 0,
    malformed: 0,
  };
  for (const { arrivedAt, event } of arrived) {
    if (event === undefined) tally.malformed++;
    else if (seen.has(event.id)) tally.duplicates++;
    if (event === undefined || seen.has(event.id)) continue;
    seen.add(event.id);
    tally.events++;
    if (arrivedAt - event.time > MINUTE_MS) tally.late++;
    // The rule the summaries count late_events by: the event's window was final at its arrival.
    if (event.time < windowStartOf(arrivedAt) - horizonMs) tally.afterFinal++;
  }
  return tally;
}

function makeAdvertisers(random: SeededRandom, count: number): Advertiser[] {
  return Array.from({ length: count }, (_, a) => {
    const id = `adv-${String(a + 1).padStart(3, '0')}`;
    return {
      id,
      campaigns: Array.from({ length: random.int(2, 5) }, (_, c) => ({
        id: `${id}-cmp-${c + 1}`,
        ads: Array.from({ length: random.int(2, 4) }, (_, ad) => `${id}-cmp-${c + 1}-ad-${ad + 1}`),
      })),
    };
  });
}

function sessionEvents(
  random: SeededRandom,
  advertisers: Advertiser[],
  popularity: number[],
  session: number,
  begin: number,
): WireEvent[] {
  const userNumber = random.int(1, 20_000);
  const signedIn = userNumber % 5 < 2;
  const publisher = `pub-${String(random.int(1, 25)).padStart(2, '0')}`;
  const userAgent = USER_AGENTS[random.weighted(UA_WEIGHTS)]!;
  const visitor: Partial<WireEvent> = {
    publisher_id: publisher,
    anonymous_id: `anon-${userNumber}`,
    ...(signedIn ? { user_id: `user-${userNumber}` } : {}),
    session_id: `sess-${session}`,
    user_agent: userAgent,
    ip: `${random.int(11, 223)}.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`,
  };
  const events: WireEvent[] = [];
  let time = begin;
  let referrer = random.chance(0.5) ? 'https://www.google.com/' : undefined;
  for (let page = random.int(1, 8); page > 0; page--) {
    const section = random.pick(SECTIONS);
    const url = `https://${publisher}.example/${section}/article-${random.int(1, 400)}`;
    const pageviewAdvertiser = advertisers[random.weighted(popularity)]!;
    events.push({
      ...base(random, visitor, pageviewAdvertiser, 'pageview', time),
      url,
      ...(referrer ? { referrer } : {}),
      properties: { section, plan: random.pick(PLANS), layout: { variant: random.chance(0.5) ? 'a' : 'b' } },
    });
    for (let slot = random.int(0, 3); slot > 0; slot--) {
      const advertiser = advertisers[random.weighted(popularity)]!;
      const campaign = random.pick(advertiser.campaigns);
      const ad = { campaign_id: campaign.id, ad_id: random.pick(campaign.ads), url };
      const shownAt = time + random.int(100, 3_000);
      events.push({
        ...base(random, visitor, advertiser, 'impression', shownAt),
        ...ad,
        cost: 0.002,
        currency: 'USD',
      });
      if (!random.chance(0.04)) continue;
      const clickedAt = shownAt + random.int(1_000, 60_000);
      events.push({
        ...base(random, visitor, advertiser, 'click', clickedAt),
        ...ad,
        cost: 0.35,
        currency: 'USD',
      });
      if (!random.chance(0.12)) continue;
      const revenue = Math.round(random.int(500, 25_000)) / 100;
      const convertedAt = clickedAt + random.int(60_000, 45 * 60_000);
      events.push({
        ...base(random, visitor, advertiser, 'conversion', convertedAt),
        ...ad,
        revenue,
        currency: 'USD',
      });
    }
    referrer = url;
    time += random.int(10_000, 180_000);
  }
  return events;
}

function base(
  random: SeededRandom,
  visitor: Partial<WireEvent>,
  advertiser: Advertiser,
  eventType: string,
  time: number,
): WireEvent {
  return {
    event_id: random.uuid(),
    event_type: eventType,
    advertiser_id: advertiser.id,
    event_time: time,
    ...visitor,
  };
}

/** One of the ways real trackers get it wrong, in turn; each is refused with its own reason. */
function malformedLine(random: SeededRandom, index: number, arrivedAt: number): string {
  const valid = {
    event_id: random.uuid(),
    event_type: 'click',
    advertiser_id: 'adv-001',
    event_time: new Date(arrivedAt - random.int(1_000, MINUTE_MS)).toISOString(),
  };
  const kinds = [
    () => JSON.stringify(valid).slice(0, -7),
    () => JSON.stringify(['impression', valid.advertiser_id]),
    () => JSON.stringify({ ...valid, advertiser_id: '../../etc/passwd' }),
    () => JSON.stringify({ ...valid, event_type: 'conversion', revenue: -12.5 }),
    () => JSON.stringify({ ...valid, event_type: undefined }),
    // A device with its clock two days ahead: valid to the schema, refused by the transform.
    () => JSON.stringify({ ...valid, event_time: new Date(arrivedAt + 2 * DAY_MS).toISOString() }),
    () => JSON.stringify({ ...valid, event_time: '2026-02-30T10:00:00Z' }),
  ];
  return kinds[index % kinds.length]!();
}
