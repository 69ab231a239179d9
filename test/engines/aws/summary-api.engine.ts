import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { toUtcIso } from '../../../contract';
import { DynamoDbSummaryStore } from '../../../lambdas/aggregator/dynamodb/summary-store';
import type { WindowSummary } from '../../../lambdas/aggregator/summary';
import { WINDOW_MS } from '../../../lambdas/aggregator/windows';
import { handler } from '../../../lambdas/summary-api/handler';
import type { SummariesResponse } from '../../../lambdas/summary-api/summaries';
import { windowSummary } from '../../lambdas/aggregator/support/builders';
import { engineUrl } from '../engine-url';
import { createSummaryTable, MOTO_CREDENTIALS, MOTO_REGION, motoDocumentClient } from './moto';

const FROM = Date.parse('2026-11-22T00:00:00Z');
const TO = Date.parse('2026-11-23T00:00:00Z');
const COMPUTED_AT = Date.parse('2026-11-23T00:05:00Z');

// 23 windows inside the range, every other one, so pages do not line up with the clock.
const IN_RANGE = Array.from({ length: 23 }, (_, i) => FROM + 2 * i * WINDOW_MS);
// A window before `from`, and one starting exactly at `to` (excluded).
const OUTSIDE = [FROM - WINDOW_MS, TO];

function stored(advertiserId: string, windowStart: number, campaigns = 0): WindowSummary {
  return windowSummary({
    advertiserId,
    windowStart,
    computedAt: COMPUTED_AT,
    events: 1,
    // Long ids make big items from few attributes, which moto sizes one by one.
    topCampaigns: Array.from({ length: campaigns }, (_, i) => ({
      campaignId: `campaign-${String(i).padStart(4, '0')}-`.padEnd(160, 'x'),
      events: 1,
    })),
  });
}

beforeAll(async () => {
  const documents = motoDocumentClient();
  const tableName = await createSummaryTable(documents);
  const store = new DynamoDbSummaryStore(documents, tableName);
  await store.upsert([
    ...[...IN_RANGE, ...OUTSIDE].map((start) => stored('adv-paged', start)),
    // Neighbours in key order, whose windows must never show up in adv-paged's pages.
    ...IN_RANGE.map((start) => stored('adv-page', start)),
    ...IN_RANGE.map((start) => stored('adv-paged-2', start)),
    // Items of some 250 KB each: DynamoDB stops a Query at 1 MB, before the page is full.
    ...IN_RANGE.slice(0, 6).map((start) => stored('adv-large', start, 1_500)),
  ]);
  // The handler builds its client from the Lambda environment, as on AWS; the SDK takes the
  // endpoint from AWS_ENDPOINT_URL_DYNAMODB, so every call goes to moto.
  for (const [name, value] of Object.entries({
    SUMMARY_TABLE_NAME: tableName,
    AWS_REGION: MOTO_REGION,
    AWS_ENDPOINT_URL_DYNAMODB: engineUrl('moto'),
    AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  })) {
    vi.stubEnv(name, value);
  }
});
afterAll(() => vi.unstubAllEnvs());

function request(advertiserId: string, query: Record<string, string>): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'GET /advertisers/{advertiserId}/summaries',
    rawPath: `/advertisers/${advertiserId}/summaries`,
    rawQueryString: new URLSearchParams(query).toString(),
    headers: {},
    pathParameters: { advertiserId },
    queryStringParameters: query,
    isBase64Encoded: false,
    requestContext: { requestId: 'engine-suite' } as APIGatewayProxyEventV2['requestContext'],
  };
}

/** Every page of the range, following `next` as a client of the API does, until it is null. */
async function allPages(advertiserId: string, limit: number): Promise<SummariesResponse[]> {
  const pages: SummariesResponse[] = [];
  let next: string | null = null;
  do {
    const query: Record<string, string> = { from: toUtcIso(FROM), to: toUtcIso(TO), limit: String(limit) };
    if (next !== null) query.next = next;
    const response = await handler(request(advertiserId, query));
    expect(response.statusCode, response.body).toBe(200);
    const page = JSON.parse(response.body ?? '') as SummariesResponse;
    pages.push(page);
    next = page.next;
  } while (next !== null && pages.length <= IN_RANGE.length);
  return pages;
}

describe('summary API paging on moto', () => {
  it.each([1, 2, 5, 22, 23, 24, 500])(
    'returns each window in the range exactly once, in order, at limit %i',
    async (limit) => {
      const pages = await allPages('adv-paged', limit);

      const windows = pages.flatMap((page) => page.summaries.map((s) => s.window_start));
      expect(windows).toEqual(IN_RANGE.map(toUtcIso));
      expect(pages.map((page) => page.summaries.length)).toEqual(
        Array.from({ length: Math.ceil(IN_RANGE.length / limit) }, (_, i) =>
          Math.min(limit, IN_RANGE.length - i * limit),
        ),
      );
      expect(pages.every((page) => page.summaries.every((s) => s.advertiser_id === 'adv-paged'))).toBe(true);
    },
  );

  it('continues a page that DynamoDB cut at 1 MB', async () => {
    const pages = await allPages('adv-large', 500);

    const windows = pages.flatMap((page) => page.summaries.map((s) => s.window_start));
    expect(windows).toEqual(IN_RANGE.slice(0, 6).map(toUtcIso));
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.at(-1)?.next).toBeNull();
  });
});
