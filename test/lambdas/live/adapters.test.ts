import {
  ApiGatewayManagementApiClient,
  ForbiddenException,
  GoneException,
  LimitExceededException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyWebsocketEventV2, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { toSummaryJson } from '../../../lambdas/aggregator/summary';
import { ApiGatewayConnectionPoster } from '../../../lambdas/live/api-gateway/connection-poster';
import { DynamoDbConnectionStore } from '../../../lambdas/live/dynamodb/connection-store';
import { handler as messageHandler } from '../../../lambdas/live/message/handler';
import { handler as pushHandler } from '../../../lambdas/live/push/handler';
import { windowSummary } from '../aggregator/support/builders';

const documents = mockClient(DynamoDBDocumentClient);
const management = mockClient(ApiGatewayManagementApiClient);
const NOW = Date.parse('2026-11-22T12:00:00Z');
const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode }, message: 'x' });

beforeAll(() => {
  vi.stubEnv('CONNECTION_TABLE_NAME', 'connections');
  vi.stubEnv('CONNECTIONS_ENDPOINT', 'https://abc.execute-api.eu-west-1.amazonaws.com/live');
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'not-a-real-secret');
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
});
afterAll(() => vi.unstubAllEnvs());
beforeEach(() => {
  documents.reset();
  management.reset();
});

describe('DynamoDbConnectionStore', () => {
  const store = () =>
    new DynamoDbConnectionStore(
      DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })),
      'connections',
    );

  it('opens a connection that expires 2 hours and a minute after it connected', async () => {
    documents.on(PutCommand).resolves({});

    await store().open({ connectionId: 'c1', connectedAt: NOW, caller: 'arn:aws:iam::1:user/u' });

    expect(documents.commandCalls(PutCommand)[0]?.args[0].input.Item).toEqual({
      pk: 'connection#c1',
      sk: 'connection',
      connection_id: 'c1',
      connected_at: '2026-11-22T12:00:00.000Z',
      caller: 'arn:aws:iam::1:user/u',
      expires_at: NOW / 1000 + 7260,
    });
  });

  it('subscribes: adds the advertiser to the connection, then writes the subscription with its expiry', async () => {
    documents.on(UpdateCommand).resolves({ Attributes: { expires_at: 1234 } });
    documents.on(PutCommand).resolves({});

    expect(await store().subscribe('c1', 'adv-1', NOW)).toBe('subscribed');

    expect(documents.commandCalls(PutCommand)[0]?.args[0].input.Item).toEqual({
      pk: 'advertiser#adv-1',
      sk: 'c1',
      connection_id: 'c1',
      advertiser_id: 'adv-1',
      expires_at: 1234,
    });
  });

  it.each([
    [
      'a live connection at its maximum',
      { expires_at: { N: String(NOW / 1000 + 60) } },
      'too_many_subscriptions',
    ],
    ['an expired connection', { expires_at: { N: String(NOW / 1000 - 1) } }, 'unknown_connection'],
    ['no connection', undefined, 'unknown_connection'],
  ])('answers a failed condition on %s', async (_, item, outcome) => {
    documents
      .on(UpdateCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {}, Item: item }));

    expect(await store().subscribe('c1', 'adv-1', NOW)).toBe(outcome);
    expect(documents.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('closes a connection: deletes it and each of its subscriptions', async () => {
    // aws-sdk-client-mock: the general behaviour first, the input-specific one after it.
    documents.on(DeleteCommand).resolves({});
    documents
      .on(DeleteCommand, { Key: { pk: 'connection#c1', sk: 'connection' } })
      .resolves({ Attributes: { advertisers: new Set(['adv-1', 'adv-2']) } });

    await store().close('c1');

    expect(documents.commandCalls(DeleteCommand).map((c) => c.args[0].input.Key)).toEqual([
      { pk: 'connection#c1', sk: 'connection' },
      { pk: 'advertiser#adv-1', sk: 'c1' },
      { pk: 'advertiser#adv-2', sk: 'c1' },
    ]);
  });

  it('finds the subscribers over every page, skipping expired items', async () => {
    documents
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ sk: 'c1' }], LastEvaluatedKey: { pk: 'advertiser#adv-1', sk: 'c1' } })
      .resolvesOnce({ Items: [{ sk: 'c2' }] });

    expect(await store().subscribers('adv-1', NOW)).toEqual(['c1', 'c2']);
    const input = documents.commandCalls(QueryCommand)[0]?.args[0].input;
    expect(input?.ExpressionAttributeValues).toEqual({ ':pk': 'advertiser#adv-1', ':now': NOW / 1000 });
    expect(input?.FilterExpression).toBe('#expires > :now');
  });
});

