import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SavedQuery } from '../../analytics/catalog';
import { formatResult, jsonValue } from '../../analytics/format';
import { findSavedQuery, UnknownQueryError } from '../../analytics/lookup';
import { ParameterError, type ParameterValue, parseParameterValues } from '../../analytics/parameters';
import type { QueryResult } from '../../analytics/result';
import type { Clock } from '../../lambdas/aggregator/ports';
import { RouteError, readJsonBody, replyJson, replyText } from './http-reply';

/** The saved queries and an engine to run them: the local lake (DuckDB), or Athena for a deployed stack. */
export interface SavedQueriesPort {
  list(): SavedQuery[];
  run(query: SavedQuery, values: ReadonlyMap<string, ParameterValue>): Promise<QueryResult>;
}

/** `GET /api/queries`: each query's name, description and parameters, as its header declares them. */
export interface QueryListing {
  queries: { name: string; description: string; parameters: SavedQuery['parameters'] }[];
}

/** `POST /api/queries/{name}`: columns with their kind, rows with numbers and booleans typed (as `--format json`). */
export interface QueryAnswer {
  columns: QueryResult['columns'];
  rows: unknown[][];
}

// One DuckDB over the lake at a time uses a core; a few more wait, the rest are refused (busy).
const MAX_WAITING_RUNS = 4;

export function queryRoutes(port: SavedQueriesPort, clock: Clock) {
  let running: Promise<unknown> = Promise.resolve();
  let waiting = 0;
  const oneAtATime = async <T>(work: () => Promise<T>): Promise<T> => {
    if (waiting >= MAX_WAITING_RUNS) {
      throw new RouteError(
        503,
        'busy',
        `${waiting} queries are already waiting to run; try again when they finish`,
      );
    }
    waiting += 1;
    const next = running.then(work, work);
    running = next.catch(() => undefined);
    try {
      return await next;
    } finally {
      waiting -= 1;
    }
  };

  return {
    list(): QueryListing {
      return {
        queries: port
          .list()
          .map((q) => ({ name: q.name, description: q.description, parameters: q.parameters })),
      };
    },

    async run(name: string, url: URL, request: IncomingMessage, response: ServerResponse): Promise<void> {
      const format = outputFormat(url);
      const query = savedQuery(port, name);
      const values = parameterValues(query, await readJsonBody(request), clock());
      let result: QueryResult;
      try {
        result = await oneAtATime(() => port.run(query, values));
      } catch (error) {
        if (error instanceof RouteError) throw error;
        throw new RouteError(500, 'query_failed', `${query.name} failed: ${messageOf(error)}`);
      }
      if (format === 'csv') {
        response.setHeader('content-disposition', `attachment; filename="${query.name}.csv"`);
        replyText(response, 200, 'text/csv', formatResult(result, 'csv'));
        return;
      }
      const answer: QueryAnswer = {
        columns: result.columns,
        rows: result.rows.map((row) =>
          row.map((value, i) => jsonValue(value, result.columns[i]?.kind ?? 'text')),
        ),
      };
      replyJson(response, 200, answer);
    },
  };
}

function outputFormat(url: URL): 'json' | 'csv' {
  const unexpected = [...url.searchParams.keys()].filter((name) => name !== 'format');
  if (unexpected.length > 0) {
    throw new RouteError(
      400,
      'bad_request',
      `unexpected query parameter(s) ${unexpected.join(', ')}; only format`,
    );
  }
  const format = url.searchParams.get('format') ?? 'json';
  if (format !== 'json' && format !== 'csv') {
    throw new RouteError(400, 'bad_request', `format ${JSON.stringify(format)} is not json or csv`);
  }
  return format;
}

function savedQuery(port: SavedQueriesPort, name: string): SavedQuery {
  try {
    return findSavedQuery(port.list(), name);
  } catch (error) {
    if (error instanceof UnknownQueryError) throw new RouteError(404, 'unknown_query', error.message);
    throw error;
  }
}

/**
 * The body's `parameters` checked by the CLI's own rules (parseParameterValues): each value goes
 * by name, so `{ "start_date": "2026-11-01" }` is `clickstream query run q start_date=2026-11-01`.
 */
export function parameterValues(query: SavedQuery, body: unknown, now: number): Map<string, ParameterValue> {
  if (!isObject(body))
    throw new RouteError(400, 'bad_request', 'the body must be a JSON object { "parameters": { … } }');
  const unexpected = Object.keys(body).filter((key) => key !== 'parameters');
  if (unexpected.length > 0) {
    throw new RouteError(
      400,
      'bad_request',
      `unexpected member(s) ${unexpected.join(', ')}; the body takes only parameters`,
    );
  }
  const given = body.parameters ?? {};
  if (!isObject(given))
    throw new RouteError(400, 'bad_request', '"parameters" must be an object of name: value');
  const raw: string[] = [];
  for (const [name, value] of Object.entries(given)) {
    // A name the CLI would not read as a name (`1x`, ``) is no parameter of any query.
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) {
      throw new RouteError(
        400,
        'bad_parameter',
        `unknown parameter ${JSON.stringify(name)}; ${query.name} takes ${query.parameters.map((p) => p.name).join(', ') || 'no parameters'}`,
      );
    }
    if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) {
      throw new RouteError(400, 'bad_parameter', `parameter ${name} must be a string or a number`);
    }
    raw.push(`${name}=${value}`);
  }
  try {
    return parseParameterValues(query, raw, now);
  } catch (error) {
    if (error instanceof ParameterError) throw new RouteError(400, 'bad_parameter', error.message);
    throw error;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
