import { setTimeout as sleep } from 'node:timers/promises';
import type { StoredEvent } from '../../contract';
import type {
  AdvertiserAggregation,
  AdvertiserAggregationRequest,
  AdvertiserPage,
  EventIndex,
} from '../../lambdas/aggregator/ports';
import type { TimeRange } from '../../lambdas/aggregator/windows';
import { SEARCH_INDICES } from '../../lambdas/opensearch-setup/documents';
import type {
  OpenSearchHttp,
  OpenSearchRequest,
  OpenSearchResponse,
} from '../../lambdas/opensearch-setup/setup';
import {
  IndexCallError,
  type IndexOutcome,
  type LocalEventIndex,
  type RefusedEvent,
} from './local-event-index';
import { type BulkItem, bulkBody, bulkRequests, readBulkResponse } from './opensearch-bulk';

export interface LocalOpenSearchEventIndexOptions {
  /** Base URL of the node, for messages. */
  readonly url: string;
  /** REST calls (bulk, refresh): the same port the setup custom resource uses, unsigned here. */
  readonly http: OpenSearchHttp;
  /** Reads (advertiser pages, aggregations): the Lambdas' adapter. */
  readonly reads: EventIndex;
  /**
   * Waits before each new send of the items OpenSearch refused for now (429, 5xx); once they are
   * spent, those items are refused, as Firehose writes them to its error prefix once its retry
   * duration is over. @default 0.5 s, 1 s, 2 s, 5 s
   */
  readonly retryDelaysMs?: readonly number[];
  /** Body bytes per bulk request. @default 10 MiB */
  readonly maxBulkBytes?: number;
}

const DEFAULT_RETRY_DELAYS_MS = [500, 1_000, 2_000, 5_000];
// Firehose's OpenSearch buffer defaults to 5 MB; 10 MiB stays far below OpenSearch's
// http.max_content_length (100 MB) and keeps a delivery to one request at the default buffering.
const DEFAULT_MAX_BULK_BYTES = 10 * 1024 * 1024;

/**
 * A real OpenSearch as the local event index. Writes go in Firehose's format (`_bulk` into
 * `incoming-YYYY-MM-DD`, no `_id`), so the domain's own ingest pipeline sets `_id = event_id` and
 * routes each event to `events-<event day>`; reads go through the Lambdas' adapter, one request
 * per advertiser as the AWS workers send (so this is not a BulkEventIndex).
 */
export class LocalOpenSearchEventIndex implements LocalEventIndex {
  private readonly retryDelaysMs: readonly number[];
  private readonly maxBulkBytes: number;

  constructor(private readonly options: LocalOpenSearchEventIndexOptions) {
    this.retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.maxBulkBytes = options.maxBulkBytes ?? DEFAULT_MAX_BULK_BYTES;
  }

  /**
   * Sends the events in bulk and counts each item: `created` is inserted, `updated` a duplicate
   * (the pipeline's `_id` found the event_id indexed), an item error is refused (4xx) or sent
   * again (429, 5xx). Throws when a request as a whole fails, so the delivery is retried.
   */
  async indexEvents(events: readonly StoredEvent[]): Promise<IndexOutcome> {
    let inserted = 0;
    let duplicates = 0;
    const refused: RefusedEvent[] = [];
    for (const request of bulkRequests(events, this.maxBulkBytes)) {
      let pending: readonly BulkItem[] = request;
      for (let attempt = 1; pending.length > 0; attempt++) {
        const outcome = readBulkResponse(await this.bulk(pending), pending, attempt);
        inserted += outcome.inserted;
        duplicates += outcome.duplicates;
        refused.push(...outcome.refused);
        const delay = this.retryDelaysMs[attempt - 1];
        if (delay === undefined) {
          refused.push(...outcome.retry);
          break;
        }
        pending = outcome.retry;
        if (pending.length > 0) await sleep(delay);
      }
    }
    return { inserted, duplicates, refused };
  }

  /**
   * Makes everything indexed visible to searches. Called before each summary run rather than
   * asking every bulk to wait for a refresh (`refresh=wait_for`, up to the 1 s refresh interval
   * per delivery): a run sees everything delivered before it started, and deliveries stay fast.
   */
  async refresh(): Promise<void> {
    await this.call({ method: 'POST', path: `/${SEARCH_INDICES.eventsPattern}/_refresh` }, 'refresh');
  }

  listActiveAdvertisers(range: TimeRange, page: { size: number; after?: string }): Promise<AdvertiserPage> {
    return this.options.reads.listActiveAdvertisers(range, page);
  }

  aggregateAdvertiser(request: AdvertiserAggregationRequest): Promise<AdvertiserAggregation> {
    return this.options.reads.aggregateAdvertiser(request);
  }

  private async bulk(items: readonly BulkItem[]): Promise<unknown> {
    return (await this.call({ method: 'POST', path: '/_bulk', body: bulkBody(items) }, '_bulk')).body;
  }

  private async call(request: OpenSearchRequest, what: string): Promise<OpenSearchResponse> {
    const response = await this.options.http(request);
    if (response.statusCode < 200 || response.statusCode > 299) {
      const errorType = (response.body as { error?: { type?: unknown } } | null)?.error?.type;
      throw new IndexCallError(
        `OpenSearch at ${this.options.url} answered ${what} with ${response.statusCode}: ${JSON.stringify(response.body).slice(0, 500)}`,
        response.statusCode,
        typeof errorType === 'string' ? errorType : `http_${response.statusCode}`,
      );
    }
    return response;
  }
}
