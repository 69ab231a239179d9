// Free of imports: the dashboard, a browser build without Node's types, imports this type too.

/** The version of SummaryJson; the API's response carries it (docs/summaries.md lists the changes). */
export const SUMMARY_JSON_VERSION = 2;

/**
 * The summary's public JSON form, version 2: the API's response items, the CLI's `--format json`
 * output, the live pushes, and the stored form (DynamoDB items and the local files), so every
 * reader sees the same fields.
 */
export interface SummaryJson {
  advertiser_id: string;
  window_start: string;
  window_end: string;
  events: number;
  impressions: number;
  clicks: number;
  conversions: number;
  pageviews: number;
  bot_impressions: number;
  bot_clicks: number;
  unique_users: number;
  revenue_by_currency: Record<string, number>;
  cost_by_currency: Record<string, number>;
  ctr: number | null;
  conversions_per_click: number | null;
  top_campaigns: { campaign_id: string; events: number }[];
  top_pages: { url_path: string; pageviews: number }[];
  late_events: number;
  final: boolean;
  computed_at: string;
}
