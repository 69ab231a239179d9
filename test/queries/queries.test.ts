import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSavedQueries } from '../../analytics/catalog';
import { runLocally } from '../../analytics/local-runner';
import { findSavedQuery } from '../../analytics/lookup';
import { parseParameterValues } from '../../analytics/parameters';
import { compactLake } from '../../local/curated/compaction';
import { writeFixtureLake } from '../analytics/lake-fixture';

// Expected rows are worked out by hand from the deliveries listed in lake-fixture.ts; values are
// the text both engines return (NULL as null). The late-arrival percentiles follow the nearest-rank
// rule (the ceil(p * n)-th smallest delay), which is what quantile_disc returns; Trino's T-digest may
// land a rank away (p50 of the 11-01 delays is 3 on Trino 483), as the engine suite allows.
const CASES: Record<string, { params: string[]; expected: (string | null)[][] }[]> = {
  ctr_by_campaign: [
    {
      // e02 and e03 arrive twice; e07 arrives 48 hours late, on dt=2026-11-03, inside the margin.
      // e03 is attributed to e02; e08 (adv-b, 11-03) has no click to go to.
      params: ['2026-11-01', '2026-11-02', '1'],
      expected: [
        ['adv-a', 'c1', '3', '2', '1', '0', '0', String(2 / 3), '1', '0.5'],
        ['adv-b', 'c2', '1', '0', '0', '0', '0', '0', '0', null],
      ],
    },
    {
      params: ['2026-11-02', '2026-11-02', '1'],
      expected: [['adv-a', 'c1', '1', '1', '0', '0', '0', '1', '0', '0']],
    },
    {
      // Billing rules (adv-bill): the crawler's impression, click and conversion are not billable;
      // five conversions for four clicks, yet conversion_rate <= 1: b05 and b06 go to b03, b11 to the
      // later b10 (not b03), b07 had no click, b13's click b12 is before the range, b15 comes 49 h
      // after b14 (beyond one day).
      params: ['2026-11-10', '2026-11-11', '1'],
      expected: [['adv-bill', 'cb', '5', '4', '5', '1', '1', '0.8', '3', '0.5']],
    },
    {
      // With three days, b15 goes to b14 too.
      params: ['2026-11-10', '2026-11-11', '3'],
      expected: [['adv-bill', 'cb', '5', '4', '5', '1', '1', '0.8', '4', '0.75']],
    },
  ],
  revenue_by_currency: [
    {
      // The fixture's early events name no currency: their amounts are under XXX.
      params: ['2026-11-01', '2026-11-02'],
      expected: [
        ['adv-a', '2026-11-01', 'c1', 'XXX', '20', '1', '1', '2'],
        ['adv-a', '2026-11-02', 'c1', 'XXX', '0', '0.5', '0', '1'],
        ['adv-b', '2026-11-01', 'c2', 'XXX', '0', '1', '0', '1'],
      ],
    },
    {
      // 100 EUR and 100 JPY stay apart; the crawler's 0.5 USD and 1,000 JPY are not billable.
      params: ['2026-11-10', '2026-11-11'],
      expected: [
        ['adv-bill', '2026-11-10', null, 'GBP', '7', '0', '1', '0'],
        ['adv-bill', '2026-11-10', 'cb', 'EUR', '100', '1', '1', '1'],
        ['adv-bill', '2026-11-10', 'cb', 'JPY', '100', '0', '1', '0'],
        ['adv-bill', '2026-11-10', 'cb', 'USD', '0', '0.5', '0', '1'],
        ['adv-bill', '2026-11-10', 'cb', 'XXX', '5', '0', '1', '0'],
        ['adv-bill', '2026-11-11', 'cb', 'EUR', '50', '0', '1', '0'],
      ],
    },
  ],
  hourly_traffic: [
    {
      params: ['2026-11-01', '2026-11-01'],
      expected: [
        ['2026-11-01', '9', 'impression', '1'],
        ['2026-11-01', '10', 'click', '1'],
        ['2026-11-01', '10', 'impression', '1'],
        ['2026-11-01', '10', 'pageview', '1'],
        ['2026-11-01', '11', 'conversion', '1'],
        ['2026-11-01', '23', 'impression', '1'],
      ],
    },
  ],
  daily_unique_users: [
    {
      params: ['2026-11-01', '2026-11-02'],
      expected: [
        ['2026-11-01', '3', '6'],
        ['2026-11-02', '5', '5'],
      ],
    },
  ],
  top_pages: [
    {
      // Two-day windows: on 11-02 /home (11-01 and 11-02) ties with /pricing (twice on 11-02).
      params: ['2026-11-01', '2026-11-02', '2', '1'],
      expected: [
        ['2026-11-01', '1', '/home', '1'],
        ['2026-11-02', '1', '/home', '2'],
        ['2026-11-02', '1', '/pricing', '2'],
      ],
    },
    {
      params: ['2026-11-02', '2026-11-02', '1', '5'],
      expected: [
        ['2026-11-02', '1', '/pricing', '2'],
        ['2026-11-02', '2', '/home', '1'],
      ],
    },
  ],
  sessions: [
    {
      // 11-01: u1 10:00-10:05 (3 events) and 11:00 (1), u2 23:50 -> 00:10 across midnight (2), u3 09:00 (1).
      // 11-02: u1, u3, u4 and anonymous a1, one event each; u2's 00:10 click belongs to the 11-01 session.
      params: ['2026-11-01', '2026-11-02', '30'],
      expected: [
        ['2026-11-01', '4', '375', '1.75', '0.5'],
        ['2026-11-02', '4', '0', '1', '1'],
      ],
    },
    {
      // A 60-minute gap joins u1's 11:00 conversion to the 10:00 session: 10:00-11:00, 4 events.
      params: ['2026-11-01', '2026-11-01', '60'],
      expected: [['2026-11-01', '3', String((3600 + 1200 + 0) / 3), String(7 / 3), String(1 / 3)]],
    },
  ],
  funnel: [
    {
      // u4's click comes 2 days 1 hour after the impression: outside a 1-day window.
      params: ['2026-11-01', '2026-11-02', '1'],
      expected: [
        ['adv-a', 'c1', '3', '2', '1', String(2 / 3), '0.5'],
        ['adv-b', 'c2', '1', '0', '0', '0', null],
      ],
    },
    {
      params: ['2026-11-01', '2026-11-02', '3'],
      expected: [
        ['adv-a', 'c1', '3', '3', '1', '1', String(1 / 3)],
        ['adv-b', 'c2', '1', '0', '0', '0', null],
      ],
    },
    {
      // The crawler (a bot) is no visitor of the funnel.
      params: ['2026-11-10', '2026-11-11', '1'],
      expected: [['adv-bill', 'cb', '4', '3', '1', '0.75', String(1 / 3)]],
    },
  ],
  late_arrivals: [
    {
      // 11-01 first deliveries: 1, 1, 2, 3, 5 seconds and 172800 (e07, 48 h); 11-02: 0.5, 0.5, 1, 1, 2.
      params: ['2026-11-01', '2026-11-02'],
      expected: [
        ['2026-11-01', '6', '2', '172800', '172800', '172800', String(1 / 6)],
        ['2026-11-02', '5', '1', '2', '2', '2', '0'],
      ],
    },
  ],
  duplicate_rate: [
    {
      params: ['2026-11-01', '2026-11-02'],
      expected: [
        ['2026-11-01', '8', '6', '2', '0.25'],
        ['2026-11-02', '5', '5', '0', '0'],
      ],
    },
  ],
  failed_events_by_day: [
    {
      params: ['2026-11-01', '2026-11-02'],
      expected: [
        [
          '2026-11-01',
          'processing-failed',
          'Lambda.FunctionError',
          '1',
          'The Lambda function returned an error',
        ],
        [
          '2026-11-01',
          'processing-failed',
          'Lambda.ProcessingFailed',
          '2',
          'event_time: must be ISO-8601 with an offset or epoch millis',
        ],
        ['2026-11-02', 'AmazonOpenSearchService-failed', '400', '1', 'mapper_parsing_exception'],
      ],
    },
  ],
  property_breakdown: [
    {
      params: ['2026-11-01', '2026-11-02', 'plan'],
      expected: [
        ['(not set)', 'click', '2', '2'],
        ['(not set)', 'conversion', '1', '1'],
        ['(not set)', 'impression', '4', '4'],
        ['(not set)', 'pageview', '1', '1'],
        ['free', 'pageview', '1', '1'],
        ['pro', 'pageview', '2', '1'],
      ],
    },
    {
      params: ['2026-11-02', '2026-11-02', "it's absent"],
      expected: [
        ['(not set)', 'click', '1', '1'],
        ['(not set)', 'impression', '1', '1'],
        ['(not set)', 'pageview', '3', '3'],
      ],
    },
  ],
  advertiser_daily_rollup: [
    {
      params: ['2026-11-01', '2026-11-02'],
      expected: [
        ['adv-a', '2026-11-01', '2', '1', '1', '0', '0', '1', '2'],
        ['adv-a', '2026-11-02', '1', '1', '0', '0', '0', '3', '5'],
        ['adv-b', '2026-11-01', '1', '0', '0', '0', '0', '0', '1'],
      ],
    },
    {
      // Bots apart from billable counts; distinct visitors count every visitor, the crawler too.
      params: ['2026-11-10', '2026-11-11'],
      expected: [
        ['adv-bill', '2026-11-10', '4', '3', '5', '1', '1', '0', '7'],
        ['adv-bill', '2026-11-11', '1', '1', '1', '0', '0', '0', '1'],
      ],
    },
  ],
};

