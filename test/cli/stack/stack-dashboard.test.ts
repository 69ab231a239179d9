import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  type StartQueryExecutionCommandInput,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { executeApiSigner } from '../../../cli/stack/sigv4';
import { ADVERTISERS_QUERY } from '../../../cli/stack/stack-advertisers';
import {
  type StackDashboard,
  StackDashboardError,
  startStackDashboard,
} from '../../../cli/stack/stack-dashboard';
import { DASHBOARD_OUTPUT_KEYS } from '../../../cli/stack/stack-outputs';
import { answerClientMessage } from '../../../lambdas/live/client-messages';
import type { ConnectionStore } from '../../../lambdas/live/ports';
import { encodeServerMessage, summaryMessage } from '../../../lambdas/live/protocol';
import {
  ARRIVAL,
  base64Line,
  MemoryStore,
  processingFailed,
  putErrorObject,
  wireEvent,
} from '../../analytics/failed/fixtures';
import { authorizationFor, type ReceivedRequest } from './received-signature';

// Everything AWS is mocked (aws-sdk-client-mock) or a loopback fake: no request leaves the machine.
const cloudFormation = mockClient(CloudFormationClient);
const athena = mockClient(AthenaClient);
const s3 = mockClient(S3Client);

const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret-example' });
const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const REGION = 'eu-west-1';

// --- The stack's two APIs, as loopback fakes ---------------------------------------------------

const apiRequests: ReceivedRequest[] = [];
let summaryApi: Server;
let summaryApiUrl: string;

/** A summary API that answers only requests whose SigV4 signature is right for what arrived. */
async function signatureMatches(request: ReceivedRequest): Promise<boolean> {
  const expected = await authorizationFor(request, summaryApiUrl, executeApiSigner(REGION, credentials));
  return expected === request.headers.authorization;
}

const SUMMARY = {
  advertiser_id: 'adv-1',
  window_start: '2026-11-22T11:45:00.000Z',
  window_end: '2026-11-22T12:00:00.000Z',
  status: 'provisional',
  impressions: 7,
};

// The WebSocket API: the stack's own message core (answerClientMessage) behind a loopback socket.
const connectUrls: string[] = [];
const subscriptions = new Map<string, Set<string>>();
let webSocketApi: WebSocketServer;
let liveWebSocketUrl: string;

function memoryConnections(): ConnectionStore {
  return {
    open: async () => undefined,
    subscribe: async (connectionId, advertiserId) => {
      const set = subscriptions.get(connectionId) ?? new Set();
      set.add(advertiserId);
      subscriptions.set(connectionId, set);
      return 'subscribed';
    },
    unsubscribe: async (connectionId, advertiserId) => {
      subscriptions.get(connectionId)?.delete(advertiserId);
    },
    close: async (connectionId) => {
      subscriptions.delete(connectionId);
    },
    subscribers: async () => [],
  };
}

beforeAll(async () => {
  summaryApi = createServer(async (request, response) => {
    const received = { method: request.method ?? '', url: request.url ?? '', headers: request.headers };
    apiRequests.push(received);
    if (!(await signatureMatches(received))) {
      response.writeHead(403, { 'content-type': 'application/json' }).end('{"message":"Forbidden"}');
      return;
    }
    response
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ advertiser_id: 'adv-1', summaries: [SUMMARY], next: null, version: 2 }));
  });
  summaryApi.listen(0, '127.0.0.1');
  await once(summaryApi, 'listening');
  summaryApiUrl = `http://127.0.0.1:${(summaryApi.address() as AddressInfo).port}`;

  webSocketApi = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(webSocketApi, 'listening');
  const store = memoryConnections();
  let connections = 0;
  webSocketApi.on('connection', (socket, request) => {
    connectUrls.push(request.url ?? '');
    const connectionId = `conn-${++connections}`;
    socket.on('message', async (data) => {
      const answer = await answerClientMessage(String(data), connectionId, store, NOW);
      socket.send(encodeServerMessage(answer));
      // The push Lambda's part: a stored window of the advertiser just followed.
      if (answer.type === 'subscribed' && 'advertiser_id' in answer) {
        socket.send(encodeServerMessage(summaryMessage(SUMMARY as never)));
      }
    });
    socket.on('close', () => void store.close(connectionId));
  });
  liveWebSocketUrl = `ws://127.0.0.1:${(webSocketApi.address() as AddressInfo).port}/live`;
});

afterAll(() => {
  summaryApi.close();
  webSocketApi.close();
});

