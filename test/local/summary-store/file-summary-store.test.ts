import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toSummaryJson, type WindowSummary } from '../../../lambdas/aggregator/summary';
import { FileSummaryStore } from '../../../local/summary-store/file-summary-store';
import { windowSummary } from '../../lambdas/aggregator/support/builders';

let dataDir: string;
let store: FileSummaryStore;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'summary-store-'));
  store = new FileSummaryStore(dataDir);
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

const T = (iso: string) => Date.parse(iso);
function summary(
  advertiserId: string,
  windowStart: string,
  computedAt: string,
  impressions = 1,
): WindowSummary {
  return windowSummary({
    advertiserId,
    windowStart: T(windowStart),
    computedAt: T(computedAt),
    events: impressions,
    impressions,
  });
}

const W = '2026-11-22T10:00:00.000Z';
const EARLY = '2026-11-22T12:00:00.000Z';
const LATE = '2026-11-22T12:05:00.000Z';

describe('FileSummaryStore.upsert', () => {
  it.each([
    ['a newer computation replaces the stored one', EARLY, LATE, { written: 1, stale: 0 }, 2],
    ['an older retry leaves the stored one', LATE, EARLY, { written: 0, stale: 1 }, 1],
    ['the same computation again changes nothing', LATE, LATE, { written: 0, stale: 1 }, 1],
  ])('%s', async (_case, storedAt, incomingAt, outcome, impressions) => {
    await store.upsert([summary('a', W, storedAt, 1)]);

    const result = await store.upsert([summary('a', W, incomingAt, 2)]);

    expect(result).toEqual(outcome);
    const page = await store.query({ advertiserId: 'a', range: { from: T(W), to: T(W) + 1 }, limit: 10 });
    expect(page.summaries.map((s) => s.impressions)).toEqual([impressions]);
  });

  it('writes one JSON file per advertiser and UTC day in the summary JSON form, leaving no temporary files', async () => {
    const late = summary('a', '2026-11-22T23:45:00.000Z', LATE);
    const next = summary('a', '2026-11-23T00:00:00.000Z', LATE);

    await store.upsert([next, late]);

    expect((await readdir(join(dataDir, 'summaries', 'a'))).sort()).toEqual([
      '2026-11-22.json',
      '2026-11-23.json',
    ]);
    const day = JSON.parse(await readFile(join(dataDir, 'summaries', 'a', '2026-11-22.json'), 'utf8'));
    expect(day).toEqual([toSummaryJson(late)]);
  });

  it('keeps every concurrent upsert of the same file', async () => {
    const windows = Array.from({ length: 20 }, (_, i) => new Date(T(W) + i * 900_000).toISOString());

    await Promise.all(windows.map((w) => store.upsert([summary('a', w, LATE)])));

    const page = await store.query({
      advertiserId: 'a',
      range: { from: T(W), to: T(W) + 86_400_000 },
      limit: 100,
    });
    expect(page.summaries).toHaveLength(20);
  });

  it('refuses an advertiser id that could leave the directory', async () => {
    await expect(store.upsert([summary('../x', W, LATE)])).rejects.toThrow('not an advertiser id: "../x"');
  });
});

describe('FileSummaryStore.query', () => {
  beforeEach(async () => {
    await store.upsert(
      [
        '2026-11-21T23:45:00.000Z',
        '2026-11-22T00:00:00.000Z',
        '2026-11-22T00:15:00.000Z',
        '2026-11-23T00:00:00.000Z',
      ].map((w) => summary('a', w, LATE)),
    );
  });

  it('pages across day files, oldest window first', async () => {
    const range = { from: T('2026-11-21T00:00:00Z'), to: T('2026-11-24T00:00:00Z') };

    const first = await store.query({ advertiserId: 'a', range, limit: 3 });
    const second = await store.query({ advertiserId: 'a', range, limit: 3, after: first.after });

    expect(first.summaries.map((s) => new Date(s.windowStart).toISOString())).toEqual([
      '2026-11-21T23:45:00.000Z',
      '2026-11-22T00:00:00.000Z',
      '2026-11-22T00:15:00.000Z',
    ]);
    expect(first.after).toBe(T('2026-11-22T00:15:00Z'));
    expect(second).toEqual({
      summaries: [expect.objectContaining({ windowStart: T('2026-11-23T00:00:00Z') })],
    });
  });

  it.each([
    ['2026-11-22T00:00:00Z', '2026-11-22T00:15:00Z', ['2026-11-22T00:00:00.000Z']],
    ['2026-11-22T00:00:00.001Z', '2026-11-23T00:00:00Z', ['2026-11-22T00:15:00.000Z']],
    ['2026-11-24T00:00:00Z', '2026-11-25T00:00:00Z', []],
  ])('selects windows starting in [%s, %s)', async (from, to, expected) => {
    const page = await store.query({ advertiserId: 'a', range: { from: T(from), to: T(to) }, limit: 10 });

    expect(page.summaries.map((s) => new Date(s.windowStart).toISOString())).toEqual(expected);
  });

  it('finds nothing for an advertiser without summaries', async () => {
    const page = await store.query({ advertiserId: 'nobody', range: { from: 0, to: T(W) }, limit: 10 });

    expect(page).toEqual({ summaries: [] });
  });

  it('lists the advertisers that have summaries', async () => {
    await store.upsert([summary('B-2', W, LATE)]);

    expect(await store.advertisers()).toEqual(['B-2', 'a']);
  });

  it('names the file when a stored summary is malformed', async () => {
    await writeFile(join(dataDir, 'summaries', 'a', '2026-11-22.json'), '{"not": "a list"}');

    await expect(
      store.query({ advertiserId: 'a', range: { from: T(W) - 86_400_000, to: T(W) }, limit: 10 }),
    ).rejects.toThrow(/2026-11-22\.json: expected a JSON array of summaries/);
  });
});
