import { activeAdvertiserPages } from './dispatch';
import type { Clock, EventIndex, SummaryStore } from './ports';
import { summarizeTargets } from './summarize';
import { planRun, type SummarySettings } from './windows';

export interface SummaryCycleDeps {
  readonly eventIndex: EventIndex;
  readonly summaryStore: SummaryStore;
  readonly clock: Clock;
  readonly settings: SummarySettings;
  /** Advertisers per listing page. @default ADVERTISER_PAGE_SIZE */
  readonly advertiserPageSize?: number;
  /** Called after each advertiser, for progress output on long runs. */
  readonly onAdvertiser?: (done: number) => void;
}

export interface SummaryCycleOutcome {
  readonly advertisers: number;
  readonly windowsWritten: number;
  readonly windowsStale: number;
  readonly lateEvents: number;
}

/**
 * One local run of what the dispatcher and the workers do on AWS: every advertiser active in the
 * run's range, summarised a listing page at a time with the same core (one aggregation for many
 * advertisers when the index can do that in one pass). The local pipeline calls it on a schedule
 * and on demand.
 */
export async function runSummaryCycle(deps: SummaryCycleDeps): Promise<SummaryCycleOutcome> {
  const range = planRun(deps.clock(), deps.settings).windows;
  const totals = { advertisers: 0, windowsWritten: 0, windowsStale: 0, lateEvents: 0 };
  for await (const advertiserIds of activeAdvertiserPages(deps.eventIndex, range, deps.advertiserPageSize)) {
    const targets = advertiserIds.map((advertiserId) => ({ advertiserId, windows: range }));
    for (const outcome of await summarizeTargets(deps, targets)) {
      totals.advertisers += 1;
      totals.windowsWritten += outcome.windowsWritten;
      totals.windowsStale += outcome.windowsStale;
      totals.lateEvents += outcome.lateEvents;
      deps.onAdvertiser?.(totals.advertisers);
    }
  }
  return totals;
}
