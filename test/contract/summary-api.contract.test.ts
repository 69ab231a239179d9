import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WINDOW_MS } from '../../lambdas/aggregator/windows';
import { createSummaryApiHandler } from '../../lambdas/summary-api/handler';
import { type LocalPipeline, startLocalPipeline } from '../../local/pipeline/local-pipeline';
import { FileSummaryStore } from '../../local/summary-store/file-summary-store';
import { silenceLambdaTelemetry } from '../e2e/helpers';
import { windowSummary } from '../lambdas/aggregator/support/builders';

// The same requests to the deployed API's Lambda handler (over the local store) and to the local
// server over HTTP: same status, same JSON body. The design brief's contract 5.
silenceLambdaTelemetry();

const NOW = Date.parse('2026-11-22T12:00:00Z');
const START = Date.parse('2026-11-22T06:00:00Z');
const HOUR = 3_600_000;
let dataDir: string;
let pipeline: LocalPipeline;
const lambda = (store: FileSummaryStore) =>
  createSummaryApiHandler({ store, logger: { error: () => undefined } }, () => NOW);
let handler: ReturnType<typeof lambda>;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'summary-api-contract-'));
  const store = new FileSummaryStore(dataDir);
  await store.upsert(
    Array.from({ length: 8 }, (_, i) =>
      windowSummary({
        advertiserId: 'adv-1',
        windowStart: START + i * WINDOW_MS,
        computedAt: NOW - HOUR,
        events: i + 1,
        impressions: i,
        clicks: 1,
        revenueByCurrency: { EUR: 1.25 * i },
        final: i < 4,
      }),
    ),
  );
  handler = lambda(store);
  pipeline = await startLocalPipeline({
    dataDir,
    clock: () => NOW,
    summaryIntervalSeconds: 0,
    buffering: { sizeBytes: 2 ** 20, intervalMs: HOUR },
  });
});

afterAll(async () => {
  await pipeline?.close();
  await rm(dataDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: unknown;
}

/** The event API Gateway's HTTP API (payload 2.0) hands the Lambda for a raw path segment and query string. */
function apiGatewayEvent(rawSegment: string, rawQuery: string): APIGatewayProxyEventV2 {
  const parameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    parameters[name] = Object.hasOwn(parameters, name) ? `${parameters[name]},${value}` : value;
  }
  return {
    version: '2.0',
    routeKey: 'GET /advertisers/{advertiserId}/summaries',
    rawPath: `/advertisers/${rawSegment}/summaries`,
    rawQueryString: rawQuery,
    headers: {},
    pathParameters: { advertiserId: decodeURIComponent(rawSegment) },
    ...(rawQuery === '' ? {} : { queryStringParameters: parameters }),
    isBase64Encoded: false,
    requestContext: { requestId: 'contract' } as APIGatewayProxyEventV2['requestContext'],
  };
}

async function viaLambda(rawSegment: string, rawQuery: string): Promise<Answer> {
  const result = await handler(apiGatewayEvent(rawSegment, rawQuery));
  return { status: result.statusCode ?? 0, body: JSON.parse(result.body ?? '') };
}

async function viaLocalServer(rawSegment: string, rawQuery: string): Promise<Answer> {
  const url = `${pipeline.endpointUrl}/advertisers/${rawSegment}/summaries${rawQuery === '' ? '' : `?${rawQuery}`}`;
  const response = await fetch(url);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: response.status, body: await response.json() };
}

const range = 'from=2026-11-22T06:00:00Z&to=2026-11-22T09:00:00Z';

describe('summary API contract: the Lambda handler and the local server answer alike', () => {
  it.each([
    ['a valid range', 'adv-1', range, 200],
    ['the default range (the day before now)', 'adv-1', '', 200],
    ['an offset other than Z', 'adv-1', 'from=2026-11-22T07:00:00%2B01:00&to=2026-11-22T08:00:00Z', 200],
    ['a limit that leaves a next page', 'adv-1', `${range}&limit=3`, 200],
    ['the largest limit', 'adv-1', `${range}&limit=500`, 200],
    ['limit 0', 'adv-1', `${range}&limit=0`, 400],
    ['a limit above 500', 'adv-1', `${range}&limit=501`, 400],
    ['a limit that is not a number', 'adv-1', `${range}&limit=ten`, 400],
    ['a from that is not a time', 'adv-1', 'from=yesterday&to=2026-11-22T09:00:00Z', 400],
    ['a to without an offset', 'adv-1', 'from=2026-11-22T06:00:00Z&to=2026-11-22T09:00:00', 400],
    ['from after to', 'adv-1', 'from=2026-11-22T09:00:00Z&to=2026-11-22T06:00:00Z', 400],
    ['a range over 31 days', 'adv-1', 'from=2026-10-01T00:00:00Z&to=2026-11-22T00:00:00Z', 400],
    ['a repeated parameter', 'adv-1', `${range}&limit=2&limit=3`, 400],
    ['an unknown parameter', 'adv-1', `${range}&page=2`, 400],
    ['a next token that is not one', 'adv-1', `${range}&next=abc`, 400],
    ['an advertiser id starting with a dash', '-adv', range, 400],
    ['an advertiser id with an encoded space', 'adv%201', range, 400],
    ['an advertiser id of 65 characters', 'a'.repeat(65), range, 400],
    ['an unknown advertiser', 'adv-unknown', range, 200],
  ])('%s', async (_, advertiser, query, status) => {
    const lambdaAnswer = await viaLambda(advertiser, query);
    const localAnswer = await viaLocalServer(advertiser, query);

    expect(lambdaAnswer.status).toBe(status);
    expect(localAnswer).toEqual(lambdaAnswer);
  });

  it('pages alike: the next token of one answers the same on the other, to the last page', async () => {
    let query = `${range}&limit=3`;
    const pages: unknown[] = [];
    for (;;) {
      const lambdaAnswer = await viaLambda('adv-1', query);
      const localAnswer = await viaLocalServer('adv-1', query);
      expect(localAnswer).toEqual(lambdaAnswer);
      expect(lambdaAnswer.status).toBe(200);
      const body = lambdaAnswer.body as { summaries: unknown[]; next: string | null };
      pages.push(...body.summaries);
      if (body.next === null) break;
      query = `${range}&limit=3&next=${encodeURIComponent(body.next)}`;
    }
    // 06:00 to 09:00 holds the 8 stored windows: pages of 3, 3 and 2.
    expect(pages).toHaveLength(8);
  });
});
