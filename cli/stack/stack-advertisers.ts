import type { SavedQuery } from '../../analytics/catalog';
import { findSavedQuery } from '../../analytics/lookup';
import { type ParameterValue, parseParameterValues } from '../../analytics/parameters';
import type { QueryResult } from '../../analytics/result';
import type { Clock } from '../../lambdas/aggregator/ports';

/** The saved query whose rows name the advertisers of a range of event days. */
export const ADVERTISERS_QUERY = 'advertiser_daily_rollup';

/** Event days the picker looks back over, today (UTC) included. */
export const ADVERTISER_DAYS = 7;

/** How long one answer serves the picker before Athena is asked again. */
export const ADVERTISERS_TTL_MS = 10 * 60_000;

/**
 * The dashboard's advertiser picker on a deployed stack: the advertisers with events in the last
 * ADVERTISER_DAYS event days, from the saved query advertiser_daily_rollup on Athena (partition-
 * pruned by event_date, so each run reads at most those days). An answer is kept for
 * ADVERTISERS_TTL_MS, and requests made while a run is under way share it; a failed run is not
 * kept, so the next request tries again.
 */
export function stackAdvertisers(
  queries: readonly SavedQuery[],
  run: (query: SavedQuery, values: ReadonlyMap<string, ParameterValue>) => Promise<QueryResult>,
  clock: Clock = Date.now,
  ttlMs: number = ADVERTISERS_TTL_MS,
): () => Promise<string[]> {
  const query = findSavedQuery(queries, ADVERTISERS_QUERY);
  let kept: { advertisers: string[]; at: number } | undefined;
  let running: Promise<string[]> | undefined;
  return () => {
    if (kept !== undefined && clock() - kept.at < ttlMs) return Promise.resolve(kept.advertisers);
    running ??= (async () => {
      try {
        // Checked by the header's own rules, as `clickstream query run` would read them.
        const values = parseParameterValues(
          query,
          [`start_date=today-${ADVERTISER_DAYS - 1}`, 'end_date=today'],
          clock(),
        );
        const advertisers = advertiserIdsOf(await run(query, values));
        kept = { advertisers, at: clock() };
        return advertisers;
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
}

/** The distinct advertiser_id values of a result, in id order (as the local picker lists them). */
export function advertiserIdsOf(result: QueryResult): string[] {
  const column = result.columns.findIndex((c) => c.name === 'advertiser_id');
  if (column < 0) {
    throw new Error(
      `${ADVERTISERS_QUERY} returned no advertiser_id column (columns: ${result.columns.map((c) => c.name).join(', ')})`,
    );
  }
  const ids = new Set<string>();
  for (const row of result.rows) {
    const id = row[column];
    if (id !== null && id !== undefined) ids.add(id);
  }
  return [...ids].sort();
}
