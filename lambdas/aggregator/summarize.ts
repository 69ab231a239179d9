import {
  type AdvertiserAggregation,
  type Clock,
  type EventIndex,
  isBulkEventIndex,
  type SummaryStore,
} from './ports';
import type { AmountsByCurrency, WindowAggregate, WindowSummary } from './summary';
import { planRun, type RunPlan, type SummarySettings, type TimeRange, WINDOW_MS } from './windows';

/** Campaigns kept per window, and pages (top_pages keeps as many as top_campaigns). */
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
  const [outcome] = await summarizeTargets(deps, [{ advertiserId, windows }]);
  if (outcome === undefined) throw new Error(`no outcome for advertiser ${advertiserId}`);
  return outcome;
}

/** One advertiser and the windows (window-aligned, by event_time) to recompute. */
export interface SummaryTarget {
  readonly advertiserId: string;
  readonly windows: TimeRange;
}

/** Advertisers summarised at a time: bounds the aggregations held in memory at once. */
export const ADVERTISERS_PER_BULK = 250;

/**
 * summarizeAdvertiserRange for many advertisers, each with its own range. An index that can
 * aggregate many advertisers in one pass (DuckDB, see BulkEventIndex) is asked once per
 * ADVERTISERS_PER_BULK advertisers over the union of their ranges, and each advertiser keeps the
 * windows of its own range (a window's counts and late arrivals do not depend on the range around
 * it). Any other index gets one request per advertiser with its own range, as the AWS workers send.
 */
export async function summarizeTargets(
  deps: SummarizeDeps,
  targets: readonly SummaryTarget[],
): Promise<AdvertiserOutcome[]> {
  const outcomes: AdvertiserOutcome[] = [];
  for (let i = 0; i < targets.length; i += ADVERTISERS_PER_BULK) {
    outcomes.push(...(await summarizeSlice(deps, targets.slice(i, i + ADVERTISERS_PER_BULK))));
  }
  return outcomes;
}

async function summarizeSlice(
  deps: SummarizeDeps,
  targets: readonly SummaryTarget[],
): Promise<AdvertiserOutcome[]> {
  // Taken before the read, so a computation that read later data always carries a later stamp.
  const computedAt = deps.clock();
  const plan = planRun(computedAt, deps.settings);
  const options = { horizonMs: plan.horizonMs, topCampaigns: TOP_CAMPAIGNS };
  const index = deps.eventIndex;
  const aggregations = isBulkEventIndex(index)
    ? await index.aggregateAdvertisers({
        ...options,
        advertiserIds: targets.map((t) => t.advertiserId),
        windows: {
          from: Math.min(...targets.map((t) => t.windows.from)),
          to: Math.max(...targets.map((t) => t.windows.to)),
        },
      })
    : undefined;
  const outcomes: AdvertiserOutcome[] = [];
  for (const { advertiserId, windows } of targets) {
    const aggregation =
      aggregations === undefined
        ? await index.aggregateAdvertiser({ ...options, advertiserId, windows })
        : (aggregations.get(advertiserId) ?? NO_EVENTS);
    const summaries = buildSummaries(advertiserId, aggregation, { ...plan, windows }, computedAt);
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
      revenueByCurrency: roundAmounts(counts.revenueByCurrency),
      costByCurrency: roundAmounts(counts.costByCurrency),
      lateEvents: lateByWindow.get(windowStart) ?? 0,
      final: windowStart + WINDOW_MS <= plan.finalUntil,
      computedAt,
    };
  });
}

// Sums of doubles differ in the last bits with the order of addition (shards, threads); micro-units
// are far below any currency's smallest unit and make both event indices report the same amount.
// Currencies in code order, so the JSON reads the same whichever index computed it.
function roundAmounts(amounts: AmountsByCurrency): AmountsByCurrency {
  return Object.fromEntries(
    Object.entries(amounts)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([currency, amount]) => [currency, Math.round(amount * 1e6) / 1e6]),
  );
}

function emptyWindow(windowStart: number): WindowAggregate {
  return {
    windowStart,
    events: 0,
    impressions: 0,
    clicks: 0,
    conversions: 0,
    pageviews: 0,
    botImpressions: 0,
    botClicks: 0,
    uniqueUsers: 0,
    revenueByCurrency: {},
    costByCurrency: {},
    topCampaigns: [],
    topPages: [],
  };
}