const queries = loadSavedQueries();

// The same lake as the raw arrivals only, compacted up to the middle of the deliveries (the view
// reads curated days and raw arrivals together), and compacted whole: the results must not change.
const COMPACTIONS = {
  'never compacted': [],
  'compacted up to 2026-11-02 12:00': ['2026-11-02T12:30:00.000Z'],
  'compacted twice, then whole': [
    '2026-11-01T12:30:00.000Z',
    '2026-11-02T12:30:00.000Z',
    '2026-11-06T00:30:00.000Z',
  ],
} as const;
type LakeState = keyof typeof COMPACTIONS;
const dataDirs = new Map<LakeState, string>();

beforeAll(async () => {
  for (const [state, runs] of Object.entries(COMPACTIONS) as [LakeState, readonly string[]][]) {
    const dataDir = mkdtempSync(join(tmpdir(), 'clickstream-queries-'));
    writeFixtureLake(join(dataDir, 'lake'));
    for (const at of runs) await compactLake({ lakeDir: join(dataDir, 'lake'), now: () => Date.parse(at) });
    dataDirs.set(state, dataDir);
  }
});
afterAll(() => {
  for (const dataDir of dataDirs.values()) rmSync(dataDir, { recursive: true, force: true });
});

describe('saved queries on DuckDB over the fixture lake', () => {
  it('has a hand-computed case for every file in queries/', () => {
    expect(Object.keys(CASES).sort()).toEqual(queries.map((q) => q.name));
  });

  const rows = Object.entries(CASES).flatMap(([name, cases]) =>
    Object.keys(COMPACTIONS).flatMap((state) =>
      cases.map((c) => ({ name, state: state as LakeState, ...c })),
    ),
  );
  it.each(rows)('$name $params ($state)', async ({ name, state, params, expected }) => {
    const query = findSavedQuery(queries, name);

    const result = await runLocally(query, parseParameterValues(query, params), {
      dataDir: dataDirs.get(state)!,
    });

    expect(result.rows).toEqual(expected);
  });
});
