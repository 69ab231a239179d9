import { describe, expect, it } from 'vitest';
import type {
  AdvertiserAggregation,
  AdvertisersAggregationRequest,
  BulkEventIndex,
} from '../../../lambdas/aggregator/ports';
import {
  ADVERTISERS_PER_BULK,
  buildSummaries,
  summarizeAdvertiser,
  summarizeAdvertiserRange,
  summarizeTargets,
  TOP_CAMPAIGNS,
} from '../../../lambdas/aggregator/summarize';
import type { WindowAggregate } from '../../../lambdas/aggregator/summary';
import { planRun, WINDOW_MS } from '../../../lambdas/aggregator/windows';
import { windowAggregate } from './support/builders';
import { FakeEventIndex } from './support/fake-event-index';
import { MemorySummaryStore } from './support/memory-summary-store';

const T = (hhmm: string) => Date.parse(`2026-11-22T${hhmm}:00.000Z`);
const settings = { latenessHorizonMinutes: 60, summaryScheduleMinutes: 15 };
const now = T('12:07');
const plan = planRun(now, settings);

/** A window with one impression unless told. */
function counts(windowStart: number, fields: Partial<WindowAggregate> = {}): WindowAggregate {
  return windowAggregate(windowStart, { events: 1, impressions: 1, ...fields });
}

describe('buildSummaries', () => {
  it.each([
    ['10:30', true],
    ['10:45', true],
    ['11:00', false],
    ['12:00', false],
  ])('marks the window starting %s final: %s', (start, final) => {
    const [summary] = buildSummaries('a', { windows: [counts(T(start))], lateArrivals: [] }, plan, now);

    expect(summary?.final).toBe(final);
  });

  it('gives a window with only late arrivals a summary of zeros carrying the late count', () => {
    const summaries = buildSummaries(
      'a',
      { windows: [], lateArrivals: [{ windowStart: T('11:30'), count: 4 }] },
      plan,
      now,
    );

    expect(summaries).toEqual([
      expect.objectContaining({
        windowStart: T('11:30'),
        events: 0,
        impressions: 0,
        lateEvents: 4,
        final: false,
      }),
    ]);
  });

  it('merges counts and late arrivals of the same window, oldest window first', () => {
    const summaries = buildSummaries(
      'a',
      {
        windows: [counts(T('11:45')), counts(T('11:00'))],
        lateArrivals: [{ windowStart: T('11:45'), count: 2 }],
      },
      plan,
      now,
    );

    expect(summaries.map((s) => [s.windowStart, s.events, s.lateEvents])).toEqual([
      [T('11:00'), 1, 0],
      [T('11:45'), 1, 2],
    ]);
  });

  it('leaves out windows outside the run, should an index return them', () => {
    const summaries = buildSummaries(
      'a',
      { windows: [counts(T('10:15')), counts(T('12:15'))], lateArrivals: [] },
      plan,
      now,
    );

    expect(summaries).toEqual([]);
  });

  it('rounds money to micro-units so sums in any order agree, each currency apart, in code order', () => {
    const [summary] = buildSummaries(
      'a',
      {
        windows: [
          counts(T('11:00'), {
            revenueByCurrency: { USD: 0.1 + 0.2, EUR: 100 },
            costByCurrency: { JPY: 1.0000004999 },
          }),
        ],
        lateArrivals: [],
      },
      plan,
      now,
    );

    expect(summary?.revenueByCurrency).toEqual({ EUR: 100, USD: 0.3 });
    expect(Object.keys(summary?.revenueByCurrency ?? {})).toEqual(['EUR', 'USD']);
    expect(summary?.costByCurrency).toEqual({ JPY: 1 });
  });
});

describe('summarizeAdvertiser', () => {
  it('asks the index for the run plan and stores every summary', async () => {
    const index = new FakeEventIndex([], {
      windows: [counts(T('11:00')), counts(T('11:15'))],
      lateArrivals: [],
    });
    const store = new MemorySummaryStore();

    const outcome = await summarizeAdvertiser(
      { eventIndex: index, summaryStore: store, clock: () => now, settings },
      'a',
    );

    expect(index.aggregationRequests).toEqual([
      { advertiserId: 'a', windows: plan.windows, horizonMs: plan.horizonMs, topCampaigns: TOP_CAMPAIGNS },
    ]);
    expect(outcome).toEqual({ advertiserId: 'a', windowsWritten: 2, windowsStale: 0, lateEvents: 0 });
    expect(store.all().map((s) => s.computedAt)).toEqual([now, now]);
  });

  it('lets a later run replace a window and an earlier retry change nothing', async () => {
    const store = new MemorySummaryStore();
    const run = (at: number, impressions: number) =>
      summarizeAdvertiser(
        {
          eventIndex: new FakeEventIndex([], {
            windows: [counts(T('11:00'), { impressions })],
            lateArrivals: [],
          }),
          summaryStore: store,
          clock: () => at,
          settings,
        },
        'a',
      );

    await run(now, 5);
    const retryOfOlder = await run(now - 60_000, 3);

    expect(retryOfOlder.windowsStale).toBe(1);
    expect(store.all().map((s) => s.impressions)).toEqual([5]);
  });
});

