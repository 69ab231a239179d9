import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { toSummaryJson, type WindowSummary } from '../../../lambdas/aggregator/summary';
import { handler } from '../../../lambdas/summary-api/handler';
import { decodePageToken } from '../../../lambdas/summary-api/page-token';
import { windowSummary } from '../aggregator/support/builders';

const documents = mockClient(DynamoDBDocumentClient);
const T = (iso: string) => Date.parse(iso);

beforeAll(() => {
  vi.stubEnv('SUMMARY_TABLE_NAME', 'summaries');
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'not-a-real-secret');
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
});
afterAll(() => vi.unstubAllEnvs());
beforeEach(() => documents.reset());

function request(advertiserId: string, query: Record<string, string> = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'GET /advertisers/{advertiserId}/summaries',
    rawPath: `/advertisers/${advertiserId}/summaries`,
    rawQueryString: new URLSearchParams(query).toString(),
    headers: {},
    pathParameters: { advertiserId },
    ...(Object.keys(query).length === 0 ? {} : { queryStringParameters: query }),
    isBase64Encoded: false,
    requestContext: { requestId: 'req-1' } as APIGatewayProxyEventV2['requestContext'],
  };
}

function stored(windowStart: string): WindowSummary {
  return windowSummary({
    advertiserId: 'adv-1',
    windowStart: T(windowStart),
    computedAt: T('2026-11-22T12:00:00Z'),
    events: 3,
    impressions: 2,
    clicks: 1,
    uniqueUsers: 2,
    costByCurrency: { EUR: 1.5 },
    final: true,
  });
}

const range = { from: '2026-11-22T00:00:00Z', to: '2026-11-23T00:00:00Z' };

describe('summary API handler', () => {
  it('answers 200 with the summaries in their JSON form and a token for the next page', async () => {
    const items = ['2026-11-22T10:00:00.000Z', '2026-11-22T10:15:00.000Z', '2026-11-22T10:30:00.000Z'];
    documents.on(QueryCommand).resolves({ Items: items.map((start) => toSummaryJson(stored(start))) });

    const response = await handler(request('adv-1', { ...range, limit: '2' }));

    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ 'content-type': 'application/json' });
    const body = JSON.parse(response.body ?? '');
    expect(body).toMatchObject({
      version: 2,
      advertiser_id: 'adv-1',
      from: '2026-11-22T00:00:00.000Z',
      to: '2026-11-23T00:00:00.000Z',
      summaries: items.slice(0, 2).map((start) => toSummaryJson(stored(start))),
    });
    expect(decodePageToken(body.next)).toBe(T('2026-11-22T10:15:00Z'));
  });

  it('continues from a next token and ends with next null', async () => {
    documents
      .on(QueryCommand)
      .resolvesOnce({
        Items: ['2026-11-22T10:00:00.000Z', '2026-11-22T10:15:00.000Z'].map((s) => toSummaryJson(stored(s))),
      })
      .resolves({ Items: [toSummaryJson(stored('2026-11-22T10:15:00.000Z'))] });
    const first = JSON.parse((await handler(request('adv-1', { ...range, limit: '1' }))).body ?? '');

    const second = await handler(request('adv-1', { ...range, limit: '1', next: first.next }));

    expect(documents.commandCalls(QueryCommand)[1]?.args[0].input.ExclusiveStartKey).toEqual({
      advertiser_id: 'adv-1',
      window_start: '2026-11-22T10:00:00.000Z',
    });
    expect(second.statusCode).toBe(200);
    expect(JSON.parse(second.body ?? '').next).toBeNull();
  });

  it('answers 400 with a JSON message for bad input, without touching the table', async () => {
    const response = await handler(request('adv-1', { from: 'yesterday' }));

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body ?? '')).toEqual({
      error: 'bad_request',
      message: 'from "yesterday" is not an ISO-8601 time with an offset',
    });
    expect(documents.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('answers 500 naming the request id when the table cannot be read', async () => {
    documents.on(QueryCommand).rejects(new Error('AccessDenied'));

    const response = await handler(request('adv-1', range));

    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body ?? '')).toEqual({
      error: 'internal_error',
      message: 'the summaries could not be read; request id req-1',
    });
  });

  it('answers 500 outdated_summary naming the window when the table holds a v1 summary', async () => {
    const { bot_impressions, bot_clicks, revenue_by_currency, cost_by_currency, ...v2 } = toSummaryJson(
      stored('2026-11-22T10:00:00.000Z'),
    );
    documents.on(QueryCommand).resolves({ Items: [{ ...v2, revenue: 3, cost: 1.5, conversion_rate: null }] });

    const response = await handler(request('adv-1', range));

    expect(response.statusCode).toBe(500);
    const body = JSON.parse(response.body ?? '');
    expect(body.error).toBe('outdated_summary');
    expect(body.message).toContain('adv-1 at 2026-11-22T10:00:00.000Z is in the v1 form');
  });
});
