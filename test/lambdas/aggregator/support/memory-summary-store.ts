import type {
  SummaryPage,
  SummaryQuery,
  SummaryStore,
  UpsertOutcome,
} from '../../../../lambdas/aggregator/ports';
import type { WindowSummary } from '../../../../lambdas/aggregator/summary';

/** A plain in-memory SummaryStore with the same upsert rule as the real stores, for core tests. */
export class MemorySummaryStore implements SummaryStore {
  readonly items = new Map<string, WindowSummary>();

  async upsert(summaries: readonly WindowSummary[]): Promise<UpsertOutcome> {
    let written = 0;
    for (const summary of summaries) {
      const key = `${summary.advertiserId}|${summary.windowStart}`;
      const current = this.items.get(key);
      if (current !== undefined && current.computedAt >= summary.computedAt) continue;
      this.items.set(key, summary);
      written += 1;
    }
    return { written, stale: summaries.length - written };
  }

  async query(query: SummaryQuery): Promise<SummaryPage> {
    const matching = [...this.items.values()]
      .filter((s) => s.advertiserId === query.advertiserId)
      .filter((s) => s.windowStart >= query.range.from && s.windowStart < query.range.to)
      .filter((s) => query.after === undefined || s.windowStart > query.after)
      .sort((a, b) => a.windowStart - b.windowStart);
    const page = matching.slice(0, query.limit);
    const last = page.at(-1);
    return matching.length > query.limit && last !== undefined
      ? { summaries: page, after: last.windowStart }
      : { summaries: page };
  }

  /** Everything stored, ordered by advertiser then window. */
  all(): WindowSummary[] {
    return [...this.items.values()].sort(
      (a, b) => a.advertiserId.localeCompare(b.advertiserId) || a.windowStart - b.windowStart,
    );
  }
}
