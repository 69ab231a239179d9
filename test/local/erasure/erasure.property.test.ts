import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadSavedQueries } from '../../../analytics/catalog';
import { runLocally } from '../../../analytics/local-runner';
import { parseParameterValues } from '../../../analytics/parameters';
import type { StoredEvent } from '../../../contract';
import { eraseLocally } from '../../../local/erasure/local-erasure';
import { buildDataDir, type Delivery, failedRecord, storeContents } from './erasure-fixture';

/**
 * For any lake of several users' events (late events, events delivered twice, failed records,
 * some arrival hours compacted and some not): after erasing one user, no store holds a row, line or
 * document of theirs, and every saved query returns exactly what it returns over a data dir that
 * never received that user's events. So every other user's rows are what they were.
 */

const FIRST_EVENT = Date.parse('2026-11-01T00:00:00.000Z');
const FIRST_ARRIVAL = Date.parse('2026-11-08T00:00:00.000Z');
const USERS = ['u1', 'u2', 'u3'] as const;
const PARAMETERS: Record<string, string> = {
  start_date: '2026-11-01',
  end_date: '2026-11-12',
  attribution_days: '2',
  gap_minutes: '30',
  window_days: '3',
  top_n: '2',
  property_key: 'plan',
};

const eventArb = fc.record({
  type: fc.constantFrom('impression', 'click', 'conversion', 'pageview'),
  advertiser: fc.constantFrom('adv-a', 'adv-b'),
  campaign: fc.constantFrom('c1', 'c2'),
  user: fc.option(fc.constantFrom(...USERS), { nil: undefined }),
  anonymous: fc.option(fc.constantFrom('a1', 'u1'), { nil: undefined }),
  offsetMinutes: fc.integer({ min: 0, max: 9 * 24 * 60 }),
});

const lakeArb = fc.record({
  events: fc.array(eventArb, { minLength: 1, maxLength: 20 }),
  // Each delivery: which events (by index; an index twice is a duplicate across deliveries), hours after the first.
  deliveries: fc.array(
    fc.record({ picks: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), hour: fc.nat({ max: 72 }) }),
    { minLength: 1, maxLength: 6 },
  ),
  failedUsers: fc.array(fc.constantFrom(...USERS), { maxLength: 3 }),
  compactAfterHour: fc.nat({ max: 80 }),
  erase: fc.record({
    column: fc.constantFrom('user_id' as const, 'anonymous_id' as const),
    value: fc.constantFrom('u1', 'u2'),
  }),
});

type Lake = typeof lakeArb extends fc.Arbitrary<infer T> ? T : never;
type Subject = Lake['erase'];

function storedEvent(i: number, e: Lake['events'][number]): StoredEvent {
  return {
    event_id: `e${i}`,
    event_type: e.type,
    advertiser_id: e.advertiser,
    campaign_id: e.campaign,
    event_time: new Date(FIRST_EVENT + e.offsetMinutes * 60_000).toISOString(),
    received_at: '',
    ...(e.user === undefined ? {} : { user_id: e.user }),
    ...(e.anonymous === undefined ? {} : { anonymous_id: e.anonymous }),
    ...(e.type === 'pageview' ? { url_path: '/home' } : {}),
  } as StoredEvent;
}

const belongs = (subject: Subject) => (record: { user_id?: string | null; anonymous_id?: string | null }) =>
  record[subject.column] === subject.value;

function deliveriesOf(lake: Lake, keep: (e: StoredEvent) => boolean): Delivery[] {
  const stored = lake.events.map((e, i) => storedEvent(i, e));
  // A bystander's event in every lake, so that the reference lake is never empty (the runner refuses one).
  const bystander: Delivery = {
    arrival: FIRST_ARRIVAL,
    events: [storedEvent(99, { ...lake.events[0]!, user: 'u3', anonymous: undefined })],
  };
  return [
    bystander,
    ...lake.deliveries.map((d, j) => ({
      arrival: FIRST_ARRIVAL + d.hour * 3_600_000 + j,
      events: d.picks.map((p) => stored[p % stored.length]!).filter(keep),
      failed:
        j === 0
          ? lake.failedUsers
              .map((user) => ({ event_id: `bad-${user}`, user_id: user, event_type: 'Not A Type' }))
              .filter(keep as (r: { user_id?: string }) => boolean)
              .map((r) => failedRecord(JSON.stringify(r), FIRST_ARRIVAL))
          : [],
    })),
  ];
}

const queries = loadSavedQueries();

async function allQueryResults(dataDir: string) {
  const results: Record<string, unknown> = {};
  for (const query of queries) {
    const values = parseParameterValues(
      query,
      query.parameters.map((p) => PARAMETERS[p.name]!),
    );
    results[query.name] = (await runLocally(query, values, { dataDir })).rows;
  }
  return results;
}

describe('erasing one user, for any lake of several users', () => {
  it('leaves nothing of theirs in any store, and every saved query as if they had never sent an event', async () => {
    await fc.assert(
      fc.asyncProperty(lakeArb, async (lake) => {
        const root = mkdtempSync(join(tmpdir(), 'clickstream-erase-prop-'));
        try {
          const erased = join(root, 'erased');
          const never = join(root, 'never');
          const compactAt = FIRST_ARRIVAL + lake.compactAfterHour * 3_600_000;
          const isSubject = belongs(lake.erase);
          await buildDataDir(
            erased,
            deliveriesOf(lake, () => true),
            compactAt,
          );
          await buildDataDir(
            never,
            deliveriesOf(lake, (e) => !isSubject(e)),
            compactAt,
          );

          await eraseLocally({ dataDir: erased }, lake.erase);

          const stores = await storeContents(erased);
          expect(stores.curated.filter(isSubject)).toEqual([]);
          expect(stores.index.filter(isSubject)).toEqual([]);
          expect(stores.raw.map((l) => JSON.parse(l) as StoredEvent).filter(isSubject)).toEqual([]);
          const refused = stores.errors.map((l) =>
            JSON.parse(Buffer.from(JSON.parse(l).rawData, 'base64').toString()),
          );
          expect(refused.filter(isSubject)).toEqual([]);
          const reference = await storeContents(never);
          expect(stores.index).toEqual(reference.index);
          expect(stores.curated).toEqual(reference.curated);
          expect(await allQueryResults(erased)).toEqual(await allQueryResults(never));
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      }),
      // Each run builds two data dirs and runs every saved query on both (about 10 s here).
      { numRuns: 8 },
    );
  });
});
