import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { type WebSocket, WebSocketServer } from 'ws';
import { type AthenaRunOptions, runOnAthena } from '../../analytics/athena-runner';
import { loadSavedQueries, type SavedQuery } from '../../analytics/catalog';
import { S3ObjectStore } from '../../analytics/failed/s3-object-store';
import type { ParameterValue } from '../../analytics/parameters';
import type { QueryResult } from '../../analytics/result';
import type { Clock } from '../../lambdas/aggregator/ports';
import { createDashboardRoutes, type DashboardPorts } from '../../local/server/dashboard-routes';
import { replyJson } from '../../local/server/http-reply';
import { MAX_FRAME_BYTES } from '../../local/server/live-hub';
import { lakeFailedCounts } from '../../local/server/local-ports';
import { requestGuard } from '../../local/server/request-guard';
import { DASHBOARD_DIST_DIR } from '../../local/server/static-files';
import { bridgeLiveConnection } from './live-bridge';
import { presignedWebSocketUrl } from './presign';
import { signedSummaries } from './signed-summaries';
import { executeApiSigner, regionOfApiUrl } from './sigv4';
import { stackAdvertisers } from './stack-advertisers';
import { type DashboardStackOutputs, readDashboardOutputs, StackOutputsError } from './stack-outputs';

/** Beside `clickstream serve`'s 4573, so both can run at once. */
export const DEFAULT_STACK_DASHBOARD_PORT = 4574;

/**
 * Browser connections bridged at once. Each holds a connection to the stack's WebSocket API
 * (and its connection-table item); a few dashboard tabs need a handful.
 */
export const MAX_BRIDGED_CONNECTIONS = 20;

export interface StackDashboardOptions {
  stackName: string;
  /** Region of the stack; the AWS configuration's (AWS_REGION, the profile) when absent. */
  region?: string;
  /** @default 127.0.0.1 */
  host?: string;
  /** @default DEFAULT_STACK_DASHBOARD_PORT (0: any free port) */
  port?: number;
  /** The user's AWS credentials; the default chain (environment, profile, SSO, instance role) when absent. */
  credentials?: AwsCredentialIdentityProvider;
  /** @default dashboard/dist/ */
  staticDir?: string;
  clock?: Clock;
  /** Progress and problems, one line each (stderr in the command). */
  log?: (line: string) => void;
  /** Athena's polling backoff (athena-runner's default when absent). */
  athenaPoll?: AthenaRunOptions['poll'];
}

export interface StackDashboard {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  outputs: DashboardStackOutputs;
  /** The region the APIs are signed for. */
  region: string;
  /** Stops Athena queries under way, closes every live connection (and its upstream), then the port. */
  close(): Promise<void>;
}

/** Why the dashboard could not start against the stack; the message says what to do. */
export class StackDashboardError extends Error {
  override name = 'StackDashboardError';
}

/**
 * `clickstream dashboard --stack`: the local server's dashboard routes (docs/live.md) on loopback,
 * each backed by the deployed stack: the summary API proxied with SigV4, `/live` bridged to the
 * IAM-authorised WebSocket API, saved queries and the advertiser picker on Athena, failed counts
 * from the lake bucket's errors/.
 */
