import { toEpochMillis, toUtcIso } from '../../contract';
import { isAdvertiserId } from '../../lambdas/aggregator/advertiser-id';
import { DEFAULT_RANGE_MS, MAX_RANGE_DAYS } from '../../lambdas/summary-api/request';
import { RouteError } from './http-reply';

/** `GET /api/failed?from=&to=[&advertiser_id=]`: refused events by arrival time, optionally one advertiser's. */
export interface FailedCountsRequest {
  /** Arrival times, epoch milliseconds: `from` inclusive, `to` exclusive. */
  from: number;
  to: number;
  advertiserId?: string;
}

/** The answer: counts by typed reason (docs/event-format.md#failure-reasons) of what errors/ holds. */
export interface FailedCounts {
  from: string;
  to: string;
  advertiser_id: string | null;
  total: number;
  by_reason: Record<string, number>;
}

/** Counts the failed events of a range: the lake's errors/ locally, the stack's bucket with --stack. */
export type FailedCountsPort = (request: FailedCountsRequest) => Promise<FailedCounts>;

const PARAMETERS = new Set(['from', 'to', 'advertiser_id']);
const DAY_MS = 86_400_000;

/** Reads the query parameters with the summary API's rules for times and ranges (to defaults to now, from to a day before it). */
export function failedCountsRequest(parameters: Record<string, string>, now: number): FailedCountsRequest {
  const fail = (message: string): never => {
    throw new RouteError(400, 'bad_request', message);
  };
  const unknown = Object.keys(parameters).filter((name) => !PARAMETERS.has(name));
  if (unknown.length > 0)
    fail(`unknown query parameter(s) ${unknown.join(', ')}; expected from, to, advertiser_id`);
  const to = parameters.to === undefined ? now : toEpochMillis(parameters.to);
  if (Number.isNaN(to)) fail(`to ${JSON.stringify(parameters.to)} is not an ISO-8601 time with an offset`);
  const from = parameters.from === undefined ? to - DEFAULT_RANGE_MS : toEpochMillis(parameters.from);
  if (Number.isNaN(from))
    fail(`from ${JSON.stringify(parameters.from)} is not an ISO-8601 time with an offset`);
  if (from >= to) fail(`from (${toUtcIso(from)}) must be before to (${toUtcIso(to)})`);
  if (to - from > MAX_RANGE_DAYS * DAY_MS) fail(`the range from..to may span at most ${MAX_RANGE_DAYS} days`);
  const advertiserId = parameters.advertiser_id;
  if (advertiserId !== undefined && !isAdvertiserId(advertiserId)) {
    fail(
      `advertiser_id ${JSON.stringify(advertiserId)} is not an advertiser id (1-64 letters, digits, '_' or '-', starting with a letter or digit)`,
    );
  }
  return { from, to, ...(advertiserId === undefined ? {} : { advertiserId }) };
}
