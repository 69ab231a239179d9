import { describe, expect, it } from 'vitest';
import { buildSummaries, summarizeAdvertiser, TOP_CAMPAIGNS } from '../../../lambdas/aggregator/summarize';
import type { WindowAggregate } from '../../../lambdas/aggregator/summary';
import { planRun } from '../../../lambdas/aggregator/windows';
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

  it('rounds money to micro-units so sums in any order agree', () => {
    const [summary] = buildSummaries(
      'a',
      { windows: [counts(T('11:00'), { revenue: 0.1 + 0.2, cost: 1.0000004999 })], lateArrivals: [] },
      plan,
      now,
    );

    expect([summary?.revenue, summary?.cost]).toEqual([0.3, 1]);
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