describe('ApiGatewayConnectionPoster', () => {
  const poster = () =>
    new ApiGatewayConnectionPoster(new ApiGatewayManagementApiClient({ region: 'eu-west-1' }));

  it.each([
    ['sent', undefined, { status: 'sent' }],
    ['gone (410)', new GoneException(meta(410)), { status: 'gone' }],
    [
      'throttled (429): retryable',
      new LimitExceededException(meta(429)),
      { status: 'failed', retryable: true },
    ],
    [
      'forbidden (403): not retryable',
      new ForbiddenException(meta(403)),
      { status: 'failed', retryable: false },
    ],
    ['a network error: retryable', new Error('socket hang up'), { status: 'failed', retryable: true }],
  ])('%s', async (_, error, outcome) => {
    if (error === undefined) management.on(PostToConnectionCommand).resolves({});
    else management.on(PostToConnectionCommand).rejects(error);

    expect(await poster().post('c1', '{}')).toMatchObject(outcome);
  });
});

function streamEvent(records: { sequence: string; item: object | undefined; eventName?: string }[]) {
  return {
    Records: records.map(({ sequence, item, eventName = 'MODIFY' }) => ({
      eventName,
      dynamodb: {
        SequenceNumber: sequence,
        ...(item === undefined ? {} : { NewImage: marshall(item as Record<string, unknown>) }),
      },
    })),
  } as unknown as DynamoDBStreamEvent;
}

describe('push handler', () => {
  const stored = toSummaryJson(
    windowSummary({
      advertiserId: 'adv-1',
      windowStart: NOW - 900_000,
      computedAt: NOW,
      events: 4,
      impressions: 4,
    }),
  );

  it('posts the stored window to each subscriber, removes the gone one, reports nothing failed', async () => {
    documents.on(QueryCommand).resolves({ Items: [{ sk: 'c-live' }, { sk: 'c-gone' }] });
    documents.on(DeleteCommand).resolves({});
    management.on(PostToConnectionCommand).resolves({});
    management.on(PostToConnectionCommand, { ConnectionId: 'c-gone' }).rejects(new GoneException(meta(410)));

    const response = await pushHandler(
      streamEvent([
        { sequence: '100', item: stored },
        { sequence: '101', item: { not: 'a summary' } },
        { sequence: '102', item: undefined, eventName: 'REMOVE' },
      ]),
    );

    expect(response).toEqual({ batchItemFailures: [] });
    const sent = management.commandCalls(PostToConnectionCommand, { ConnectionId: 'c-live' });
    expect(sent).toHaveLength(1);
    expect(JSON.parse(String(sent[0]?.args[0].input.Data))).toEqual({
      type: 'summary',
      summary: stored,
    });
    expect(documents.commandCalls(DeleteCommand)[0]?.args[0].input.Key).toEqual({
      pk: 'connection#c-gone',
      sk: 'connection',
    });
  });

  it('reports the record whose post was throttled', async () => {
    documents.on(QueryCommand).resolves({ Items: [{ sk: 'c1' }] });
    management.on(PostToConnectionCommand).rejects(new LimitExceededException(meta(429)));

    const response = await pushHandler(streamEvent([{ sequence: '200', item: stored }]));

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '200' }] });
  });
});

describe('message handler', () => {
  function message(body: string): APIGatewayProxyWebsocketEventV2 {
    return {
      body,
      isBase64Encoded: false,
      requestContext: { connectionId: 'c1', requestId: 'r1', routeKey: 'subscribe' },
    } as unknown as APIGatewayProxyWebsocketEventV2;
  }

  it('answers a subscribe with the acknowledgement as the route response', async () => {
    documents.on(UpdateCommand).resolves({ Attributes: { expires_at: 1 } });
    documents.on(PutCommand).resolves({});

    const response = await messageHandler(message('{"action":"subscribe","advertiser_id":"adv-1"}'));

    expect(response).toEqual({ statusCode: 200, body: '{"type":"subscribed","advertiser_id":"adv-1"}' });
  });

  it('answers internal_error, naming the request, when the table fails', async () => {
    documents.on(UpdateCommand).rejects(new Error('throttled'));

    const response = await messageHandler(message('{"action":"subscribe","advertiser_id":"adv-1"}'));

    expect(JSON.parse(String((response as { body: string }).body))).toMatchObject({
      type: 'error',
      error: 'internal_error',
      message: expect.stringContaining('r1'),
    });
  });
});
