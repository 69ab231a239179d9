import { Client } from '@opensearch-project/opensearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../contract';
import { activeAdvertiserPages, dispatchAdvertisers } from '../../../lambdas/aggregator/dispatch';
import { OpenSearchEventIndex } from '../../../lambdas/aggregator/opensearch/event-index';
import { listAdvertisersBody } from '../../../lambdas/aggregator/opensearch/requests';
import type { JobQueue, SummaryJob } from '../../../lambdas/aggregator/ports';
import { summarizeAdvertiser } from '../../../lambdas/aggregator/summarize';
import { toSummaryJson } from '../../../lambdas/aggregator/summary';
import { planRun } from '../../../lambdas/aggregator/windows';
import { MemorySummaryStore } from '../../lambdas/aggregator/support/memory-summary-store';
import { SCENARIO_NOW, SCENARIO_SETTINGS, SCENARIOS } from '../../lambdas/aggregator/support/scenarios';
import { engineUrl } from '../engine-url';
import { freshIndexSetup, indexEvents, nodeHttp } from './support/node';

// The dispatcher's and the worker's core through the Lambdas' adapter (OpenSearchEventIndex) with
// a plain client: the real requests and the real node's answers.
const url = engineUrl('opensearch');
const http = nodeHttp(url);
const client = new Client({ node: url });
const eventIndex = new OpenSearchEventIndex(client);
const range = planRun(SCENARIO_NOW, SCENARIO_SETTINGS).windows;

afterAll(async () => {
  await client.close();
});

/** A queue that keeps what the dispatcher enqueues. */
function recordingQueue(): JobQueue & { jobs: SummaryJob[] } {
  const jobs: SummaryJob[] = [];
  return {
    jobs,
    async enqueue(batch) {
      jobs.push(...batch);
    },
  };
}

const dispatchDeps = (jobQueue: JobQueue) => ({
  eventIndex,
  jobQueue,
  clock: () => SCENARIO_NOW,
  settings: SCENARIO_SETTINGS,
});

function storedEvent(advertiserId: string, eventTime: string, receivedAt: string): StoredEvent {
  return {
    event_id: `${advertiserId}-${eventTime}`,
    event_type: 'impression',
    advertiser_id: advertiserId,
    event_time: eventTime,
    received_at: receivedAt,
  };
}

describe('with no events-* index (a fresh deploy, or idle past the retention)', () => {
  beforeAll(async () => {
    await freshIndexSetup(http);
  });

  it('the node answers a search over events-* with no shard and no aggregations', async () => {
    const response = await client.search({ index: 'events-*', body: listAdvertisersBody(range, 1000) });

    expect(response.body).toEqual({
      took: expect.any(Number),
      timed_out: false,
      _shards: { total: 0, successful: 0, skipped: 0, failed: 0 },
      hits: { max_score: 0, hits: [] },
    });
  });

  it('the dispatcher enqueues no job and does not throw', async () => {
    const queue = recordingQueue();

    const outcome = await dispatchAdvertisers(dispatchDeps(queue));

    expect(outcome).toEqual({ advertisers: 0, pages: 0 });
    expect(queue.jobs).toEqual([]);
  });

  it('a worker whose job outlived the indices writes no summary and does not throw', async () => {
    const summaryStore = new MemorySummaryStore();

    const outcome = await summarizeAdvertiser(
      { eventIndex, summaryStore, clock: () => SCENARIO_NOW, settings: SCENARIO_SETTINGS },
      'adv-gone',
    );

    expect(outcome).toEqual({ advertiserId: 'adv-gone', windowsWritten: 0, windowsStale: 0, lateEvents: 0 });
    expect(summaryStore.all()).toEqual([]);
  });
});

describe('the dispatcher pages through many advertisers', () => {
  const active = Array.from({ length: 41 }, (_, i) => `adv-${String(i).padStart(2, '0')}`);
  // Active by arrival only: an old event that arrived inside the run's range.
  const arrivedLate = 'adv-late-arrival';
  const expected = [...active, arrivedLate].sort();

  beforeAll(async () => {
    await freshIndexSetup(http);
    await indexEvents(http, [
      ...active.map((id) => storedEvent(id, '2026-11-22T11:50:00.000Z', '2026-11-22T11:50:30.000Z')),
      storedEvent(arrivedLate, '2026-11-21T09:00:00.000Z', '2026-11-22T11:40:00.000Z'),
      // Neither its event time nor its arrival lies in the range.
      storedEvent('adv-inactive', '2026-11-22T08:00:00.000Z', '2026-11-22T08:00:30.000Z'),
    ]);
  });

  it.each([
    { size: 4, pages: 11 },
    // 42 advertisers fill 7 pages exactly: the 8th request answers an empty page.
    { size: 6, pages: 7 },
    { size: 1000, pages: 1 },
  ])('in pages of $size: every active advertiser once, in id order', async ({ size, pages }) => {
    const listed: (readonly string[])[] = [];

    for await (const page of activeAdvertiserPages(eventIndex, range, size)) listed.push(page);

    expect(listed).toHaveLength(pages);
    expect(listed.flat()).toEqual(expected);
    expect(listed.slice(0, -1).every((page) => page.length === size)).toBe(true);
  });

  it('enqueues one job per active advertiser', async () => {
    const queue = recordingQueue();

    const outcome = await dispatchAdvertisers(dispatchDeps(queue));

    expect(outcome).toEqual({ advertisers: expected.length, pages: 1 });
    expect(queue.jobs).toEqual(
      expected.map((advertiserId) => ({ advertiserId, dispatchedAt: SCENARIO_NOW })),
    );
  });
});

describe('the worker', () => {
  const scenario = SCENARIOS.find((s) => s.id === 'duplicates')!;

  beforeAll(async () => {
    await freshIndexSetup(http);
    await indexEvents(http, scenario.events);
  });

  it("stores its advertiser's summaries from one aggregation of the real index", async () => {
    const summaryStore = new MemorySummaryStore();

    const outcome = await summarizeAdvertiser(
      { eventIndex, summaryStore, clock: () => SCENARIO_NOW, settings: SCENARIO_SETTINGS },
      'dup',
    );

    expect(outcome).toEqual({ advertiserId: 'dup', windowsWritten: 1, windowsStale: 0, lateEvents: 0 });
    expect(summaryStore.all().map(toSummaryJson)).toEqual(scenario.expected);
  });
});
