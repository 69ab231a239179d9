import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadSavedQueries } from '../../../analytics/catalog';
import { runLocally } from '../../../analytics/local-runner';
import { findSavedQuery } from '../../../analytics/lookup';
import { parseParameterValues } from '../../../analytics/parameters';
import type { StoredEvent } from '../../../contract';
import { compactLake } from '../../../local/curated/compaction';
import { writeEventsObject } from '../../../local/duckdb/lake-writer';

/**
 * For any traffic (events up to 18 days late, each delivered one to three times, the repeats in
 * other batches and on other days) and any sequence of deliveries and compaction runs, some of them
 * crashing between two steps: every saved query over events_exact returns what the same query
 * returns over the truth, a lake holding each event once (its first delivery), never compacted.
 * ctr_by_campaign and duplicate_rate are also checked against counts made here in TypeScript.
 */

const FIRST_EVENT = Date.parse('2026-10-25T00:00:00.000Z');
const FIRST_ARRIVAL = Date.parse('2026-11-11T00:00:00.000Z');
const FIRST_DAY = '2026-10-25';
const LAST_DAY = '2026-11-14';

// Values for the queries' other parameters, by name; dates span every event day.
const OTHER_PARAMETERS: Record<string, string> = {
  attribution_days: '2',
  gap_minutes: '30',
  window_days: '3',
  top_n: '2',
  property_key: 'plan',
};
const RAW_SIDE = new Set(['duplicate_rate', 'failed_events_by_day']);

const TYPES = ['impression', 'click', 'conversion', 'pageview'] as const;

const eventArb = fc.record({
  type: fc.constantFrom(...TYPES),
  advertiser: fc.constantFrom('adv-a', 'adv-b'),
  campaign: fc.option(fc.constantFrom('c1', 'c2'), { nil: undefined }),
  user: fc.option(fc.constantFrom('u1', 'u2', 'u3'), { nil: undefined }),
  offsetMinutes: fc.integer({ min: 0, max: 17 * 24 * 60 - 1 }),
  revenue: fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }),
  page: fc.constantFrom('/home', '/pricing', '/docs'),
  plan: fc.option(fc.constantFrom('free', 'pro'), { nil: undefined }),
});

type Step =
  | { kind: 'deliver'; events: number[]; afterMinutes: number }
  | { kind: 'compact'; afterMinutes: number; crashAt?: number };

const stepArb = (events: number) =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('deliver' as const),
        events: fc.array(fc.nat({ max: events - 1 }), { minLength: 1, maxLength: 12 }),
        afterMinutes: fc.integer({ min: 0, max: 36 * 60 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record(
        {
          kind: fc.constant('compact' as const),
          afterMinutes: fc.integer({ min: 0, max: 36 * 60 }),
          crashAt: fc.nat({ max: 12 }),
        },
        { requiredKeys: ['kind', 'afterMinutes'] },
      ),
    },
  );

const trafficArb = fc
  .array(eventArb, { minLength: 1, maxLength: 25 })
  .chain((events) =>
    fc.record({ events: fc.constant(events), steps: fc.array(stepArb(events.length), { maxLength: 14 }) }),
  );

type GeneratedEvent = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

function storedEvent(index: number, e: GeneratedEvent): StoredEvent {
  return {
    event_id: `e${index}`,
    event_type: e.type,
    advertiser_id: e.advertiser,
    event_time: new Date(FIRST_EVENT + e.offsetMinutes * 60_000).toISOString(),
    received_at: '',
    ...(e.campaign === undefined ? {} : { campaign_id: e.campaign }),
    ...(e.user === undefined ? {} : { user_id: e.user }),
    ...(e.revenue === undefined || e.type !== 'conversion' ? {} : { revenue: e.revenue }),
    ...(e.type === 'pageview' ? { url_path: e.page } : {}),
    ...(e.plan === undefined ? {} : { properties: { plan: e.plan } }),
  } as StoredEvent;
}

const queries = loadSavedQueries();

/** Each query over every event day, then over one day in the middle. */
const RUNS: readonly [string, ...string[]][] = queries
  .filter((q) => !RAW_SIDE.has(q.name))
  .flatMap((q) =>
    [
      [FIRST_DAY, LAST_DAY],
      ['2026-10-30', '2026-10-30'],
    ].map(([start, end]): [string, ...string[]] => [
      q.name,
      ...q.parameters.map((p) =>
        p.name === 'start_date' ? start! : p.name === 'end_date' ? end! : OTHER_PARAMETERS[p.name]!,
      ),
    ]),
  );

async function resultOf(dataDir: string, name: string, params: readonly string[]) {
  const query = findSavedQuery(queries, name);
  return runLocally(query, parseParameterValues(query, [...params]), { dataDir });
}

async function rowsOf(dataDir: string, name: string, params: readonly string[]) {
  return (await resultOf(dataDir, name, params)).rows;
}

/** The named columns of a result, row by row (the metric columns around them may change). */
async function columnsOf(
  dataDir: string,
  name: string,
  params: readonly string[],
  columns: readonly string[],
) {
  const result = await resultOf(dataDir, name, params);
  const indexes = columns.map((c) => result.columns.findIndex((column) => column.name === c));
  return result.rows.map((row) => indexes.map((i) => row[i]));
}

