import type { IncomingMessage, ServerResponse } from 'node:http';

/** The body of every error the dashboard routes answer: a typed code for programs, a message for people. */
export interface ErrorBody {
  error: string;
  message: string;
}

/** A route's refusal: answered with `status` and an ErrorBody. */
export class RouteError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Headers the answer carries (a 405's `allow`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): ErrorBody {
    return { error: this.code, message: this.message };
  }
}

export function replyJson(response: ServerResponse, status: number, body: unknown): void {
  replyText(response, status, 'application/json', JSON.stringify(body));
}

export function replyText(response: ServerResponse, status: number, contentType: string, text: string): void {
  response.writeHead(status, {
    'content-type': contentType.includes('charset') ? contentType : `${contentType}; charset=utf-8`,
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  response.end(text);
}

// A saved query's parameters fit in a few hundred bytes; nothing a route reads is bigger.
const MAX_JSON_BODY_BYTES = 64 * 1024;

/** The request's JSON body, or a RouteError (413 too large, 400 not JSON). An empty body is `{}`. */
export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BODY_BYTES) {
      request.resume();
      throw new RouteError(
        413,
        'body_too_large',
        `the request body may be at most ${MAX_JSON_BODY_BYTES} bytes`,
      );
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks, size).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new RouteError(400, 'not_json', 'the request body is not JSON');
  }
}

/**
 * A URL's query parameters as API Gateway's HTTP API (payload 2.0) hands them to a Lambda: decoded,
 * a repeated name's values joined with commas.
 */
export function queryParameters(url: URL): Record<string, string> {
  // No prototype: a parameter named `__proto__` is a parameter like any other, as in the Lambda's JSON event.
  const parameters: Record<string, string> = Object.create(null);
  for (const [name, value] of url.searchParams) {
    parameters[name] = Object.hasOwn(parameters, name) ? `${parameters[name]},${value}` : value;
  }
  return parameters;
}
