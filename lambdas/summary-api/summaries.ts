import { toUtcIso } from '../../contract';
import type { SummaryQuery, SummaryStore } from '../aggregator/ports';
import { SUMMARY_JSON_VERSION, type SummaryJson, toSummaryJson } from '../aggregator/summary';
import { encodePageToken } from './page-token';

/** The API's response body. */
export interface SummariesResponse {
  /** The version of the summary JSON form (docs/summaries.md): 2 since bots and currencies are apart. */
  version: typeof SUMMARY_JSON_VERSION;
  advertiser_id: string;
  from: string;
  to: string;
  summaries: SummaryJson[];
  /** Pass as `next` to get the following page; null on the last page. */
  next: string | null;
}

export async function querySummaries(store: SummaryStore, query: SummaryQuery): Promise<SummariesResponse> {
  const page = await store.query(query);
  return {
    version: SUMMARY_JSON_VERSION,
    advertiser_id: query.advertiserId,
    from: toUtcIso(query.range.from),
    to: toUtcIso(query.range.to),
    summaries: page.summaries.map(toSummaryJson),
    next: page.after === undefined ? null : encodePageToken(page.after),
  };
}
