import type { SummaryPage, SummaryQuery, SummaryStore, UpsertOutcome } from '../../lambdas/aggregator/ports';
import type { WindowSummary } from '../../lambdas/aggregator/summary';

/** Where stored windows are announced: the live hub. */
export interface StoredWindowsListener {
  /** Whether a push of this advertiser's windows would reach anyone. */
  isFollowed(advertiserId: string): boolean;
  publishSummaries(summaries: readonly WindowSummary[]): void;
}

/**
 * A summary store that announces each window it stores, as DynamoDB Streams announce the summary
 * table's writes to the push Lambda on AWS. Every run of the local pipeline writes through it, so
 * a scheduled run, a delivery's run and a replay's backfill all push.
 */
export class LiveSummaryStore implements SummaryStore {
  constructor(
    private readonly store: SummaryStore,
    private readonly listener: StoredWindowsListener,
  ) {}

  async upsert(summaries: readonly WindowSummary[]): Promise<UpsertOutcome> {
    const outcome = await this.store.upsert(summaries);
    const followed = summaries.filter((s) => this.listener.isFollowed(s.advertiserId));
    if (outcome.written === 0 || followed.length === 0) return outcome;
    if (outcome.stale === 0) this.listener.publishSummaries(followed);
    // Some were not stored (the store held a computation as recent): push what it holds for the
    // windows written, never a computation it refused.
    else this.listener.publishSummaries(await this.storedVersions(followed));
    return outcome;
  }

  private async storedVersions(summaries: readonly WindowSummary[]): Promise<WindowSummary[]> {
    const stored: WindowSummary[] = [];
    for (const advertiserId of new Set(summaries.map((s) => s.advertiserId))) {
      const mine = summaries.filter((s) => s.advertiserId === advertiserId);
      const wanted = new Map(mine.map((s) => [s.windowStart, s.computedAt]));
      const from = Math.min(...wanted.keys());
      const to = Math.max(...wanted.keys()) + 1;
      let after: number | undefined;
      do {
        const page = await this.store.query({
          advertiserId,
          range: { from, to },
          limit: 500,
          ...(after === undefined ? {} : { after }),
        });
        // Only the windows this upsert wrote: the stored computation is this one.
        stored.push(...page.summaries.filter((s) => wanted.get(s.windowStart) === s.computedAt));
        after = page.after;
      } while (after !== undefined);
    }
    return stored;
  }

  query(query: SummaryQuery): Promise<SummaryPage> {
    return this.store.query(query);
  }
}
