import {
  type AdvertiserAggregation,
  type Clock,
  type EventIndex,
  isBulkEventIndex,
  type SummaryStore,
} from './ports';
import type { WindowAggregate, WindowSummary } from './summary';
import { planRun, type RunPlan, type SummarySettings, type TimeRange, WINDOW_MS } from './windows';

/** Campaigns kept per window. */
export const TOP_CAMPAIGNS = 5;

export interface SummarizeDeps {
  readonly eventIndex: EventIndex;
  readonly summaryStore: SummaryStore;
  readonly clock: Clock;
  readonly settings: SummarySettings;
}

export interface AdvertiserOutcome {
  readonly advertiserId: string;
  readonly windowsWritten: number;
  /** Windows a newer computation had already stored. */
  readonly windowsStale: number;
  readonly lateEvents: number;
}

/**
 * Recomputes one advertiser's windows for the current run and stores them. Safe to repeat: the
 * index holds each event once, and the store keeps whichever computation read the index last.
 */
export function summarizeAdvertiser(deps: SummarizeDeps, advertiserId: string): Promise<AdvertiserOutcome> {
  return summarizeAdvertiserRange(deps, advertiserId, planRun(deps.clock(), deps.settings).windows);
}

/**
 * Recomputes one advertiser's windows in `windows` (window-aligned, by event_time) and stores them:
 * a run passes its plan's range, a replay or backfill the range it touched, which may reach past
 * the lateness horizon. Finality and lateness follow the run plan at the time of the computation.
 */
export async function summarizeAdvertiserRange(
  deps: SummarizeDeps,
  advertiserId: string,
  windows: TimeRange,
): Promise<AdvertiserOutcome> {
  const [outcome] = await summarizeAdvertisersRange(deps, [advertiserId], windows);
  if (outcome === undefined) throw new Error(`no outcome for advertiser ${advertiserId}`);
  return outcome;
}

/**
 * Recomputes the windows in `windows` of several advertisers and stores them. An index that can
 * aggregate many advertisers in one pass (DuckDB, see BulkEventIndex) is asked once; any other
 * index gets one aggregation request per advertiser, as the AWS workers send.
 */
export async function summarizeAdvertisersRange(
  deps: SummarizeDeps,
  advertiserIds: readonly string[],
  windows: TimeRange,
): Promise<AdvertiserOutcome[]> {
  // Taken before the read, so a computation that read later data always carries a later stamp.
  const computedAt = deps.clock();
  const plan = { ...planRun(computedAt, deps.settings), windows };
  const request = { windows, horizonMs: plan.horizonMs, topCampaigns: TOP_CAMPAIGNS };
  const index = deps.eventIndex;
  const aggregations = isBulkEventIndex(index)
    ? await index.aggregateAdvertisers({ ...request, advertiserIds })
    : undefined;
  const outcomes: AdvertiserOutcome[] = [];
  for (const advertiserId of advertiserIds) {
    const aggregation =
      aggregations === undefined
        ? await index.aggregateAdvertiser({ ...request, advertiserId })
        : (aggregations.get(advertiserId) ?? NO_EVENTS);
    const summaries = buildSummaries(advertiserId, aggregation, plan, computedAt);
    const stored = await deps.summaryStore.upsert(summaries);
    outcomes.push({
      advertiserId,
      windowsWritten: stored.written,
      windowsStale: stored.stale,
      lateEvents: summaries.reduce((sum, s) => sum + s.lateEvents, 0),
    });
  }
  return outcomes;
}

const NO_EVENTS: AdvertiserAggregation = { windows: [], lateArrivals: [] };

/**
 * Turns an aggregation into summaries: one per window that had events or late arrivals (a window
 * with neither has no summary; readers treat it as all zeros), each flagged final or provisional.
 */
export function buildSummaries(
  advertiserId: string,
  aggregation: AdvertiserAggregation,
  plan: RunPlan,
  computedAt: number,
): WindowSummary[] {
  const byWindow = new Map<number, WindowAggregate>(aggregation.windows.map((w) => [w.windowStart, w]));
  const lateByWindow = new Map(aggregation.lateArrivals.map((late) => [late.windowStart, late.count]));
  const starts = [...new Set([...byWindow.keys(), ...lateByWindow.keys()])]
    .filter((start) => start >= plan.windows.from && start < plan.windows.to)
    .sort((a, b) => a - b);
  return starts.map((windowStart) => {
    const counts = byWindow.get(windowStart) ?? emptyWindow(windowStart);
    return {
      advertiserId,
      ...counts,
      revenue: roundMoney(counts.revenue),
      cost: roundMoney(counts.cost),
      lateEvents: lateByWindow.get(windowStart) ?? 0,
      final: windowStart + WINDOW_MS <= plan.finalUntil,
      computedAt,
    };
  });
}

// Sums of doubles differ in the last bits with the order of addition (shards, threads); micro-units
// are far below any currency's smallest unit and make both event indices report the same amount.
function roundMoney(amount: number): number {
  return Math.round(amount * 1e6) / 1e6;
}

function emptyWindow(windowStart: number): WindowAggregate {
  return {
    windowStart,
    events: 0,
    impressions: 0,
    clicks: 0,
    conversions: 0,
    pageviews: 0,
    uniqueUsers: 0,
    revenue: 0,
    cost: 0,
    topCampaigns: [],
  };
}
