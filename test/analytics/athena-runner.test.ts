import {
  AthenaClient,
  GetQueryExecutionCommand,
  type GetQueryExecutionCommandOutput,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AthenaQueryFailedError, QueryCancelledError, runOnAthena } from '../../analytics/athena-runner';
import { parseSavedQuery } from '../../analytics/catalog';
import { parseParameterValues } from '../../analytics/parameters';

const query = parseSavedQuery(
  '/queries/clicks_for.sql',
  [
    '-- name: clicks_for',
    '-- description: Clicks of one advertiser on one day.',
    '-- param: day date The event day.',
    '-- param: advertiser string The advertiser.',
    'SELECT advertiser_id, count(*) AS clicks FROM events WHERE dt = ? /* day */ AND advertiser_id = ? /* advertiser */',
    '  AND CAST(from_iso8601_timestamp(event_time) AS date) = CAST(? /* day */ AS date) GROUP BY 1',
  ].join('\n'),
);
const values = parseParameterValues(query, ['2026-11-01', "o'brien"]);
const athena = mockClient(AthenaClient);
const client = new AthenaClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
});
const options = { workgroup: 'clickstream', database: 'clickstream_lake', sleep: async () => {} };

function state(s: string, extra: Record<string, unknown> = {}): Partial<GetQueryExecutionCommandOutput> {
  return {
    QueryExecution: {
      QueryExecutionId: 'q-1',
      Status: { State: s, ...extra },
      Statistics: {
        DataScannedInBytes: 3 * 1024 * 1024,
        TotalExecutionTimeInMillis: 2500,
        EngineExecutionTimeInMillis: 2000,
      },
    },
  } as Partial<GetQueryExecutionCommandOutput>;
}

const header = { Data: [{ VarCharValue: 'advertiser_id' }, { VarCharValue: 'clicks' }] };
const metadata = {
  ColumnInfo: [
    { Name: 'advertiser_id', Type: 'varchar' },
    { Name: 'clicks', Type: 'bigint' },
  ],
};

beforeEach(() => {
  athena.reset();
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
  athena.on(StopQueryExecutionCommand).resolves({});
});

describe('runOnAthena', () => {
  it('passes every placeholder as a SQL literal and reads every page of results', async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce(state('QUEUED'))
      .resolvesOnce(state('RUNNING'))
      .resolves(state('SUCCEEDED'));
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: metadata,
        Rows: [header, { Data: [{ VarCharValue: 'adv-a' }, { VarCharValue: '3' }] }],
      },
      NextToken: 'page-2',
    });
    athena.on(GetQueryResultsCommand, { NextToken: 'page-2' }).resolves({
      ResultSet: { ResultSetMetadata: metadata, Rows: [{ Data: [{ VarCharValue: 'adv-b' }, {}] }] },
    });

    const result = await runOnAthena(client, query, values, options);

    expect(athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input).toEqual({
      QueryString: query.sql,
      WorkGroup: 'clickstream',
      QueryExecutionContext: { Database: 'clickstream_lake', Catalog: 'AwsDataCatalog' },
      ExecutionParameters: ["'2026-11-01'", "'o''brien'", "'2026-11-01'"],
    });
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(2);
    expect(result.columns).toEqual([
      { name: 'advertiser_id', kind: 'text' },
      { name: 'clicks', kind: 'integer' },
    ]);
    expect(result.rows).toEqual([
      ['adv-a', '3'],
      ['adv-b', null],
    ]);
    expect(result.notes[0]).toContain('scanned 3.0 MB, 2.5 s');
  });

  it('sends the output location only when given', async () => {
    athena.on(GetQueryExecutionCommand).resolves(state('SUCCEEDED'));
    athena
      .on(GetQueryResultsCommand)
      .resolves({ ResultSet: { ResultSetMetadata: metadata, Rows: [header] } });

    await runOnAthena(client, query, values, { ...options, outputLocation: 's3://results/prefix/' });

    expect(athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input.ResultConfiguration).toEqual({
      OutputLocation: 's3://results/prefix/',
    });
  });

  it("fails with Athena's StateChangeReason", async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolves(
        state('FAILED', { StateChangeReason: "COLUMN_NOT_FOUND: line 1:8: Column 'x' cannot be resolved" }),
      );

    const run = runOnAthena(client, query, values, options);

    await expect(run).rejects.toThrow(AthenaQueryFailedError);
    await expect(run).rejects.toThrow(
      "Athena query q-1 failed: COLUMN_NOT_FOUND: line 1:8: Column 'x' cannot be resolved",
    );
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });

  it('stops the query on Athena when the signal aborts (Ctrl-C)', async () => {
    athena.on(GetQueryExecutionCommand).resolves(state('RUNNING'));
    const controller = new AbortController();
    let polls = 0;
    const sleep = async () => {
      polls += 1;
      if (polls === 3) controller.abort();
    };

    const run = runOnAthena(client, query, values, { ...options, sleep, signal: controller.signal });

    await expect(run).rejects.toThrow(QueryCancelledError);
    expect(athena.commandCalls(StopQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { QueryExecutionId: 'q-1' },
    ]);
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(2);
  });

  it('reports a query cancelled on Athena as cancelled', async () => {
    athena.on(GetQueryExecutionCommand).resolves(state('CANCELLED'));

    await expect(runOnAthena(client, query, values, options)).rejects.toThrow(QueryCancelledError);
  });

  it('doubles the wait between polls up to the cap', async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce(state('QUEUED'))
      .resolvesOnce(state('RUNNING'))
      .resolvesOnce(state('RUNNING'))
      .resolvesOnce(state('RUNNING'))
      .resolvesOnce(state('RUNNING'))
      .resolves(state('SUCCEEDED'));
    athena
      .on(GetQueryResultsCommand)
      .resolves({ ResultSet: { ResultSetMetadata: metadata, Rows: [header] } });
    const waits: number[] = [];
    const states: string[] = [];

    await runOnAthena(client, query, values, {
      ...options,
      poll: { firstMs: 100, maxMs: 500 },
      sleep: async (ms) => {
        waits.push(ms);
      },
      onState: (s) => states.push(s),
    });

    expect(waits).toEqual([100, 200, 400, 500, 500, 500]);
    expect(states).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
  });
});
