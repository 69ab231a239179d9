import { readFileSync } from 'node:fs';
import type {
  OpenSearchHttp,
  OpenSearchRequest,
  OpenSearchResponse,
} from '../../../lambdas/opensearch-setup/setup';

interface Exchange {
  request: Pick<OpenSearchRequest, 'method' | 'path' | 'querystring'>;
  response: OpenSearchResponse;
}

/**
 * Replays a recorded conversation with a domain: each call must be the next recorded request
 * (method, path, query string); it gets the recorded response. `sent` keeps the full requests
 * (bodies included) for assertions, `remaining` what the code never asked for.
 */
export function replay(fixture: string): {
  http: OpenSearchHttp;
  sent: OpenSearchRequest[];
  remaining: () => number;
} {
  const { exchanges } = JSON.parse(readFileSync(new URL(`fixtures/${fixture}`, import.meta.url), 'utf8')) as {
    exchanges: Exchange[];
  };
  const queue = [...exchanges];
  const sent: OpenSearchRequest[] = [];
  const http: OpenSearchHttp = async (request) => {
    sent.push(request);
    const next = queue.shift();
    const actual = { method: request.method, path: request.path, querystring: request.querystring };
    const expected = {
      method: next?.request.method,
      path: next?.request.path,
      querystring: next?.request.querystring,
    };
    if (next === undefined || JSON.stringify(actual) !== JSON.stringify(expected)) {
      throw new Error(
        `unexpected request ${JSON.stringify(actual)}; the recording expects ${JSON.stringify(expected)}`,
      );
    }
    return next.response;
  };
  return { http, sent, remaining: () => queue.length };
}
