import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SummaryJson, toSummaryJson, type WindowSummary } from '../../../lambdas/aggregator/summary';
import { FileSummaryStore } from '../../../local/summary-store/file-summary-store';
import { windowSummary } from '../../lambdas/aggregator/support/builders';

const NOW = Date.parse('2026-11-22T13:00:00.000Z');
const STAMP = '20261122T130000000Z';

let dataDir: string;
let store: FileSummaryStore;
let problems: string[];
let notices: string[];
function openStore(): FileSummaryStore {
  return new FileSummaryStore(dataDir, {
    clock: () => NOW,
    onProblem: (message) => problems.push(message),
    onNotice: (message) => notices.push(message),
  });
}
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'summary-store-'));
  problems = [];
  notices = [];
  store = openStore();
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

  it('skips a corrupt file, naming it once, and returns the other days', async () => {
    const corrupt = join(dataDir, 'summaries', 'a', '2026-11-22.json');
    await writeFile(corrupt, '{"not": "a list"}');
    const range = { from: T('2026-11-21T00:00:00Z'), to: T('2026-11-24T00:00:00Z') };

    const first = await store.query({ advertiserId: 'a', range, limit: 10 });
    const second = await store.query({ advertiserId: 'a', range, limit: 10 });

    for (const page of [first, second]) {
      expect(page.summaries.map((s) => new Date(s.windowStart).toISOString())).toEqual([
        '2026-11-21T23:45:00.000Z',
        '2026-11-23T00:00:00.000Z',
      ]);
    }
    expect(problems).toEqual([`skipped ${corrupt}: expected a JSON array of summaries`]);
    // A reader leaves the file where it is; the next write of that day moves it aside.
    expect(await readFile(corrupt, 'utf8')).toBe('{"not": "a list"}');
  });
});

