import type { Clock, EventIndex, JobQueue } from './ports';
import { planRun, type SummarySettings } from './windows';

/** Advertisers per aggregation page; OpenSearch's composite aggregation pages comfortably at this size. */
export const ADVERTISER_PAGE_SIZE = 1000;

export interface DispatchDeps {
  readonly eventIndex: EventIndex;
  readonly jobQueue: JobQueue;
  readonly clock: Clock;
  readonly settings: SummarySettings;
}

export interface DispatchOutcome {
  readonly advertisers: number;
  readonly pages: number;
}

/**
 * Enqueues one job per advertiser with events (by event time or by arrival) in the run's range,
 * page by page, so memory stays flat however many advertisers there are.
 */
export async function dispatchAdvertisers(deps: DispatchDeps): Promise<DispatchOutcome> {
  const dispatchedAt = deps.clock();
  const range = planRun(dispatchedAt, deps.settings).windows;
  let advertisers = 0;
  let pages = 0;
  for await (const advertiserIds of activeAdvertiserPages(deps.eventIndex, range)) {
    await deps.jobQueue.enqueue(advertiserIds.map((advertiserId) => ({ advertiserId, dispatchedAt })));
    advertisers += advertiserIds.length;
    pages += 1;
  }
  return { advertisers, pages };
}

/** Every page of active advertisers in the range, following the index's cursor to the end. */
export async function* activeAdvertiserPages(
  eventIndex: EventIndex,
  range: { from: number; to: number },
  size = ADVERTISER_PAGE_SIZE,
): AsyncGenerator<readonly string[]> {
  let after: string | undefined;
  do {
    const page = await eventIndex.listActiveAdvertisers(
      range,
      after === undefined ? { size } : { size, after },
    );
    if (page.advertiserIds.length > 0) yield page.advertiserIds;
    after = page.next;
  } while (after !== undefined);
}
