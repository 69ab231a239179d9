import type { ColumnKind, QueryResult } from '../analytics/result';
import type { SummaryJson } from '../lambdas/aggregator/summary';

/** The fields of a summary that print as one table cell (top campaigns are in the JSON form only). */
export type SummaryColumn = Exclude<keyof SummaryJson, 'top_campaigns' | 'window_end' | 'computed_at'>;

const KINDS: Record<SummaryColumn, ColumnKind> = {
  advertiser_id: 'text',
  window_start: 'text',
  events: 'integer',
  impressions: 'integer',
  clicks: 'integer',
  conversions: 'integer',
  pageviews: 'integer',
  unique_users: 'integer',
  revenue: 'decimal',
  cost: 'decimal',
  ctr: 'decimal',
  conversion_rate: 'decimal',
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
    rows: summaries.map((summary) =>
      columns.map((name) => {
        const value = summary[name];
        return value === null ? null : String(value);
      }),
    ),
    notes: [],
  };
}
