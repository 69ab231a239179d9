import { describe, expect, it } from 'vitest';
import { dispatchAdvertisers } from '../../../lambdas/aggregator/dispatch';
import type { JobQueue, SummaryJob } from '../../../lambdas/aggregator/ports';
import { planRun } from '../../../lambdas/aggregator/windows';
import { FakeEventIndex } from './support/fake-event-index';

class RecordingQueue implements JobQueue {
  readonly calls: SummaryJob[][] = [];
  async enqueue(jobs: readonly SummaryJob[]): Promise<void> {
    this.calls.push([...jobs]);
  }
}

const now = Date.parse('2026-11-22T12:07:00.000Z');
const settings = { latenessHorizonMinutes: 180, summaryScheduleMinutes: 15 };

describe('dispatchAdvertisers', () => {
  it.each([
    [0, 0, 1],
    [1, 1, 1],
    [1000, 1, 2],
    [2500, 3, 3],
  ])('enqueues %i advertisers in %i page(s) after %i listing request(s)', async (count, pages, listings) => {
    const ids = Array.from({ length: count }, (_, i) => `adv-${String(i).padStart(5, '0')}`);
    const index = new FakeEventIndex(ids);
    const queue = new RecordingQueue();

    const outcome = await dispatchAdvertisers({
      eventIndex: index,
      jobQueue: queue,
      clock: () => now,
      settings,
    });

    expect(outcome).toEqual({ advertisers: count, pages });
    expect(queue.calls.flat().map((job) => job.advertiserId)).toEqual(ids);
    expect(index.listings).toHaveLength(listings);
  });

  it('lists advertisers over the run range and stamps every job with the dispatch time', async () => {
    const index = new FakeEventIndex(['a', 'b']);
    const queue = new RecordingQueue();

    await dispatchAdvertisers({ eventIndex: index, jobQueue: queue, clock: () => now, settings });

    expect(index.listings[0]?.range).toEqual(planRun(now, settings).windows);
    expect(queue.calls).toEqual([
      [
        { advertiserId: 'a', dispatchedAt: now },
        { advertiserId: 'b', dispatchedAt: now },
      ],
    ]);
  });
});
