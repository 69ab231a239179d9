import { setTimeout as sleep } from 'node:timers/promises';

/** A statement's answer over Trino's client protocol: values as the protocol's JSON gives them. */
export interface TrinoResult {
  columns: { name: string; type: string }[];
  rows: unknown[][];
}

/** Trino refused or failed the statement; `errorName` is Trino's (e.g. `TYPE_MISMATCH`). */
export class TrinoQueryError extends Error {
  override name = 'TrinoQueryError';
  constructor(
    message: string,
    readonly errorName: string,
  ) {
    super(message);
  }
}

interface StatementResponse {
  nextUri?: string;
  columns?: { name: string; type: string }[];
  data?: unknown[][];
  error?: { message: string; errorName: string };
}

export interface TrinoSession {
  readonly catalog?: string;
  readonly schema?: string;
}

// The protocol's answer while the coordinator is busy: the client is to retry the same URI.
const RETRY_STATUSES = new Set([502, 503, 504]);

/**
 * Runs one statement through Trino's client REST protocol (POST /v1/statement, then GET each
 * `nextUri` until there is none) and returns every row.
 */
export async function trinoQuery(
  baseUrl: string,
  sql: string,
  session: TrinoSession = {},
): Promise<TrinoResult> {
  const headers: Record<string, string> = { 'X-Trino-User': 'clickstream' };
  if (session.catalog !== undefined) headers['X-Trino-Catalog'] = session.catalog;
  if (session.schema !== undefined) headers['X-Trino-Schema'] = session.schema;

  const result: TrinoResult = { columns: [], rows: [] };
  let request: () => Promise<Response> = () =>
    fetch(`${baseUrl}/v1/statement`, { method: 'POST', headers, body: sql });
  for (;;) {
    const response = await request();
    if (RETRY_STATUSES.has(response.status)) {
      await response.arrayBuffer();
      await sleep(100);
      continue;
    }
    if (!response.ok) throw new TrinoQueryError(`HTTP ${response.status}: ${await response.text()}`, 'HTTP');
    const page = (await response.json()) as StatementResponse;
    if (page.error !== undefined) throw new TrinoQueryError(page.error.message, page.error.errorName);
    if (page.columns !== undefined) result.columns = page.columns;
    if (page.data !== undefined) result.rows.push(...page.data);
    const next = page.nextUri;
    if (next === undefined) return result;
    request = () => fetch(next, { headers });
  }
}

/** A SQL string literal. */
export function sqlLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
