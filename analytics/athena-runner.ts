import { setTimeout as delay } from 'node:timers/promises';
import {
  type AthenaClient,
  GetQueryExecutionCommand,
  paginateGetQueryResults,
  type QueryExecution,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { placeholderValues, type SavedQuery } from './catalog';
import { athenaLiteral, type ParameterValue } from './parameters';
import { kindOfType, type QueryResult } from './result';

export interface AthenaRunOptions {
  workgroup: string;
  database: string;
  /** @default 'AwsDataCatalog' */
  catalog?: string;
  /** Only for a workgroup that does not enforce its own result location. */
  outputLocation?: string;
  /** Aborting stops the query on Athena (StopQueryExecution) and rejects with QueryCancelledError. */
  signal?: AbortSignal;
  /** Called when the query's state changes (QUEUED, RUNNING...), for progress output. */
  onState?: (state: string, elapsedMs: number) => void;
  /** Polling backoff: the first wait, doubled after each poll up to the cap. @default { firstMs: 250, maxMs: 5000 } */
  poll?: { firstMs: number; maxMs: number };
  /** Waits between polls; rejects or resolves early when the signal aborts. @default timers/promises setTimeout */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Athena ran the query and it failed; the message is Athena's own reason. */
export class AthenaQueryFailedError extends Error {
  override name = 'AthenaQueryFailedError';
}

/** The query was cancelled, by the user (Ctrl-C) or on Athena. */
export class QueryCancelledError extends Error {
  override name = 'QueryCancelledError';
}

// GetQueryResults returns at most 1,000 rows per page.
const PAGE_SIZE = 1000;

/**
 * Runs a saved query on Athena: StartQueryExecution with the parameters as execution parameters
 * (SQL literals, one per placeholder), polling GetQueryExecution with capped exponential backoff,
 * then every page of GetQueryResults.
 */
export async function runOnAthena(
  client: AthenaClient,
  query: SavedQuery,
  values: ReadonlyMap<string, ParameterValue>,
  options: AthenaRunOptions,
): Promise<QueryResult & { queryExecutionId: string }> {
  return runStatementOnAthena(
    client,
    query.sql,
    placeholderValues(query, values).map(athenaLiteral),
    options,
  );
}

/**
 * Runs one statement on Athena (a saved query's SQL, or a statement such as the erasure's DELETE)
 * with its execution parameters, as {@link runOnAthena} does.
 */
export async function runStatementOnAthena(
  client: AthenaClient,
  sql: string,
  parameters: readonly string[],
  options: AthenaRunOptions,
): Promise<QueryResult & { queryExecutionId: string }> {
  const started = await client.send(
    new StartQueryExecutionCommand({
      QueryString: sql,
      WorkGroup: options.workgroup,
      QueryExecutionContext: { Database: options.database, Catalog: options.catalog ?? 'AwsDataCatalog' },
      ...(options.outputLocation === undefined
        ? {}
        : { ResultConfiguration: { OutputLocation: options.outputLocation } }),
      // Athena rejects an empty list: omit it for a query without parameters.
      ...(parameters.length === 0 ? {} : { ExecutionParameters: [...parameters] }),
    }),
  );
  const id = started.QueryExecutionId;
  if (id === undefined) throw new Error('Athena returned no QueryExecutionId');

  const execution = await waitForCompletion(client, id, options);
  const result = await readResults(client, id, options.signal);
  const stats = execution.Statistics ?? {};
  const seconds = (ms: number | undefined) => `${((ms ?? 0) / 1000).toFixed(1)} s`;
  return {
    ...result,
    queryExecutionId: id,
    notes: [
      `Athena query ${id} (workgroup ${options.workgroup}, database ${options.database}): ${result.rows.length} rows, ` +
        `scanned ${formatBytes(stats.DataScannedInBytes ?? 0)}, ${seconds(stats.TotalExecutionTimeInMillis)} ` +
        `(engine ${seconds(stats.EngineExecutionTimeInMillis)}, queued ${seconds(stats.QueryQueueTimeInMillis)})`,
    ],
  };
}

async function waitForCompletion(
  client: AthenaClient,
  id: string,
  options: AthenaRunOptions,
): Promise<QueryExecution> {
  const poll = options.poll ?? { firstMs: 250, maxMs: 5000 };
  const sleep = options.sleep ?? abortableSleep;
  const begun = Date.now();
  let wait = poll.firstMs;
  let lastState: string | undefined;
  for (;;) {
    if (options.signal?.aborted) return stop(client, id);
    await sleep(wait, options.signal);
    if (options.signal?.aborted) return stop(client, id);
    wait = Math.min(wait * 2, poll.maxMs);
    const { QueryExecution: execution } = await client.send(
      new GetQueryExecutionCommand({ QueryExecutionId: id }),
    );
    const state = execution?.Status?.State;
    if (state !== undefined && state !== lastState) options.onState?.(state, Date.now() - begun);
    lastState = state;
    switch (state) {
      case 'SUCCEEDED':
        return execution!;
      case 'FAILED': {
        const reason =
          execution?.Status?.StateChangeReason ??
          execution?.Status?.AthenaError?.ErrorMessage ??
          'no reason given';
        throw new AthenaQueryFailedError(`Athena query ${id} failed: ${reason}`);
      }
      case 'CANCELLED':
        throw new QueryCancelledError(`Athena query ${id} was cancelled on Athena`);
    }
  }
}

async function stop(client: AthenaClient, id: string): Promise<never> {
  await client.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
  throw new QueryCancelledError(`cancelled: stopped Athena query ${id}`);
}

async function readResults(
  client: AthenaClient,
  id: string,
  signal: AbortSignal | undefined,
): Promise<Omit<QueryResult, 'notes'>> {
  let columns: QueryResult['columns'] | undefined;
  const rows: QueryResult['rows'] = [];
  for await (const page of paginateGetQueryResults(
    { client, pageSize: PAGE_SIZE },
    { QueryExecutionId: id },
  )) {
    if (signal?.aborted)
      throw new QueryCancelledError(`cancelled while reading the results of Athena query ${id}`);
    const pageRows = page.ResultSet?.Rows ?? [];
    if (columns === undefined) {
      columns = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => ({
        name: c.Name ?? '',
        kind: kindOfType(c.Type ?? 'varchar'),
      }));
      // The first row of a SELECT's first page holds the column names.
      pageRows.shift();
    }
    for (const row of pageRows) rows.push((row.Data ?? []).map((d) => d.VarCharValue ?? null));
  }
  return { columns: columns ?? [], rows };
}

async function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  // An abort ends the wait early; the caller checks the signal and stops the query.
  await delay(ms, undefined, { signal }).catch(() => undefined);
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
