import { loadSavedQueries } from '../../analytics/catalog';
import { countFailedByReason } from '../../analytics/failed/failed-events';
import { runLocally } from '../../analytics/local-runner';
import { toUtcIso } from '../../contract';
import type { Clock, SummaryStore } from '../../lambdas/aggregator/ports';
import { LakeDirectory } from '../lake/lake-directory';
import type { ObjectStore } from '../lake/object-store';
import { dataDirLayout } from '../pipeline/data-dir';
import { type DashboardPorts, summariesFromStore } from './dashboard-routes';
import type { FailedCounts, FailedCountsPort } from './failed-route';
import { DASHBOARD_DIST_DIR } from './static-files';

export interface LocalPortsOptions {
  dataDir: string;
  /** The store the summary API reads (the pipeline's, which pushes its writes). */
  summaryStore: SummaryStore;
  /** The advertisers with stored summaries (FileSummaryStore.advertisers). */
  advertisers: () => Promise<string[]>;
  clock?: Clock;
  /** @default dashboard/dist/ */
  staticDir?: string;
  onError?: (error: unknown) => void;
}

/** The dashboard routes over a local data dir: its summary store, its lake's saved queries and errors/. */
export function localDashboardPorts(options: LocalPortsOptions): DashboardPorts {
  const clock = options.clock ?? Date.now;
  return {
    summaries: summariesFromStore(options.summaryStore, clock, options.onError),
    advertisers: options.advertisers,
    queries: {
      list: () => loadSavedQueries(),
      run: (query, values) => runLocally(query, values, { dataDir: options.dataDir }),
    },
    failed: lakeFailedCounts(new LakeDirectory(dataDirLayout(options.dataDir).lake)),
    staticDir: options.staticDir ?? DASHBOARD_DIST_DIR,
    clock,
    ...(options.onError === undefined ? {} : { onError: options.onError }),
  };
}

/** `/api/failed` over a lake's errors/ (a directory, or the stack's bucket), as `clickstream failed list` reads it (reasons derived again). */
export function lakeFailedCounts(lake: ObjectStore): FailedCountsPort {
  return async (request) => {
    const counts = await countFailedByReason(lake, {
      from: request.from,
      to: request.to,
      ...(request.advertiserId === undefined ? {} : { advertiserId: request.advertiserId }),
    });
    const byReason: Record<string, number> = {};
    for (const { reason, count } of counts.byReason) byReason[reason] = (byReason[reason] ?? 0) + count;
    const answer: FailedCounts = {
      from: toUtcIso(request.from),
      to: toUtcIso(request.to),
      advertiser_id: request.advertiserId ?? null,
      total: counts.total,
      by_reason: byReason,
    };
    return answer;
  };
}
