import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { bridgeLiveConnection, UPSTREAM_CLOSED } from '../../../cli/stack/live-bridge';
import { presignedWebSocketUrl } from '../../../cli/stack/presign';
import { signedSummaries } from '../../../cli/stack/signed-summaries';
import { executeApiSigner, regionOfApiUrl } from '../../../cli/stack/sigv4';
import {
  DASHBOARD_OUTPUT_KEYS,
  readDashboardOutputs,
  StackOutputsError,
} from '../../../cli/stack/stack-outputs';
import { clickstreamStack } from '../../lib/app';
import { authorizationFor, type ReceivedRequest } from './received-signature';

const credentials = async () => ({
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token',
});
const signer = () => executeApiSigner('eu-west-1', credentials);

let upstream: Server;
let upstreamUrl: string;
const received: ReceivedRequest[] = [];
let answer: { status: number; body: string } = { status: 200, body: '{}' };

beforeAll(async () => {
  upstream = createServer((request, response) => {
    received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(() => upstream.close());

describe('signedSummaries', () => {
  it('sends a SigV4-signed GET for execute-api that the signature matches as received, and relays the answer', async () => {
    received.length = 0;
    answer = { status: 200, body: '{"advertiser_id":"adv-1","summaries":[],"next":null,"version":2}' };
    const summaries = signedSummaries(upstreamUrl, signer());

    const result = await summaries({
      advertiserId: 'adv-1',
      parameters: { from: '2026-11-22T00:00:00+01:00', to: '2026-11-23T00:00:00Z', limit: '5' },
      requestId: 'r1',
    });

    expect(result).toEqual({ statusCode: 200, body: JSON.parse(answer.body) });
    const [request] = received;
    expect(request?.url).toMatch(/^\/advertisers\/adv-1\/summaries\?/);
    expect(request?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=/,
    );
    expect(request?.headers['x-amz-security-token']).toBe('session-token');
    expect(request?.headers.authorization).toBe(
      await authorizationFor(request as ReceivedRequest, upstreamUrl, signer()),
    );
  });

  it.each([
    [400, '{"error":"bad_request","message":"limit"}'],
    [403, '{"message":"Forbidden"}'],
    [500, '{"error":"internal_error","message":"x"}'],
  ])('relays the API status %i and body unchanged', async (status, body) => {
    answer = { status, body };

    const result = await signedSummaries(
      upstreamUrl,
      signer(),
    )({ advertiserId: 'adv-1', parameters: {}, requestId: 'r' });

    expect(result).toEqual({ statusCode: status, body: JSON.parse(body) });
  });

  it('answers 502 upstream_unavailable for a body that is not JSON and for an unreachable API', async () => {
    answer = { status: 502, body: '<html>bad gateway</html>' };
    const port = signedSummaries(upstreamUrl, signer());
    const unreachable = signedSummaries('http://127.0.0.1:1', signer());

    expect(await port({ advertiserId: 'a', parameters: {}, requestId: 'r' })).toMatchObject({
      statusCode: 502,
      body: { error: 'upstream_unavailable' },
    });
    expect(await unreachable({ advertiserId: 'a', parameters: {}, requestId: 'r' })).toMatchObject({
      statusCode: 502,
      body: { error: 'upstream_unavailable' },
    });
  });
});

describe('presignedWebSocketUrl', () => {
  it('puts a SigV4 execute-api signature for GET of the stage path in the query', async () => {
    const now = new Date('2026-11-22T12:00:00Z');

    const url = new URL(
      await presignedWebSocketUrl('wss://abc123.execute-api.eu-west-1.amazonaws.com/live', signer(), now),
    );

    expect(url.origin + url.pathname).toBe('wss://abc123.execute-api.eu-west-1.amazonaws.com/live');
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Credential')).toBe(
      'AKIDEXAMPLE/20261122/eu-west-1/execute-api/aws4_request',
    );
    expect(url.searchParams.get('X-Amz-Date')).toBe('20261122T120000Z');
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('session-token');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads the region of an API URL', () => {
    expect(regionOfApiUrl('https://abc.execute-api.ap-southeast-2.amazonaws.com/')).toBe('ap-southeast-2');
    expect(regionOfApiUrl('https://example.com/')).toBeUndefined();
  });
});

describe('bridgeLiveConnection', () => {
  it('relays messages both ways through a presigned upstream, and closes the browser when the upstream closes', async () => {
    // The stack's side: a WebSocket server on loopback that acknowledges subscribes.
    const stackSide = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(stackSide, 'listening');
    const upstreamRequests: string[] = [];
    stackSide.on('connection', (socket, request) => {
      upstreamRequests.push(request.url ?? '');
      socket.on('message', (data) => {
        const message = JSON.parse(String(data));
        socket.send(JSON.stringify({ type: 'subscribed', advertiser_id: message.advertiser_id }));
        setTimeout(() => socket.close(1001), 10);
      });
    });
    const stackUrl = `ws://127.0.0.1:${(stackSide.address() as AddressInfo).port}/live`;
    // The dashboard's side: the bridge behind a local server, and a browser-like client.
    const local = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(local, 'listening');
    local.on('connection', (socket) =>
      bridgeLiveConnection(socket, () => presignedWebSocketUrl(stackUrl, signer())),
    );
    const browser = new WebSocket(`ws://127.0.0.1:${(local.address() as AddressInfo).port}/live`);
    const messages: unknown[] = [];
    browser.on('message', (data) => messages.push(JSON.parse(String(data))));
    await once(browser, 'open');

    browser.send('{"action":"subscribe","advertiser_id":"adv-1"}');
    const [code, reason] = (await once(browser, 'close')) as [number, Buffer];

    expect(messages).toEqual([{ type: 'subscribed', advertiser_id: 'adv-1' }]);
    expect(upstreamRequests[0]).toContain('X-Amz-Signature=');
    expect([code, String(reason)]).toEqual([UPSTREAM_CLOSED.code, UPSTREAM_CLOSED.reason]);
    local.close();
    stackSide.close();
  });
});

describe('readDashboardOutputs', () => {
  const cloudFormation = mockClient(CloudFormationClient);

  it('reads every output the dashboard needs, and the app defines each of them', async () => {
    const stack = clickstreamStack('dev');
    const defined = stack.node.children
      .filter((c) => c.constructor.name === 'CfnOutput')
      .map((c) => c.node.id);
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Clickstream-dev',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: Object.values(DASHBOARD_OUTPUT_KEYS).map((key) => ({
            OutputKey: key,
            OutputValue: `value-of-${key}`,
          })),
        },
      ],
    });

    const outputs = await readDashboardOutputs(
      new CloudFormationClient({ region: 'eu-west-1', credentials }),
      'Clickstream-dev',
    );

    expect(defined).toEqual(expect.arrayContaining(Object.values(DASHBOARD_OUTPUT_KEYS)));
    expect(outputs.liveWebSocketUrl).toBe('value-of-LiveWebSocketUrl');
    expect(outputs.summaryApiUrl).toBe('value-of-SummaryApiUrl');
  });

  it('names the outputs a stack deployed before this version lacks', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 's',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [{ OutputKey: 'SummaryApiUrl', OutputValue: 'https://x' }],
        },
      ],
    });

    await expect(
      readDashboardOutputs(new CloudFormationClient({ region: 'eu-west-1', credentials }), 's'),
    ).rejects.toThrow(
      new StackOutputsError(
        'stack s has no output LiveWebSocketUrl, AthenaWorkGroup, GlueDatabase, LakeBucketName: deploy this version of the app to it (npx cdk deploy)',
      ),
    );
  });
});
