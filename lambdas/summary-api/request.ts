import { toEpochMillis, toUtcIso } from '../../contract';
import { isAdvertiserId } from '../aggregator/advertiser-id';
import type { SummaryQuery } from '../aggregator/ports';
import { decodePageToken } from './page-token';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 500;
/** The widest range one request may ask for (2,976 windows). */
export const MAX_RANGE_DAYS = 31;
/** The range when `from` is not given: the day before `to`. */
export const DEFAULT_RANGE_MS = 24 * 3600_000;

const DAY_MS = 24 * 3600_000;
const QUERY_PARAMETERS = new Set(['from', 'to', 'limit', 'next']);

export type ParsedRequest = { ok: true; query: SummaryQuery } | { ok: false; message: string };

/**
 * Validates `GET /advertisers/{advertiserId}/summaries?from=&to=&limit=&next=`. Times are ISO-8601
 * with an offset; the range selects windows by start, `from` included and `to` excluded.
 */
export function parseSummaryRequest(
  advertiserId: string | undefined,
  parameters: Record<string, string | undefined>,
  now: number,
): ParsedRequest {
  const fail = (message: string): ParsedRequest => ({ ok: false, message });
  if (advertiserId === undefined || !isAdvertiserId(advertiserId)) {
    return fail(
      `advertiserId ${JSON.stringify(advertiserId ?? '')} is not an advertiser id (1-64 letters, digits, '_' or '-', starting with a letter or digit)`,
    );
  }
  const unknown = Object.keys(parameters).filter((name) => !QUERY_PARAMETERS.has(name));
  if (unknown.length > 0)
    return fail(`unknown query parameter(s) ${unknown.join(', ')}; expected from, to, limit, next`);

  const to = parameters.to === undefined ? now : isoTime(parameters.to);
  if (Number.isNaN(to))
    return fail(`to ${JSON.stringify(parameters.to)} is not an ISO-8601 time with an offset`);
  const from = parameters.from === undefined ? to - DEFAULT_RANGE_MS : isoTime(parameters.from);
  if (Number.isNaN(from))
    return fail(`from ${JSON.stringify(parameters.from)} is not an ISO-8601 time with an offset`);
  if (from >= to) return fail(`from (${toUtcIso(from)}) must be before to (${toUtcIso(to)})`);
  if (to - from > MAX_RANGE_DAYS * DAY_MS)
    return fail(`the range from..to may span at most ${MAX_RANGE_DAYS} days`);

  const limit = parameters.limit === undefined ? DEFAULT_LIMIT : Number(parameters.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    return fail(`limit ${JSON.stringify(parameters.limit)} must be an integer from 1 to ${MAX_LIMIT}`);
  }

  const query = { advertiserId, range: { from, to }, limit };
  if (parameters.next === undefined) return { ok: true, query };
  const after = decodePageToken(parameters.next);
  if (after === undefined || after < from || after >= to) {
    return fail('next is not a page token issued for this advertiser and range; repeat the first request');
  }
  return { ok: true, query: { ...query, after } };
}

// Only text: toEpochMillis also takes epoch numbers, which a query string never carries.
function isoTime(text: string): number {
  return toEpochMillis(text);
}
