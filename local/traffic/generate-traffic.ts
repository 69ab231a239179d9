import type { WireEvent } from '../../contract';
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
  /** Share of events sent twice (half of them in the same batch, half much later). @default 0.01 */
  duplicateRate?: number;
  /** Share of events held back and sent at the end, hours after they happened. @default 0.02 */
  lateRate?: number;
  /** Share of extra lines that are malformed or invalid in some way. @default 0.003 */
  malformedRate?: number;
}

export interface TrafficTally {
  lines: number;
  events: number;
  duplicates: number;
  late: number;
  malformed: number;
}

export interface Traffic {
  /** NDJSON lines (without the newline), in the order a tracker would send them. */
  lines: string[];
  tally: TrafficTally;
}

export const DEFAULT_ADVERTISERS = 60;

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

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
 * conversion with revenue; plus what real trackers produce: duplicate sends, late (offline) events
 * and a few malformed lines. Deterministic for a seed.
 */
export function generateTraffic(options: TrafficOptions): Traffic {
  const random = new SeededRandom(options.seed ?? 7);
  const advertisers = makeAdvertisers(random, options.advertisers ?? DEFAULT_ADVERTISERS);
  const popularity = advertisers.map((_, i) => 1 / (i + 1) ** 0.8);
  const start = options.end - DAY_MS;
  const events: WireEvent[] = [];
  for (let session = 0; events.length < options.events; session++) {
    const hour = random.weighted(HOURLY_WEIGHTS);
    const begin = start + hour * HOUR_MS + random.int(0, HOUR_MS - 1);
    events.push(...sessionEvents(random, advertisers, popularity, session, begin));
  }
  const inDay = events.filter((e) => (e.event_time as number) < options.end);
  inDay.sort((a, b) => (a.event_time as number) - (b.event_time as number));

  const lines: string[] = [];
  const heldBack: string[] = [];
  const resentLater: string[] = [];
  const tally: TrafficTally = { lines: 0, events: inDay.length, duplicates: 0, late: 0, malformed: 0 };
  for (const event of inDay) {
    const line = JSON.stringify({ ...event, event_time: new Date(event.event_time as number).toISOString() });
    if (random.chance(options.lateRate ?? 0.02)) {
      heldBack.push(line);
      tally.late++;
    } else {
      lines.push(line);
    }
    if (random.chance(options.duplicateRate ?? 0.01)) {
      tally.duplicates++;
      if (random.chance(0.5)) lines.push(line);
      else resentLater.push(line);
    }
    if (random.chance(options.malformedRate ?? 0.003)) {
      lines.push(malformedLine(random, tally.malformed++, options.end));
    }
  }
  for (const line of resentLater) lines.splice(random.int(0, lines.length), 0, line);
  lines.push(...heldBack);
  tally.lines = lines.length;
  return { lines, tally };
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
function malformedLine(random: SeededRandom, index: number, end: number): string {
  const valid = {
    event_id: random.uuid(),
    event_type: 'click',
    advertiser_id: 'adv-001',
    event_time: new Date(end - random.int(0, DAY_MS - 1)).toISOString(),
  };
  const kinds = [
    () => JSON.stringify(valid).slice(0, -7),
    () => JSON.stringify(['impression', valid.advertiser_id]),
    () => JSON.stringify({ ...valid, advertiser_id: '../../etc/passwd' }),
    () => JSON.stringify({ ...valid, event_type: 'conversion', revenue: -12.5 }),
    () => JSON.stringify({ ...valid, event_type: undefined }),
    // A device with its clock two days ahead: valid to the schema, refused by the transform.
    () => JSON.stringify({ ...valid, event_time: new Date(end + 2 * DAY_MS).toISOString() }),
    () => JSON.stringify({ ...valid, event_time: '2026-02-30T10:00:00Z' }),
  ];
  return kinds[index % kinds.length]!();
}
