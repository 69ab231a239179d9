import type { ColumnKind, QueryResult } from '../analytics/result';
import type { SummaryJson } from '../lambdas/aggregator/summary';

/** The fields of a summary that print as one table cell (top lists are in the JSON form only). */
export type SummaryColumn = Exclude<
  keyof SummaryJson,
  'top_campaigns' | 'top_pages' | 'window_end' | 'computed_at'
>;

const KINDS: Record<SummaryColumn, ColumnKind> = {
  advertiser_id: 'text',
  window_start: 'text',
  events: 'integer',
  impressions: 'integer',
  clicks: 'integer',
  conversions: 'integer',
  pageviews: 'integer',
  bot_impressions: 'integer',
  bot_clicks: 'integer',
  unique_users: 'integer',
  revenue_by_currency: 'text',
  cost_by_currency: 'text',
  ctr: 'decimal',
  conversions_per_click: 'decimal',
  late_events: 'integer',
  final: 'boolean',
};

/** Every table column, in the order `clickstream summaries` prints them. */
const SUMMARY_COLUMNS = Object.keys(KINDS) as SummaryColumn[];

/** Summaries as a table of the given columns (all by default), ready for `formatResult`. */
export function summaryTable(
  summaries: readonly SummaryJson[],
  columns: readonly SummaryColumn[] = SUMMARY_COLUMNS,
): QueryResult {
  return {
    columns: columns.map((name) => ({ name, kind: KINDS[name] })),
    rows: summaries.map((summary) => columns.map((name) => cell(summary[name]))),
    notes: [],
  };
}

/** A cell's text: amounts by currency as `12.5 EUR; 300 JPY` (null when there are none). */
function cell(value: SummaryJson[SummaryColumn]): string | null {
  if (value === null) return null;
  if (typeof value !== 'object') return String(value);
  const amounts = Object.entries(value).map(([currency, amount]) => `${amount} ${currency}`);
  return amounts.length === 0 ? null : amounts.join('; ');
}
