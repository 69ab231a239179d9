import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock, SummaryStore } from '../../lambdas/aggregator/ports';
import {
  answerSummaryRequest,
  type SummaryApiAnswer,
  type SummaryApiRequest,
} from '../../lambdas/summary-api/answer';
import { type FailedCountsPort, failedCountsRequest } from './failed-route';
import { queryParameters, RouteError, replyJson } from './http-reply';
import { queryRoutes, type SavedQueriesPort } from './query-routes';
import { serveStatic } from './static-files';

/** The summary API as a function: the local store behind answerSummaryRequest, or a deployed API behind a signed proxy. */
export type SummariesPort = (request: SummaryApiRequest) => Promise<SummaryApiAnswer>;

/**
 * What the dashboard routes read. The local server gives the data dir's store, the lake's saved
 * queries and errors/; `clickstream dashboard --stack` gives the deployed stack's.
 */
export interface DashboardPorts {
  summaries: SummariesPort;
  /** Advertisers with stored summaries, in id order (the dashboard's picker). */
  advertisers(): Promise<string[]>;
  queries: SavedQueriesPort;
  failed: FailedCountsPort;
  /** The built dashboard (`dashboard/dist/`). */
  staticDir: string;
  clock?: Clock;
  /** Failures answered 500, for a line on stderr. */
  onError?: (error: unknown) => void;
}

/** The summary API over a summary store, exactly as the Lambda answers (see answerSummaryRequest). */
export function summariesFromStore(
  store: SummaryStore,
  clock: Clock = Date.now,
  onError?: (error: unknown) => void,
): SummariesPort {
  return (request) => answerSummaryRequest(store, request, clock(), onError);
}

export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

const SUMMARIES_PATH = /^\/advertisers\/([^/]*)\/summaries$/;
const QUERY_PATH = /^\/api\/queries\/([^/]+)$/;

/**
 * The dashboard's HTTP routes (docs/live.md#routes): the summary API at the deployed API's path, the
 * `/api/` routes the pages call, and the built pages. Every answer is JSON except the pages and a
 * query's CSV; every refusal is `{ "error": "<code>", "message": "…" }`. Never throws.
 */
export function createDashboardRoutes(ports: DashboardPorts): RequestHandler {
  const clock = ports.clock ?? Date.now;
  const queries = queryRoutes(ports.queries, clock);
  return async (request, response) => {
    try {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const method = request.method ?? 'GET';
      const path = url.pathname;
      const summaries = SUMMARIES_PATH.exec(path);
      if (summaries !== null) {
        allow(method, 'GET');
        const answer = await ports.summaries({
          advertiserId: decodePathPart(summaries[1]!),
          parameters: queryParameters(url),
          requestId: randomUUID(),
        });
        replyJson(response, answer.statusCode, answer.body);
        return;
      }
      if (path === '/api/advertisers') {
        allow(method, 'GET');
        noParameters(url);
        replyJson(response, 200, { advertisers: await ports.advertisers() });
        return;
      }
      if (path === '/api/queries') {
        allow(method, 'GET');
        noParameters(url);
        replyJson(response, 200, queries.list());
        return;
      }
      const query = QUERY_PATH.exec(path);
      if (query !== null) {
        allow(method, 'POST');
        await queries.run(decodePathPart(query[1]!), url, request, response);
        return;
      }
      if (path === '/api/failed') {
        allow(method, 'GET');
        replyJson(response, 200, await ports.failed(failedCountsRequest(queryParameters(url), clock())));
        return;
      }
      if ((method === 'GET' || method === 'HEAD') && !path.startsWith('/api/')) {
        if (await serveStatic(ports.staticDir, path, method, response)) return;
      }
      throw new RouteError(
        404,
        'not_found',
        `nothing is served at ${method} ${path}; docs/live.md lists the routes`,
      );
    } catch (error) {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      if (error instanceof RouteError) {
        for (const [name, value] of Object.entries(error.headers)) response.setHeader(name, value);
        replyJson(response, error.status, error.body());
        return;
      }
      ports.onError?.(error);
      replyJson(response, 500, { error: 'internal_error', message: messageOf(error) });
    }
  };
}

function allow(method: string, expected: string): void {
  if (method !== expected) {
    throw new RouteError(405, 'method_not_allowed', `${expected} only; got ${method}`, { allow: expected });
  }
}

function noParameters(url: URL): void {
  const names = [...url.searchParams.keys()];
  if (names.length > 0)
    throw new RouteError(400, 'bad_request', `unexpected query parameter(s) ${names.join(', ')}`);
}

/** A path segment as API Gateway hands path parameters over: percent-decoded (kept as sent when it does not decode). */
function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
