import type { StoredEvent } from '../../contract';
import type { EventIndex } from '../../lambdas/aggregator/ports';

/** A document the event index would not take (OpenSearch's per-item bulk failure). */
export interface RefusedEvent {
  readonly event: StoredEvent;
  /** The document as it was sent (one JSON line, no newline). */
  readonly document: string;
  /** The index it was sent to (`incoming-YYYY-MM-DD`). */
  readonly index: string;
  /** The item's HTTP status. */
  readonly status: number;
  /** OpenSearch's error type (`mapper_parsing_exception`, ...). */
  readonly errorType: string;
  /** The item's whole error object, as JSON. */
  readonly errorMessage: string;
  /** Bulk requests that carried it. */
  readonly attempts: number;
}

/**
 * An index call that failed as a whole for what it was sent (DuckDB refusing a row, OpenSearch
 * answering a bulk request with an error status), with what to record for the documents if they
 * are refused for good. Any other error a call throws means the index could not be reached.
 */
export class IndexCallError extends Error {
  override name = 'IndexCallError';

  constructor(
    message: string,
    /** The HTTP status, or the one OpenSearch would answer (400 for a document it cannot take). */
    readonly status: number,
    /** A short, stable name for the failure (`invalid_input_error`, `mapper_parsing_exception`, ...). */
    readonly errorType: string,
  ) {
    super(message);
  }
}

export interface IndexOutcome {
  readonly inserted: number;
  /** Events whose event_id the index already held (or that repeated within the call): counted once. */
  readonly duplicates: number;
  /** Events the index refused; absent from an index that never refuses one (DuckDB). */
  readonly refused?: readonly RefusedEvent[];
}

/** Where delivered events go besides the lake: the local event index. */
export interface EventSink {
  /** Indexes events by event_id; an event_id already indexed is counted as a duplicate, not twice. */
  indexEvents(events: readonly StoredEvent[]): Promise<IndexOutcome>;
}

/** An event index the summary worker reads. */
export interface RefreshableEventIndex extends EventIndex {
  /** Makes every event indexed so far visible to reads; the summary worker calls it before each run. */
  refresh(): Promise<void>;
}

/**
 * The local pipeline's event index, DuckDB (embedded, the default) or a real OpenSearch node
 * (`--opensearch-url`): delivery writes to it, the summary worker reads it.
 */
export interface LocalEventIndex extends EventSink, RefreshableEventIndex {}
