import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curatedLayout } from '../../local/curated/curated-layout';
import { clickstream, PROCESS_TEST_CEILING_MS } from './helpers';

const DAY = 86_400_000;
const HOUR = 3_600_000;

// The event day: three weeks ago, so that arrivals 14 days late are still in the past.
const EVENT_DAY_START = Math.floor((Date.now() - 21 * DAY) / DAY) * DAY;
const EVENT_DAY = new Date(EVENT_DAY_START).toISOString().slice(0, 10);

interface Sent {
  event: Record<string, unknown>;
  arrivals: number[];
}

/**
 * Events of one day for two advertisers, with a deterministic spread of lateness (on time, 3, 12 and
 * 14 days late) and of repeats (one in five delivered again a day or more later, one in seven also
 * later in the same hour's batch).
 */
function makeTraffic(): Sent[] {
  const types = ['impression', 'impression', 'impression', 'click', 'conversion'] as const;
  const lateness = [0, 0, 3 * DAY, 12 * DAY, 14 * DAY - 2 * HOUR];
  const sent: Sent[] = [];
  for (let i = 0; i < 200; i++) {
    const eventTime = EVENT_DAY_START + ((i * 7_919) % (24 * 60)) * 60_000;
    const type = types[i % types.length]!;
    const event: Record<string, unknown> = {
      event_id: `late-${String(i).padStart(4, '0')}`,
      event_type: type,
      advertiser_id: i % 2 === 0 ? 'adv-late-a' : 'adv-late-b',
      campaign_id: `cmp-${i % 3}`,
      user_id: `u-${i % 11}`,
      event_time: new Date(eventTime).toISOString(),
      ...(type === 'conversion' ? { revenue: 10, currency: 'EUR' } : {}),
    };
    const first = eventTime + 2_000 + lateness[i % lateness.length]!;
    const arrivals = [first];
    if (i % 5 === 0) arrivals.push(first + DAY + (i % 4) * DAY);
    if (i % 7 === 0) arrivals.push(first + 60_000);
    sent.push({ event, arrivals });
  }
  return sent;
}

/** The traffic file: each delivery as `<arrival>\t<record>`, in arrival order. */
function trafficFile(sent: readonly Sent[]): string {
  const lines = sent
    .flatMap(({ event, arrivals }) => arrivals.map((at) => ({ at, line: JSON.stringify(event) })))
    .sort((a, b) => a.at - b.at);
  return lines.map(({ at, line }) => `${new Date(at).toISOString()}\t${line}\n`).join('');
}

/** What ctr_by_campaign must count: each event once, by advertiser and campaign. */
function referenceCounts(
  sent: readonly Sent[],
): Map<string, { impressions: number; clicks: number; conversions: number }> {
  const counts = new Map<string, { impressions: number; clicks: number; conversions: number }>();
  for (const { event } of sent) {
    const key = `${event.advertiser_id}/${event.campaign_id}`;
    const row = counts.get(key) ?? { impressions: 0, clicks: 0, conversions: 0 };
    if (event.event_type === 'impression') row.impressions++;
    if (event.event_type === 'click') row.clicks++;
    if (event.event_type === 'conversion') row.conversions++;
    counts.set(key, row);
  }
  return counts;
}

describe('saved queries after a replay of events up to 14 days late, with repeats across batches and days', () => {
  let dir: string;
  const sent = makeTraffic();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'late-queries-'));
    await writeFile(join(dir, 'traffic.ndjson'), trafficFile(sent));
    const replay = await clickstream([
      'replay',
      join(dir, 'traffic.ndjson'),
      '--data-dir',
      join(dir, 'data'),
    ]);
    if (replay.code !== 0) throw new Error(`replay failed (${replay.code}): ${replay.stderr}`);
  }, PROCESS_TEST_CEILING_MS);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (name: string, ...values: string[]) => {
    const result = await clickstream([
      'query',
      'run',
      name,
      ...values,
      '--data-dir',
      join(dir, 'data'),
      '--format',
      'json',
    ]);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as Record<string, unknown>[];
  };

  it('ctr_by_campaign counts every event of the day once, however late it arrived', async () => {
    const rows = await run('ctr_by_campaign', EVENT_DAY, EVENT_DAY, '1');
    const found = new Map(
      rows.map((r) => [
        `${r.advertiser_id}/${r.campaign_id}`,
        { impressions: r.impressions, clicks: r.clicks, conversions: r.conversions },
      ]),
    );

    expect(sent.some(({ arrivals }) => arrivals[0]! - EVENT_DAY_START > 13 * DAY)).toBe(true);
    // The replay ended with a compaction: the day is read from its curated file.
    expect(existsSync(curatedLayout(join(dir, 'data', 'lake')).dayFile(EVENT_DAY))).toBe(true);
    expect(found).toEqual(referenceCounts(sent));
  });

  it('daily_unique_users and advertiser_daily_rollup see the same events once', async () => {
    const users = await run('daily_unique_users', EVENT_DAY, EVENT_DAY);
    const rollup = await run('advertiser_daily_rollup', EVENT_DAY, EVENT_DAY);
    const count = (id: string, type: string) =>
      sent.filter(({ event }) => event.advertiser_id === id && event.event_type === type).length;

    // 11 users, small enough for approx_distinct to be exact.
    expect(users.map((r) => [r.event_day, r.unique_users, r.events])).toEqual([[EVENT_DAY, 11, sent.length]]);
    expect(
      rollup.map((r) => [r.advertiser_id, r.impressions, r.clicks, r.conversions, r.unique_visitors]),
    ).toEqual(
      ['adv-late-a', 'adv-late-b'].map((id) => [
        id,
        count(id, 'impression'),
        count(id, 'click'),
        count(id, 'conversion'),
        11,
      ]),
    );
  });

  it('late_arrivals measures each event from its first delivery', async () => {
    const [row] = await run('late_arrivals', EVENT_DAY, EVENT_DAY);
    const firstDelays = sent.map(
      ({ event, arrivals }) => (arrivals[0]! - Date.parse(String(event.event_time))) / 1000,
    );

    expect(row?.events).toBe(sent.length);
    expect(row?.max_seconds).toBe(Math.max(...firstDelays));
  });
});
