import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSavedQueries } from '../../analytics/catalog';
import { runLocally } from '../../analytics/local-runner';
import { findSavedQuery } from '../../analytics/lookup';
import { parseParameterValues } from '../../analytics/parameters';
import { writeFixtureLake } from '../analytics/lake-fixture';

// Expected rows are worked out by hand from the deliveries listed in lake-fixture.ts; values are
// the text both engines return (NULL as null). The late-arrival percentiles follow the nearest-rank
// rule (the ceil(p * n)-th smallest delay), which is what quantile_disc returns; Trino's T-digest may
// land a rank away (p50 of the 11-01 delays is 3 on Trino 483), as the engine suite allows.
const CASES: Record<string, { params: string[]; expected: (string | null)[][] }[]> = {
  ctr_by_campaign: [
    {
      // e02 and e03 arrive twice; e07 arrives 48 hours late, on dt=2026-11-03, inside the margin.
      params: ['2026-11-01', '2026-11-02'],
      expected: [
        ['adv-a', 'c1', '3', '2', '1', String(2 / 3), '0.5', '20'],
        ['adv-b', 'c2', '1', '0', '0', '0', null, '0'],
      ],
    },
    {
      params: ['2026-11-02', '2026-11-02'],
      expected: [['adv-a', 'c1', '1', '1', '0', '1', '0', '0']],
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
        ['adv-a', '2026-11-01', '2', '1', '1', '1', '20', '1', '2'],
        ['adv-a', '2026-11-02', '1', '1', '0', '3', '0', '0.5', '5'],
        ['adv-b', '2026-11-01', '1', '0', '0', '0', '0', '1', '1'],
      ],
    },
  ],
};

const queries = loadSavedQueries();
let dataDir: string;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'clickstream-queries-'));
  writeFixtureLake(join(dataDir, 'lake'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('saved queries on DuckDB over the fixture lake', () => {
  it('has a hand-computed case for every file in queries/', () => {
    expect(Object.keys(CASES).sort()).toEqual(queries.map((q) => q.name));
  });

  const rows = Object.entries(CASES).flatMap(([name, cases]) => cases.map((c) => ({ name, ...c })));
  it.each(rows)('$name $params', async ({ name, params, expected }) => {
    const query = findSavedQuery(queries, name);

    const result = await runLocally(query, parseParameterValues(query, params), { dataDir });

    expect(result.rows).toEqual(expected);
  });
});
