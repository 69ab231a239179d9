import type { SavedQueryInfo } from './query-params';
import type { SummariesPage, Summary } from './summary';
import type { TimeRange } from './time-range';

// Every URL is relative to the page, so the dashboard works under any path prefix: the local
// server serves it at `/`, and `clickstream dashboard --stack` serves the same files and routes.

/** A failed request, with the server's typed error code (`bad_request`, `unknown_query`, …). */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What a page shows for a failed request: the server's message and typed code, or the error's message. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.code})`;
  return error instanceof Error ? error.message : String(error);
}

const PAGE_LIMIT = 500;

async function send(path: string, init?: RequestInit): Promise<Response> {
  const response = await fetch(new URL(path, document.baseURI), { ...init, cache: 'no-store' });
  if (response.ok) return response;
  const text = await response.text();
  let code = `http_${response.status}`;
  let message = text.trim() || response.statusText;
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof body.error === 'string') code = body.error;
    if (typeof body.message === 'string') message = body.message;
  } catch {
    // Not JSON (a proxy's page): the text is the message.
  }
  throw new ApiError(response.status, code, message);
}

async function json<T>(path: string, init?: RequestInit): Promise<T> {
  return (await (await send(path, init)).json()) as T;
}

export async function fetchAdvertisers(): Promise<string[]> {
  return (await json<{ advertisers: string[] }>('api/advertisers')).advertisers;
}

/** Every window of the range, following `next` until the last page. */
export async function fetchSummaries(advertiserId: string, range: TimeRange): Promise<Summary[]> {
  const windows: Summary[] = [];
  let next: string | null = null;
  do {
    const query = new URLSearchParams({
      from: new Date(range.from).toISOString(),
      to: new Date(range.to).toISOString(),
      limit: String(PAGE_LIMIT),
    });
    if (next !== null) query.set('next', next);
    const page: SummariesPage = await json(
      `advertisers/${encodeURIComponent(advertiserId)}/summaries?${query}`,
    );
    windows.push(...page.summaries);
    next = page.next;
  } while (next !== null);
  return windows;
}

/** Failed-event counts by reason over the range (the errors/ prefix, as `clickstream failed` reads it). */
export interface FailedCounts {
  total: number;
  byReason: { reason: string; count: number }[];
}

export async function fetchFailed(range: TimeRange, advertiserId: string): Promise<FailedCounts> {
  const query = new URLSearchParams({
    from: new Date(range.from).toISOString(),
    to: new Date(range.to).toISOString(),
    advertiser_id: advertiserId,
  });
  const body = await json<{ total?: number; by_reason?: Record<string, number> }>(`api/failed?${query}`);
  const byReason = Object.entries(body.by_reason ?? {})
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
  return { total: body.total ?? byReason.reduce((sum, r) => sum + r.count, 0), byReason };
}

export interface QueryResult {
  columns: string[];
  rows: (string | number | boolean | null)[][];
}

export async function fetchQueries(): Promise<SavedQueryInfo[]> {
  return (await json<{ queries: SavedQueryInfo[] }>('api/queries')).queries;
}

function queryRequest(parameters: Record<string, string | number>): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ parameters }),
  };
}

export async function runQuery(
  name: string,
  parameters: Record<string, string | number>,
): Promise<QueryResult> {
  const body = await json<{ columns: (string | { name: string })[]; rows: QueryResult['rows'] }>(
    `api/queries/${encodeURIComponent(name)}`,
    queryRequest(parameters),
  );
  // Column entries are names, or objects that carry one (with the column's kind).
  return { columns: body.columns.map((c) => (typeof c === 'string' ? c : c.name)), rows: body.rows };
}

export async function runQueryCsv(name: string, parameters: Record<string, string | number>): Promise<Blob> {
  return (await send(`api/queries/${encodeURIComponent(name)}?format=csv`, queryRequest(parameters))).blob();
}
