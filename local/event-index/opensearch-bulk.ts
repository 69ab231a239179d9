import type { StoredEvent } from '../../contract';
import { SEARCH_INDICES } from '../../lambdas/opensearch-setup/documents';
import { sizedBatches } from '../../lambdas/shared/batches';
import type { RefusedEvent } from './local-event-index';

/**
 * Firehose's index for an event with daily rotation: `incoming-` plus the UTC day of the record's
 * arrival (Firehose developer guide, index rotation). The transform stamps that arrival as
 * `received_at`, so a record arriving at 23:59:59.9 and one at 00:00:00.1 of the same buffer go
 * to different days, as Firehose names them per record.
 */
export function incomingIndexFor(event: StoredEvent): string {
  return `${SEARCH_INDICES.incoming}-${event.received_at.slice(0, 10)}`;
}

/** One document of a `_bulk` request, with the event it came from. */
export interface BulkItem {
  readonly event: StoredEvent;
  /** The document (one JSON line, no newline). */
  readonly document: string;
  readonly index: string;
}

/**
 * Splits events into bulk requests of at most about `maxBytes` of body each (an event larger than
 * that goes alone).
 */
export function bulkRequests(events: readonly StoredEvent[], maxBytes: number): BulkItem[][] {
  const items = events.map((event) => ({
    event,
    document: JSON.stringify(event),
    index: incomingIndexFor(event),
  }));
  return [...sizedBatches(items, (item) => Buffer.byteLength(item.document) + ACTION_BYTES, { maxBytes })];
}

// `{"index":{"_index":"incoming-YYYY-MM-DD"}}` and the two newlines.
const ACTION_BYTES = 44;

/**
 * The body Firehose's OpenSearch destination sends with `NO_DOCUMENT_ID` (lib/delivery-stream.ts):
 * per document an `index` action naming only the index, then the document. The index's default
 * pipeline (`events-route`) sets `_id` from event_id and moves the document to `events-<event day>`.
 */
export function bulkBody(items: readonly BulkItem[]): string {
  return items
    .map((item) => `${JSON.stringify({ index: { _index: item.index } })}\n${item.document}\n`)
    .join('');
}

/** What one bulk response says about its items. */
export interface BulkOutcome {
  /** Documents created: an event_id the index did not hold. */
  inserted: number;
  /** Documents updated: the event_id was already indexed (the pipeline's `_id` landed on it). */
  duplicates: number;
  /** Items refused for good (a 4xx other than 429): the document will not index as it is. */
  refused: RefusedEvent[];
  /** Items refused for now (429, 5xx): worth sending again, and refused if they never index. */
  retry: RefusedEvent[];
}

interface BulkItemResult {
  result?: string;
  status?: number;
  error?: { type?: string; reason?: string };
}

/** Thrown when a bulk response does not account for every item: its outcome cannot be known. */
export class BulkResponseError extends Error {
  override name = 'BulkResponseError';
}

/**
 * Reads a `_bulk` response item by item (the request's HTTP status is 200 even when items fail):
 * `created` is a new event, `updated` a duplicate, an error is refused or retried by its status.
 * `attempts` is how many requests have carried these items, for the refused ones' records.
 */
export function readBulkResponse(body: unknown, sent: readonly BulkItem[], attempts: number): BulkOutcome {
  const items = (body as { items?: unknown } | null)?.items;
  if (!Array.isArray(items) || items.length !== sent.length) {
    throw new BulkResponseError(
      `the bulk response accounts for ${Array.isArray(items) ? items.length : 'no'} of ${sent.length} items`,
    );
  }
  const outcome: BulkOutcome = { inserted: 0, duplicates: 0, refused: [], retry: [] };
  sent.forEach((item, i) => {
    const result = (items[i] as { index?: BulkItemResult } | null)?.index ?? {};
    const status = result.status ?? 0;
    if (result.error === undefined && result.result === 'created') outcome.inserted += 1;
    else if (result.error === undefined && result.result === 'updated') outcome.duplicates += 1;
    else {
      const refusal: RefusedEvent = {
        ...item,
        status,
        errorType: result.error?.type ?? `unexpected bulk result ${JSON.stringify(result.result)}`,
        errorMessage: JSON.stringify(result.error ?? result),
        attempts,
      };
      (status === 429 || status >= 500 ? outcome.retry : outcome.refused).push(refusal);
    }
  });
  return outcome;
}