describe('saved queries over events_exact, for any traffic, deliveries and compactions', () => {
  it('reads events_exact in every query but the arrival-side ones', () => {
    for (const query of queries) {
      for (const p of query.parameters) {
        expect([query.name, p.name, p.type === 'date' || p.name in OTHER_PARAMETERS]).toEqual([
          query.name,
          p.name,
          true,
        ]);
      }
      expect(/\bFROM events_exact\b/.test(query.sql)).toBe(!RAW_SIDE.has(query.name));
    }
  });

  it('equal the same queries over the deduplicated truth', async () => {
    await fc.assert(
      fc.asyncProperty(trafficArb, async ({ events, steps }) => {
        const root = mkdtempSync(join(tmpdir(), 'clickstream-exact-'));
        const lake = join(root, 'lake', 'lake');
        const truth = join(root, 'truth', 'lake');
        try {
          const stored = events.map((e, i) => storedEvent(i, e));
          // Every event is delivered at least once: the last batch carries whatever no step delivered.
          const delivered = new Set(steps.flatMap((s) => (s.kind === 'deliver' ? s.events : [])));
          const rest = stored.map((_, i) => i).filter((i) => !delivered.has(i));
          const all: Step[] = [
            ...steps,
            ...(rest.length > 0 ? [{ kind: 'deliver' as const, events: rest, afterMinutes: 1 }] : []),
          ];

          let clock = FIRST_ARRIVAL;
          const firstDelivery = new Map<number, StoredEvent>();
          const deliveries: StoredEvent[] = [];
          for (const step of all) {
            clock += step.afterMinutes * 60_000;
            if (step.kind === 'deliver') {
              // received_at is distinct per delivery and within the object's arrival hour, as the pipeline stamps it.
              const batch = step.events.map((i, j) => {
                const copy = { ...stored[i]!, received_at: new Date(clock + j).toISOString() };
                if (!firstDelivery.has(i)) firstDelivery.set(i, copy);
                return copy;
              });
              writeEventsObject(lake, batch, clock);
              clock += batch.length;
              deliveries.push(...batch);
            } else {
              let calls = 0;
              await compactLake({
                lakeDir: lake,
                now: () => clock,
                afterStep: () => {
                  if (step.crashAt !== undefined && calls++ === step.crashAt) throw new Error('crash');
                },
              }).catch((error: Error) => {
                if (error.message !== 'crash') throw error;
              });
            }
          }
          for (const event of firstDelivery.values()) {
            writeEventsObject(truth, [event], Date.parse(event.received_at));
          }

          for (const [name, ...params] of RUNS) {
            expect([name, params, await rowsOf(join(root, 'lake'), name, params)]).toEqual([
              name,
              params,
              await rowsOf(join(root, 'truth'), name, params),
            ]);
          }
          expect(
            await columnsOf(join(root, 'lake'), 'ctr_by_campaign', [FIRST_DAY, LAST_DAY, '1'], CTR_COLUMNS),
          ).toEqual(referenceCtr([...firstDelivery.values()]));
          expect(await rowsOf(join(root, 'lake'), 'duplicate_rate', [FIRST_DAY, LAST_DAY])).toEqual(
            referenceDuplicateRate(deliveries),
          );
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      }),
      { numRuns: 12 },
    );
  }, 600_000);
});

const CTR_COLUMNS = ['advertiser_id', 'campaign_id', 'impressions', 'clicks', 'conversions'];

/** Impressions, clicks and conversions per advertiser and campaign, counted here (no event is a bot). */
function referenceCtr(events: readonly StoredEvent[]): (string | null)[][] {
  const totals = new Map<string, { impressions: number; clicks: number; conversions: number }>();
  for (const e of events) {
    if (e.campaign_id === undefined) continue;
    const key = `${e.advertiser_id}\u0000${e.campaign_id}`;
    const t = totals.get(key) ?? { impressions: 0, clicks: 0, conversions: 0 };
    if (e.event_type === 'impression') t.impressions++;
    if (e.event_type === 'click') t.clicks++;
    if (e.event_type === 'conversion') t.conversions++;
    totals.set(key, t);
  }
  return [...totals.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, t]) => [
      ...key.split('\u0000'),
      String(t.impressions),
      String(t.clicks),
      String(t.conversions),
    ]);
}

function referenceDuplicateRate(deliveries: readonly StoredEvent[]): (string | null)[][] {
  const byDay = new Map<string, { deliveries: number; ids: Set<string> }>();
  for (const d of deliveries) {
    const day = d.event_time.slice(0, 10);
    const entry = byDay.get(day) ?? { deliveries: 0, ids: new Set<string>() };
    entry.deliveries++;
    entry.ids.add(d.event_id);
    byDay.set(day, entry);
  }
  return [...byDay.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([day, e]) => [
      day,
      String(e.deliveries),
      String(e.ids.size),
      String(e.deliveries - e.ids.size),
      String((e.deliveries - e.ids.size) / e.deliveries),
    ]);
}
