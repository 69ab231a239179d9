import type { SummaryJson } from '../summary';

/**
 * The summary table's key, one definition for the CDK table (lib/summaries.ts) and the table the
 * engine suite creates on moto: one item per advertiser and window. Both are string attributes of
 * the stored summary; window_start is ISO-8601 UTC, whose text order is time order, so a Query
 * over one advertiser reads its windows oldest first.
 */
export const SUMMARY_TABLE_KEY = {
  partitionKey: 'advertiser_id',
  sortKey: 'window_start',
} as const satisfies Record<string, keyof SummaryJson>;