export async function startStackDashboard(options: StackDashboardOptions): Promise<StackDashboard> {
  const log = options.log ?? (() => undefined);
  const clientConfig = {
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  };
  const cloudFormation = new CloudFormationClient(clientConfig);
  const athena = new AthenaClient(clientConfig);
  const s3 = new S3Client(clientConfig);
  const destroyClients = () => {
    for (const client of [cloudFormation, athena, s3]) client.destroy();
  };
  try {
    const outputs = await readOutputs(cloudFormation, options.stackName);
    const region = regionOfApiUrl(outputs.summaryApiUrl) ?? (await cloudFormation.config.region());
    const signer = executeApiSigner(region, options.credentials);
    const stopping = new AbortController();
    const clock = options.clock ?? Date.now;
    const running = new Set<Promise<unknown>>();
    const runQuery = tracked(
      running,
      athenaQueries(athena, outputs, stopping.signal, log, options.athenaPoll),
    );
    const savedQueries = loadSavedQueries();
    const ports: DashboardPorts = {
      summaries: signedSummaries(outputs.summaryApiUrl, signer),
      advertisers: stackAdvertisers(savedQueries, runQuery, clock),
      queries: { list: () => savedQueries, run: runQuery },
      failed: lakeFailedCounts(new S3ObjectStore(s3, outputs.lakeBucketName)),
      staticDir: options.staticDir ?? DASHBOARD_DIST_DIR,
      clock,
      onError: (error) => log(`dashboard route failed: ${messageOf(error)}`),
    };
    const host = options.host ?? '127.0.0.1';
    const guard = requestGuard(host);
    const routes = createDashboardRoutes(ports);
    const server = createServer((request, response) => {
      if (!guard(request)) {
        replyForbidden(response);
        return;
      }
      routes(request, response).catch(() => response.destroy());
    });

    const live = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, clientTracking: false });
    const browsers = new Set<WebSocket>();
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const refused = upgradeRefusal(request, guard, browsers.size);
      if (refused !== undefined) {
        socket.end(`HTTP/1.1 ${refused}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      live.handleUpgrade(request, socket, head, (browser) => {
        browsers.add(browser);
        browser.once('close', () => browsers.delete(browser));
        // The stack's message route answers every action itself, the tail's not_available_on_stack included.
        bridgeLiveConnection(
          browser,
          () => presignedWebSocketUrl(outputs.liveWebSocketUrl, signer),
          (error) => log(`live connection to the stack failed: ${messageOf(error)}`),
        );
      });
    });

    await listen(server, options.port ?? DEFAULT_STACK_DASHBOARD_PORT, host);
    const address = server.address() as AddressInfo;
    const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/`;

    // Warm the picker: the first page load then finds the answer (or the run under way).
    ports.advertisers().catch((error: unknown) => log(`listing advertisers failed: ${messageOf(error)}`));

    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= (async () => {
        stopping.abort();
        // Closing a browser's socket makes the bridge close its upstream connection.
        await Promise.all(
          [...browsers].map(async (browser) => {
            const closed = once(browser, 'close');
            browser.close(1001, 'server_stopping');
            const timer = setTimeout(() => browser.terminate(), 1_000);
            await closed;
            clearTimeout(timer);
          }),
        );
        live.close();
        await new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        });
        // The aborted runs send StopQueryExecution before the clients go.
        await Promise.allSettled(running);
        destroyClients();
      })();
      return closing;
    };
    return { url, outputs, region, close };
  } catch (error) {
    destroyClients();
    throw error;
  }
}

/** The stack's outputs, with the SDK's setup failures (no credentials, no region) said plainly. */
async function readOutputs(client: CloudFormationClient, stackName: string): Promise<DashboardStackOutputs> {
  try {
    return await readDashboardOutputs(client, stackName);
  } catch (error) {
    if (error instanceof StackOutputsError) throw new StackDashboardError(error.message);
    const name = (error as { name?: string }).name;
    const message = messageOf(error);
    if (name === 'CredentialsProviderError') {
      throw new StackDashboardError(
        `no AWS credentials found (${message}): set AWS_PROFILE, run aws sso login or aws configure, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
      );
    }
    if (/region is missing/i.test(message)) {
      throw new StackDashboardError('no AWS region: give --region or set AWS_REGION');
    }
    if (name === 'AccessDenied' || name === 'AccessDeniedException') {
      throw new StackDashboardError(
        `your AWS identity may not describe stack ${stackName} (cloudformation:DescribeStacks): ${message}`,
      );
    }
    throw error;
  }
}

/** Saved queries on Athena in the stack's workgroup and Glue database, with progress on the log. */
function athenaQueries(
  client: AthenaClient,
  outputs: DashboardStackOutputs,
  signal: AbortSignal,
  log: (line: string) => void,
  poll: AthenaRunOptions['poll'],
): (query: SavedQuery, values: ReadonlyMap<string, ParameterValue>) => Promise<QueryResult> {
  return async (query, values) => {
    log(`${query.name}: starting on Athena (workgroup ${outputs.athenaWorkGroup})`);
    const result = await runOnAthena(client, query, values, {
      workgroup: outputs.athenaWorkGroup,
      database: outputs.glueDatabase,
      signal,
      onState: (state, elapsedMs) => log(`${query.name}: ${state} after ${(elapsedMs / 1000).toFixed(1)} s`),
      ...(poll === undefined ? {} : { poll }),
    });
    for (const note of result.notes) log(`${query.name}: ${note}`);
    return result;
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new StackDashboardError(`${host}:${port} is already in use; choose another --port`)
          : error,
      );
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
}

/** `run`, with each call's promise in `running` until it settles. */
function tracked<A extends unknown[], T>(
  running: Set<Promise<unknown>>,
  run: (...args: A) => Promise<T>,
): (...args: A) => Promise<T> {
  return (...args) => {
    const promise = run(...args);
    running.add(promise);
    const forget = () => running.delete(promise);
    promise.then(forget, forget);
    return promise;
  };
}

function upgradeRefusal(
  request: IncomingMessage,
  guard: (request: IncomingMessage) => boolean,
  open: number,
): string | undefined {
  if (new URL(request.url ?? '/', 'http://localhost').pathname !== '/live') return '404 Not Found';
  if (!guard(request)) return '403 Forbidden';
  if (open >= MAX_BRIDGED_CONNECTIONS) return '503 Service Unavailable';
  return undefined;
}

function replyForbidden(response: ServerResponse): void {
  replyJson(response, 403, {
    error: 'forbidden',
    message:
      'this server answers pages of its own origin on a loopback host name only (localhost, 127.0.0.1, [::1])',
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