// --- Mocked CloudFormation, Athena and S3 ------------------------------------------------------

function stackOutputs(except: string[] = []) {
  const values: Record<string, string> = {
    [DASHBOARD_OUTPUT_KEYS.summaryApiUrl]: summaryApiUrl,
    [DASHBOARD_OUTPUT_KEYS.liveWebSocketUrl]: liveWebSocketUrl,
    [DASHBOARD_OUTPUT_KEYS.athenaWorkGroup]: 'clickstream-analytics',
    [DASHBOARD_OUTPUT_KEYS.glueDatabase]: 'clickstream_lake',
    [DASHBOARD_OUTPUT_KEYS.lakeBucketName]: 'lake-bucket',
  };
  return {
    Stacks: [
      {
        StackName: 'Clickstream-dev',
        CreationTime: new Date(NOW),
        StackStatus: 'UPDATE_COMPLETE' as const,
        Outputs: Object.entries(values)
          .filter(([key]) => !except.includes(key))
          .map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  };
}

/** Athena answers each query by its SQL: the advertiser rollup, or an hourly count. */
function mockAthena(): void {
  let started = 0;
  const resultsOf = new Map<string, 'advertisers' | 'hourly'>();
  athena.on(StartQueryExecutionCommand).callsFake(async (input: StartQueryExecutionCommandInput) => {
    const id = `q-${++started}`;
    resultsOf.set(id, input.QueryString?.includes('approx_distinct') ? 'advertisers' : 'hourly');
    return { QueryExecutionId: id };
  });
  athena.on(GetQueryExecutionCommand).resolves({
    QueryExecution: { Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: 2048 } },
  });
  const row = (...values: string[]) => ({ Data: values.map((VarCharValue) => ({ VarCharValue })) });
  athena.on(GetQueryResultsCommand).callsFake(async ({ QueryExecutionId }) => {
    if (resultsOf.get(QueryExecutionId) === 'advertisers') {
      return {
        ResultSet: {
          ResultSetMetadata: {
            ColumnInfo: [
              { Name: 'advertiser_id', Type: 'varchar' },
              { Name: 'event_day', Type: 'date' },
            ],
          },
          Rows: [
            row('advertiser_id', 'event_day'),
            row('adv-2', '2026-11-21'),
            row('adv-1', '2026-11-21'),
            row('adv-2', '2026-11-22'),
          ],
        },
      };
    }
    return {
      ResultSet: {
        ResultSetMetadata: {
          ColumnInfo: [
            { Name: 'event_day', Type: 'date' },
            { Name: 'event_hour', Type: 'bigint' },
            { Name: 'event_type', Type: 'varchar' },
            { Name: 'events', Type: 'bigint' },
          ],
        },
        Rows: [
          row('event_day', 'event_hour', 'event_type', 'events'),
          row('2026-11-22', '8', 'click', '412'),
        ],
      },
    };
  });
}

/** The lake bucket: one errors/ object holding a refused event, served from memory. */
function mockLakeBucket(): void {
  const lake = new MemoryStore();
  putErrorObject(lake, 'processing-failed', [
    processingFailed(base64Line(wireEvent('e-1', { event_type: 'NOT A TYPE' })), ARRIVAL),
  ]);
  s3.on(ListObjectsV2Command).callsFake(async (input) => {
    expect(input.Bucket).toBe('lake-bucket');
    return { Contents: (await lake.list(input.Prefix ?? '')).map((Key) => ({ Key })), IsTruncated: false };
  });
  s3.on(GetObjectCommand).callsFake(async (input) => {
    expect(input.Bucket).toBe('lake-bucket');
    const body = await lake.get(input.Key);
    return { Body: { transformToByteArray: async () => new Uint8Array(body) } as never };
  });
}

// --- The dashboard server under test -----------------------------------------------------------

let dashboard: StackDashboard;
let staticDir: string;
const logged: string[] = [];

beforeEach(async () => {
  apiRequests.length = 0;
  connectUrls.length = 0;
  logged.length = 0;
  cloudFormation.on(DescribeStacksCommand, { StackName: 'Clickstream-dev' }).resolves(stackOutputs());
  mockAthena();
  mockLakeBucket();
  staticDir = mkdtempSync(join(tmpdir(), 'stack-dashboard-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>dashboard</title>');
  dashboard = await startStackDashboard({
    stackName: 'Clickstream-dev',
    region: REGION,
    port: 0,
    credentials,
    staticDir,
    clock: () => NOW,
    log: (line) => logged.push(line),
    athenaPoll: { firstMs: 1, maxMs: 1 },
  });
});

afterEach(async () => {
  await dashboard.close();
  rmSync(staticDir, { recursive: true, force: true });
  cloudFormation.reset();
  athena.reset();
  s3.reset();
});

const get = (path: string, init?: RequestInit) => fetch(new URL(path, dashboard.url), init);

function startedQueries(): StartQueryExecutionCommandInput[] {
  return athena.commandCalls(StartQueryExecutionCommand).map((call) => call.args[0].input);
}

/** A browser-like client of the dashboard's `/live`, collecting what it is sent. */
async function openLive(): Promise<{ socket: WebSocket; next: () => Promise<unknown> }> {
  const socket = new WebSocket(`${dashboard.url.replace(/^http/, 'ws')}live`);
  const queue: unknown[] = [];
  const waiting: ((message: unknown) => void)[] = [];
  socket.on('message', (data) => {
    const message = JSON.parse(String(data));
    const waiter = waiting.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  });
  await once(socket, 'open');
  const next = () =>
    queue.length > 0 ? Promise.resolve(queue.shift()) : new Promise((resolve) => waiting.push(resolve));
  return { socket, next };
}

describe('clickstream dashboard --stack: the server', () => {
  it('proxies the summary API with a SigV4 signature the stack accepts, on loopback only', async () => {
    const response = await get('/advertisers/adv-1/summaries?from=2026-11-22T00:00:00Z&limit=5');

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      advertiser_id: 'adv-1',
      summaries: [SUMMARY],
      next: null,
      version: 2,
    });
    expect(apiRequests).toHaveLength(1);
    expect(apiRequests[0]?.url).toBe('/advertisers/adv-1/summaries?from=2026-11-22T00%3A00%3A00Z&limit=5');
    expect(apiRequests[0]?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request/,
    );
    expect(await signatureMatches(apiRequests[0] as ReceivedRequest)).toBe(true);
    expect(new URL(dashboard.url).hostname).toBe('127.0.0.1');
  });

  it('refuses a page of another origin, before anything is signed', async () => {
    const response = await get('/advertisers/adv-1/summaries', {
      headers: { origin: 'https://evil.example' },
    });

    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: 'forbidden' });
    expect(apiRequests).toHaveLength(0);
  });

  it('bridges /live to the presigned WebSocket API: subscribe acknowledged, pushes relayed, tail not_available_on_stack', async () => {
    const { socket, next } = await openLive();

    socket.send('{"action":"subscribe","advertiser_id":"adv-1"}');
    const acknowledged = await next();
    const pushed = await next();
    socket.send('{"action":"tail"}');
    const tail = await next();

    expect(acknowledged).toEqual({ type: 'subscribed', advertiser_id: 'adv-1' });
    expect(pushed).toEqual({ type: 'summary', summary: SUMMARY });
    expect(tail).toMatchObject({ type: 'error', error: 'not_available_on_stack' });
    const connect = new URL(connectUrls[0] ?? '', 'ws://x');
    expect(connect.pathname).toBe('/live');
    expect(connect.searchParams.get('X-Amz-Credential')).toMatch(
      /^AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\//,
    );
    expect(connect.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    socket.close();
  });

  it('refuses a /live upgrade from another origin', async () => {
    const socket = new WebSocket(`${dashboard.url.replace(/^http/, 'ws')}live`, {
      headers: { origin: 'https://evil.example' },
    });
    const outcome = await new Promise<number | 'opened'>((resolve) => {
      socket.once('unexpected-response', (_request, response: IncomingMessage) =>
        resolve(response.statusCode ?? 0),
      );
      socket.once('open', () => {
        socket.close();
        resolve('opened');
      });
    });

    expect(outcome).toBe(403);
    expect(connectUrls).toHaveLength(0);
  });

  it("runs a saved query on Athena in the stack's workgroup and database, logging its progress", async () => {
    const response = await get('/api/queries/hourly_traffic', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ parameters: { start_date: 'yesterday', end_date: 'today' } }),
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      columns: [
        { name: 'event_day', kind: 'text' },
        { name: 'event_hour', kind: 'integer' },
        { name: 'event_type', kind: 'text' },
        { name: 'events', kind: 'integer' },
      ],
      rows: [['2026-11-22', 8, 'click', 412]],
    });
    const run = startedQueries().find((q) => q.QueryString?.includes('hour(ts)'));
    expect(run).toMatchObject({
      WorkGroup: 'clickstream-analytics',
      QueryExecutionContext: { Database: 'clickstream_lake' },
      ExecutionParameters: ["'2026-11-21'", "'2026-11-22'"],
    });
    expect(logged).toContain('hourly_traffic: SUCCEEDED after 0.0 s');
  });

  it('lists the saved queries from the local catalog, and answers CSV', async () => {
    const list = (await (await get('/api/queries')).json()) as { queries: { name: string }[] };
    const csv = await get('/api/queries/hourly_traffic?format=csv', {
      method: 'POST',
      body: JSON.stringify({ parameters: { start_date: '2026-11-22', end_date: '2026-11-22' } }),
    });

    expect(list.queries.map((q) => q.name)).toEqual(
      expect.arrayContaining(['hourly_traffic', ADVERTISERS_QUERY]),
    );
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(await csv.text()).toBe('event_day,event_hour,event_type,events\r\n2026-11-22,8,click,412\r\n');
  });

  it('lists the advertisers of the last 7 event days from one cached Athena run', async () => {
    const first = await (await get('/api/advertisers')).json();
    const second = await (await get('/api/advertisers')).json();

    expect(first).toEqual({ advertisers: ['adv-1', 'adv-2'] });
    expect(second).toEqual(first);
    const rollups = startedQueries().filter((q) => q.QueryString?.includes('approx_distinct'));
    expect(rollups).toHaveLength(1);
    expect(rollups[0]?.ExecutionParameters).toEqual(["'2026-11-16'", "'2026-11-22'"]);
  });

  it("counts failed events from the lake bucket's errors/", async () => {
    const response = await get('/api/failed?from=2026-11-22T00:00:00Z&to=2026-11-23T00:00:00Z');

    expect(await response.json()).toEqual({
      from: '2026-11-22T00:00:00.000Z',
      to: '2026-11-23T00:00:00.000Z',
      advertiser_id: null,
      total: 1,
      by_reason: { invalid_event_type: 1 },
    });
  });

  it('stops the Athena queries under way when it stops', async () => {
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'RUNNING' } } });
    athena.on(StopQueryExecutionCommand).resolves({});
    const answer = get('/api/queries/hourly_traffic', {
      method: 'POST',
      body: JSON.stringify({ parameters: { start_date: 'today', end_date: 'today' } }),
    }).catch((error: unknown) => error);
    await vi.waitFor(() => expect(logged.some((l) => l.startsWith('hourly_traffic: RUNNING'))).toBe(true));

    await dashboard.close();

    const started = athena.commandCalls(StartQueryExecutionCommand).length;
    const stopped = athena
      .commandCalls(StopQueryExecutionCommand)
      .map((c) => c.args[0].input.QueryExecutionId);
    expect(stopped.sort()).toEqual(Array.from({ length: started }, (_, i) => `q-${i + 1}`));
    expect(started).toBe(2); // the picker's warm-up run and the page's query
    await answer;
  });

  it('serves the built dashboard', async () => {
    const response = await get('/');

    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>dashboard</title>');
  });
});

