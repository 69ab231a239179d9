import type { WindowAggregate, WindowSummary } from './summary';
import type { TimeRange } from './windows';

/** Milliseconds since the epoch; injected so runs are reproducible in tests. */
export type Clock = () => number;

export interface AdvertiserPage {
  readonly advertiserIds: readonly string[];
  /** Opaque cursor for the next page; absent on the last page. */
  readonly next?: string;
}

export interface LateArrivals {
  /** The window (by received_at) in which the late events arrived. */
  readonly windowStart: number;
  readonly count: number;
}

export interface AdvertiserAggregationRequest {
  readonly advertiserId: string;
  /** Windows to aggregate by event_time; window-aligned. */
  readonly windows: TimeRange;
  /**
   * An event that arrived (received_at) in window A is late when its event_time is before
   * A's start minus this horizon, i.e. its own window was already final when it arrived.
   */
  readonly horizonMs: number;
  /** How many campaigns, and how many pages, to keep per window. */
  readonly topCampaigns: number;
}

export interface AdvertiserAggregation {
  /** Windows holding at least one event, oldest first. */
  readonly windows: readonly WindowAggregate[];
  /** Arrival windows in the same range with at least one late event, oldest first. */
  readonly lateArrivals: readonly LateArrivals[];
}

/**
 * The event index the summaries read: OpenSearch's `events-*` indices on AWS, DuckDB locally.
 * Both hold one document per event_id, so a duplicate delivery never counts twice.
 */
export interface EventIndex {
  /** Advertisers with an event whose event_time or received_at lies in the range, in id order. */
  listActiveAdvertisers(range: TimeRange, page: { size: number; after?: string }): Promise<AdvertiserPage>;
  /** One advertiser's window aggregates and late arrivals over the request's range. */
  aggregateAdvertiser(request: AdvertiserAggregationRequest): Promise<AdvertiserAggregation>;
}

export interface AdvertisersAggregationRequest extends Omit<AdvertiserAggregationRequest, 'advertiserId'> {
  readonly advertiserIds: readonly string[];
}

/**
 * An event index that can also aggregate many advertisers in one pass. DuckDB is one: without a
 * per-advertiser index each aggregation reads the whole table, so one grouped read of a page of
 * advertisers replaces a read per advertiser. OpenSearch is not: the AWS workers keep one
 * aggregation request per advertiser (one SQS job each), so the local pipeline uses this and the
 * Lambdas never do. Each advertiser's result equals its aggregateAdvertiser result.
 */
export interface BulkEventIndex extends EventIndex {
  /** Aggregations by advertiser id; an advertiser with nothing in the range may be absent. */
  aggregateAdvertisers(
    request: AdvertisersAggregationRequest,
  ): Promise<ReadonlyMap<string, AdvertiserAggregation>>;
}

export function isBulkEventIndex(index: EventIndex): index is BulkEventIndex {
  return 'aggregateAdvertisers' in index && typeof index.aggregateAdvertisers === 'function';
}

export interface UpsertOutcome {
  /** Summaries stored (new, or newer than the stored one). */
  readonly written: number;
  /** Summaries not stored because the store already held one computed at the same time or later. */
  readonly stale: number;
}

export interface SummaryQuery {
  readonly advertiserId: string;
  /** Windows whose start lies in this range. */
  readonly range: TimeRange;
  readonly limit: number;
  /** Continue after this window start (exclusive), as returned by the previous page. */
  readonly after?: number;
}

export interface SummaryPage {
  readonly summaries: readonly WindowSummary[];
  /** Window start to continue after; absent when there is nothing more. */
  readonly after?: number;
}

/** Where summaries live: DynamoDB on AWS, files locally. */
export interface SummaryStore {
  /**
   * Stores each summary unless the stored one for the same advertiser and window has the same or
   * a later computedAt: a newer computation always wins, a retried older one never overwrites it.
   */
  upsert(summaries: readonly WindowSummary[]): Promise<UpsertOutcome>;
  /** Summaries of one advertiser, oldest window first, a page at a time. */
  query(query: SummaryQuery): Promise<SummaryPage>;
}

/** One unit of work for a summary worker. */
export interface SummaryJob {
  readonly advertiserId: string;
  /** When the dispatcher enqueued it (epoch ms), to measure queue lag. */
  readonly dispatchedAt: number;
}

export interface JobQueue {
  /** Enqueues every job or throws naming how many could not be enqueued. */
  enqueue(jobs: readonly SummaryJob[]): Promise<void>;
}