describe('summarizeAdvertiserRange', () => {
  it('asks the index for the given range, also past the horizon, and stores those windows as final', async () => {
    const range = { from: T('02:00'), to: plan.windows.to };
    const index = new FakeEventIndex([], {
      windows: [counts(T('02:00')), counts(T('11:00')), counts(T('12:00'))],
      lateArrivals: [],
    });
    const store = new MemorySummaryStore();

    const outcome = await summarizeAdvertiserRange(
      { eventIndex: index, summaryStore: store, clock: () => now, settings },
      'a',
      range,
    );

    expect(index.aggregationRequests).toEqual([
      { advertiserId: 'a', windows: range, horizonMs: plan.horizonMs, topCampaigns: TOP_CAMPAIGNS },
    ]);
    expect(outcome.windowsWritten).toBe(3);
    expect(store.all().map((s) => [s.windowStart, s.final])).toEqual([
      [T('02:00'), true],
      [T('11:00'), false],
      [T('12:00'), false],
    ]);
  });

  it('stores nothing outside the range, whatever the index answers', async () => {
    const range = { from: T('11:00'), to: T('11:00') + WINDOW_MS };
    const index = new FakeEventIndex([], {
      windows: [counts(T('10:45')), counts(T('11:00')), counts(T('11:15'))],
      lateArrivals: [{ windowStart: T('11:15'), count: 2 }],
    });
    const store = new MemorySummaryStore();

    await summarizeAdvertiserRange(
      { eventIndex: index, summaryStore: store, clock: () => now, settings },
      'a',
      range,
    );

    expect(store.all().map((s) => s.windowStart)).toEqual([T('11:00')]);
  });
});

/** A bulk index answering from canned aggregations per advertiser; records what it was asked. */
class FakeBulkEventIndex extends FakeEventIndex implements BulkEventIndex {
  readonly bulkRequests: AdvertisersAggregationRequest[] = [];
  constructor(private readonly byAdvertiser: ReadonlyMap<string, AdvertiserAggregation>) {
    super();
  }
  async aggregateAdvertisers(request: AdvertisersAggregationRequest) {
    this.bulkRequests.push(request);
    return this.byAdvertiser;
  }
}

describe('summarizeTargets', () => {
  const range = plan.windows;
  const aggregationOf = (impressions: number): AdvertiserAggregation => ({
    windows: [counts(T('02:00'), { impressions }), counts(T('11:00'), { impressions })],
    lateArrivals: [],
  });
  const deps = (eventIndex: FakeEventIndex, summaryStore = new MemorySummaryStore()) => ({
    eventIndex,
    summaryStore,
    clock: () => now,
    settings,
  });

  it('asks a bulk index once over the union of the ranges; each advertiser keeps its own range', async () => {
    const index = new FakeBulkEventIndex(
      new Map([
        ['a', aggregationOf(2)],
        ['b', aggregationOf(3)],
      ]),
    );
    const store = new MemorySummaryStore();
    const backfill = { from: T('02:00'), to: range.to };

    const outcomes = await summarizeTargets(deps(index, store), [
      { advertiserId: 'a', windows: backfill },
      { advertiserId: 'b', windows: range },
      { advertiserId: 'c', windows: range },
    ]);

    expect(index.bulkRequests).toEqual([
      {
        advertiserIds: ['a', 'b', 'c'],
        windows: backfill,
        horizonMs: plan.horizonMs,
        topCampaigns: TOP_CAMPAIGNS,
      },
    ]);
    expect(index.aggregationRequests).toEqual([]);
    expect(outcomes.map((o) => [o.advertiserId, o.windowsWritten])).toEqual([
      ['a', 2],
      ['b', 1],
      ['c', 0],
    ]);
    expect(store.all().map((s) => [s.advertiserId, s.windowStart, s.impressions])).toEqual([
      ['a', T('02:00'), 2],
      ['a', T('11:00'), 2],
      ['b', T('11:00'), 3],
    ]);
  });

  it('asks a bulk index for at most ADVERTISERS_PER_BULK advertisers at a time', async () => {
    const index = new FakeBulkEventIndex(new Map());
    const targets = Array.from({ length: ADVERTISERS_PER_BULK + 1 }, (_, i) => ({
      advertiserId: `a${i}`,
      windows: range,
    }));

    const outcomes = await summarizeTargets(deps(index), targets);

    expect(index.bulkRequests.map((r) => r.advertiserIds.length)).toEqual([ADVERTISERS_PER_BULK, 1]);
    expect(outcomes).toHaveLength(ADVERTISERS_PER_BULK + 1);
  });

  it('sends any other index one request per advertiser with its own range, as the AWS workers do', async () => {
    const index = new FakeEventIndex([], aggregationOf(1));
    const backfill = { from: T('02:00'), to: range.to };

    await summarizeTargets(deps(index), [
      { advertiserId: 'a', windows: backfill },
      { advertiserId: 'b', windows: range },
    ]);

    expect(index.aggregationRequests.map((r) => [r.advertiserId, r.windows])).toEqual([
      ['a', backfill],
      ['b', range],
    ]);
  });
});