describe('clickstream dashboard --stack: starting', () => {
  const start = () =>
    startStackDashboard({
      stackName: 'old-stack',
      region: REGION,
      port: 0,
      credentials,
      log: () => undefined,
    });

  it('names the outputs a stack lacks', async () => {
    cloudFormation
      .on(DescribeStacksCommand, { StackName: 'old-stack' })
      .resolves(
        stackOutputs([DASHBOARD_OUTPUT_KEYS.liveWebSocketUrl, DASHBOARD_OUTPUT_KEYS.athenaWorkGroup]),
      );

    await expect(start()).rejects.toThrow(
      new StackDashboardError(
        'stack old-stack has no output LiveWebSocketUrl, AthenaWorkGroup: deploy this version of the app to it (npx cdk deploy)',
      ),
    );
  });

  it('says when the stack does not exist', async () => {
    cloudFormation
      .on(DescribeStacksCommand)
      .rejects(
        Object.assign(new Error('Stack with id old-stack does not exist'), { name: 'ValidationError' }),
      );

    await expect(start()).rejects.toThrow(/^stack old-stack does not exist in this account and region/);
  });

  it('says when no AWS credentials are found', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );

    await expect(start()).rejects.toThrow(
      /^no AWS credentials found \(Could not load credentials from any providers\): set AWS_PROFILE/,
    );
  });
});