describe('FileSummaryStore.query, a day file it cannot read', () => {
  it('is skipped and named once, and the other days are returned', async () => {
    await store.upsert([summary('a', '2026-11-21T23:45:00.000Z', LATE)]);
    const unreadable = join(dataDir, 'summaries', 'a', '2026-11-22.json');
    await mkdir(unreadable);
    const range = { from: T('2026-11-21T00:00:00Z'), to: T('2026-11-24T00:00:00Z') };

    await store.query({ advertiserId: 'a', range, limit: 10 });
    const page = await store.query({ advertiserId: 'a', range, limit: 10 });

    expect(page.summaries.map((s) => new Date(s.windowStart).toISOString())).toEqual([
      '2026-11-21T23:45:00.000Z',
    ]);
    expect(problems).toEqual([
      expect.stringMatching(/^skipped .*2026-11-22\.json: could not read it \(EISDIR/),
    ]);
  });
});

describe('FileSummaryStore, advertiser ids that differ only in case', () => {
  it('keeps ADV-IN and adv-in in folders whose names differ in any case', async () => {
    await store.upsert([summary('ADV-IN', W, LATE, 1), summary('adv-in', W, LATE, 2)]);

    const range = { from: T(W), to: T(W) + 1 };
    const upper = await store.query({ advertiserId: 'ADV-IN', range, limit: 10 });
    const lower = await store.query({ advertiserId: 'adv-in', range, limit: 10 });

    expect(upper.summaries.map((s) => [s.advertiserId, s.impressions])).toEqual([['ADV-IN', 1]]);
    expect(lower.summaries.map((s) => [s.advertiserId, s.impressions])).toEqual([['adv-in', 2]]);
    expect((await readdir(join(dataDir, 'summaries'))).sort()).toEqual([
      '+a+d+v-+i+n',
      'adv-in',
      'layout.json',
    ]);
    expect(await store.advertisers()).toEqual(['ADV-IN', 'adv-in']);
  });
});

describe('FileSummaryStore, a corrupt summary file', () => {
  const day = '2026-11-22';
  beforeEach(async () => {
    // A store in use: the corrupt files below are then not mistaken for the previous layout.
    await store.upsert([summary('c', W, EARLY)]);
  });
  const stored = (advertiserId: string, windowStart: string) =>
    toSummaryJson(summary(advertiserId, windowStart, EARLY));
  // What version 1 wrote: no bot counts, revenue and cost as numbers, conversion_rate.
  const v1 = (json: SummaryJson) => {
    const { bot_impressions, bot_clicks, revenue_by_currency, cost_by_currency, top_pages, ...kept } = json;
    const { conversions_per_click, ...rest } = kept;
    return { ...rest, revenue: 0, cost: 0, conversion_rate: conversions_per_click };
  };

  it.each([
    ['cut short', '[{"advertiser_id": "a",', /^not valid JSON \(.+\)$/],
    ['not a list', '{"not": "a list"}', /^expected a JSON array of summaries$/],
    [
      'a summary with a field of the wrong type',
      JSON.stringify([{ ...stored('a', W), events: 'many' }]),
      /^summary 1: stored summary field events must be a number$/,
    ],
    [
      "another advertiser's summary",
      JSON.stringify([stored('a', W), stored('b', W)]),
      /^summary 2 belongs to advertiser "b", not "a"$/,
    ],
    [
      'a window of another day',
      JSON.stringify([stored('a', '2026-11-23T00:00:00.000Z')]),
      /^summary 1 starts at 2026-11-23T00:00:00.000Z, not on 2026-11-22$/,
    ],
    [
      'a summary of version 1 (bots counted, currencies added)',
      JSON.stringify([v1(stored('a', W))]),
      /^summary 1: the stored summary of a at 2026-11-22T10:00:00.000Z is in the v1 form .* recompute its window from the events$/,
    ],
  ])('holding %s is moved aside, named in a report, and the write goes on', async (_case, text, problem) => {
    const path = join(dataDir, 'summaries', 'a', `${day}.json`);
    await mkdir(join(dataDir, 'summaries', 'a'), { recursive: true });
    await writeFile(path, text);

    const result = await store.upsert([summary('a', W, LATE, 3), summary('b', W, LATE, 4)]);

    expect(result).toEqual({ written: 2, stale: 0 });
    const range = { from: T(W), to: T(W) + 1 };
    expect((await store.query({ advertiserId: 'a', range, limit: 10 })).summaries).toEqual([
      summary('a', W, LATE, 3),
    ]);
    expect((await store.query({ advertiserId: 'b', range, limit: 10 })).summaries).toEqual([
      summary('b', W, LATE, 4),
    ]);
    const movedTo = join(dataDir, 'summaries', 'a', 'corrupt', `${day}.${STAMP}.json`);
    expect(await readFile(movedTo, 'utf8')).toBe(text);
    expect(problems).toHaveLength(1);
    const [report] = problems;
    expect(report).toContain(`${path} is corrupt (`);
    expect(report).toContain(`moved it to ${movedTo}`);
    const reason = /is corrupt \((.*)\); moved it/.exec(report ?? '')?.[1];
    expect(reason).toMatch(problem);
  });

  it('that cannot be read fails only its own write, naming it', async () => {
    // A folder where the day file should be: reading it fails with EISDIR, as with EACCES or EIO.
    const unreadable = join(dataDir, 'summaries', 'a', `${day}.json`);
    await mkdir(unreadable, { recursive: true });

    const upsert = store.upsert([
      summary('a', W, LATE),
      summary('a', '2026-11-23T00:00:00.000Z', LATE),
      summary('b', W, LATE),
    ]);

    await expect(upsert).rejects.toThrow(unreadable);
    const all = { from: T(W), to: T('2026-11-24T00:00:00Z') };
    const a = await store.query({
      advertiserId: 'a',
      range: { ...all, from: T('2026-11-23T00:00:00Z') },
      limit: 10,
    });
    const b = await store.query({ advertiserId: 'b', range: all, limit: 10 });
    expect(a.summaries).toHaveLength(1);
    expect(b.summaries).toHaveLength(1);
  });
});

describe('FileSummaryStore, a data dir of the layout before case-safe folder names', () => {
  const day = '2026-11-22';
  const W2 = '2026-11-22T10:15:00.000Z';
  async function writeOldFile(folder: string, name: string, content: string): Promise<void> {
    await mkdir(join(dataDir, 'summaries', folder), { recursive: true });
    await writeFile(join(dataDir, 'summaries', folder, name), content);
  }
  const json = (...summaries: WindowSummary[]) => JSON.stringify(summaries.map(toSummaryJson));

  it('is moved to the new folders on first use, with one notice, and reads as before', async () => {
    await writeOldFile('ADV-IN', `${day}.json`, json(summary('ADV-IN', W, LATE, 1)));
    // What a case-insensitive file system made of ADV-IN and adv-in: one folder holding both.
    await writeOldFile(
      'adv-in',
      `${day}.json`,
      json(summary('adv-in', W, LATE, 2), summary('ADV-IN', W2, LATE, 5)),
    );
    await writeOldFile('plain', `${day}.json`, json(summary('plain', W, LATE, 3)));
    await writeOldFile('ADV-IN', '2026-11-23.json', 'garbage');

    const range = { from: T(W), to: T('2026-11-23T00:00:00Z') };
    const read = async (advertiserId: string) =>
      (await store.query({ advertiserId, range, limit: 10 })).summaries.map((s) => [
        s.advertiserId,
        new Date(s.windowStart).toISOString(),
        s.impressions,
      ]);

    expect(await read('ADV-IN')).toEqual([
      ['ADV-IN', W, 1],
      ['ADV-IN', W2, 5],
    ]);
    expect(await read('adv-in')).toEqual([['adv-in', W, 2]]);
    expect(await read('plain')).toEqual([['plain', W, 3]]);
    expect((await readdir(join(dataDir, 'summaries'))).sort()).toEqual([
      '+a+d+v-+i+n',
      'adv-in',
      'layout.json',
      'plain',
    ]);
    expect(
      await readFile(
        join(dataDir, 'summaries', '+a+d+v-+i+n', 'corrupt', `2026-11-23.${STAMP}.json`),
        'utf8',
      ),
    ).toBe('garbage');
    expect(notices).toEqual([
      `moved the summaries of 2 advertiser folder(s) (ADV-IN, adv-in) to case-safe folder names (docs/summaries.md)`,
    ]);
    expect(problems).toEqual([expect.stringContaining('2026-11-23.json is corrupt (not valid JSON')]);

    notices = [];
    expect(await openStore().advertisers()).toEqual(['ADV-IN', 'adv-in', 'plain']);
    expect(notices).toEqual([]);
  });

  it('moves what it can read, and leaves a file it cannot read for the next start', async () => {
    await writeOldFile('ADV-IN', `${day}.json`, json(summary('ADV-IN', W, LATE, 1)));
    const unreadable = join(dataDir, 'summaries', 'ADV-IN.layout1', '2026-11-23.json');
    await mkdir(join(dataDir, 'summaries', 'ADV-IN', '2026-11-23.json'));

    const page = await store.query({
      advertiserId: 'ADV-IN',
      range: { from: T(W), to: T(W) + 1 },
      limit: 10,
    });

    expect(page.summaries.map((s) => s.impressions)).toEqual([1]);
    expect(problems).toEqual([
      expect.stringContaining(`could not move ${unreadable} to its case-safe folder (EISDIR`),
    ]);
    expect((await readdir(join(dataDir, 'summaries'))).sort()).toEqual(['+a+d+v-+i+n', 'ADV-IN.layout1']);
  });

  it('finishes a move that a crash interrupted', async () => {
    // The move renames an old folder aside first, then writes its summaries into the new folders.
    await writeOldFile('ADV-IN.layout1', `${day}.json`, json(summary('ADV-IN', W, LATE, 1)));

    const page = await store.query({
      advertiserId: 'ADV-IN',
      range: { from: T(W), to: T(W) + 1 },
      limit: 10,
    });

    expect(page.summaries.map((s) => s.impressions)).toEqual([1]);
    expect((await readdir(join(dataDir, 'summaries'))).sort()).toEqual(['+a+d+v-+i+n', 'layout.json']);
  });
});
