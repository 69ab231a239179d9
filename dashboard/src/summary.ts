// The summary JSON (v2) as the API returns it and the live protocol pushes it (docs/summaries.md),
// and the aggregates the dashboard shows over a time range. No DOM here: the tests import it.

// A type-only import: erased from the bundle, so no server code reaches the browser.
import type { SummaryJson } from '../../contract/summary-json';

export const WINDOW_MS = 15 * 60_000;

/** The dashboard's name for the server's type: one definition, so the two cannot drift apart. */
export type Summary = SummaryJson;

export interface SummariesPage {
  version?: number;
  advertiser_id: string;
  from: string;
  to: string;
  summaries: Summary[];
  next: string | null;
}

export interface RangeTotals {
  windows: number;
  provisionalWindows: number;
  impressions: number;
  clicks: number;
  conversions: number;
  pageviews: number;
  lateEvents: number;
  /** Clicks per impression over the whole range; null without impressions. */
  ctr: number | null;
  /** Per ISO 4217 code, never added across currencies. */
  revenueByCurrency: Record<string, number>;
}

export interface Ranked {
  key: string;
  count: number;
}

/**
 * Puts `incoming` into `windows` (sorted by window start, one per start): a window already there
 * is replaced only by a computation at least as recent, as the stores decide. Returns a new array.
 */
export function mergeWindow(windows: readonly Summary[], incoming: Summary): Summary[] {
  const start = Date.parse(incoming.window_start);
  const at = windows.findIndex((w) => Date.parse(w.window_start) >= start);
  if (at === -1) return [...windows, incoming];
  const existing = windows[at]!;
  if (Date.parse(existing.window_start) !== start) {
    return [...windows.slice(0, at), incoming, ...windows.slice(at)];
  }
  if (Date.parse(existing.computed_at) > Date.parse(incoming.computed_at)) return [...windows];
  return [...windows.slice(0, at), incoming, ...windows.slice(at + 1)];
}

export function totalsOf(windows: readonly Summary[]): RangeTotals {
  const totals: RangeTotals = {
    windows: windows.length,
    provisionalWindows: 0,
    impressions: 0,
    clicks: 0,
    conversions: 0,
    pageviews: 0,
    lateEvents: 0,
    ctr: null,
    revenueByCurrency: {},
  };
  for (const w of windows) {
    if (!w.final) totals.provisionalWindows += 1;
    totals.impressions += w.impressions;
    totals.clicks += w.clicks;
    totals.conversions += w.conversions;
    totals.pageviews += w.pageviews;
    totals.lateEvents += w.late_events;
    for (const [currency, amount] of Object.entries(w.revenue_by_currency)) {
      totals.revenueByCurrency[currency] = (totals.revenueByCurrency[currency] ?? 0) + amount;
    }
  }
  totals.ctr = totals.impressions === 0 ? null : totals.clicks / totals.impressions;
  return totals;
}

/** Currency codes that occur in any window, in code order: one revenue series each. */
export function currenciesOf(windows: readonly Summary[]): string[] {
  return [...new Set(windows.flatMap((w) => Object.keys(w.revenue_by_currency)))].sort();
}

/**
 * Sums each window's top list over the range, most first, ties by key. Each window keeps only its
 * own top entries, so an entry's sum counts the windows where it made that window's list.
 */
export function topOverRange(
  windows: readonly Summary[],
  list: 'top_campaigns' | 'top_pages',
  limit: number,
): Ranked[] {
  const sums = new Map<string, number>();
  for (const w of windows) {
    if (list === 'top_campaigns') {
      for (const c of w.top_campaigns) sums.set(c.campaign_id, (sums.get(c.campaign_id) ?? 0) + c.events);
    } else {
      for (const p of w.top_pages) sums.set(p.url_path, (sums.get(p.url_path) ?? 0) + p.pageviews);
    }
  }
  return [...sums]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, limit);
}
