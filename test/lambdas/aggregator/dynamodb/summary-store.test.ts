import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbSummaryStore } from '../../../../lambdas/aggregator/dynamodb/summary-store';
import { toSummaryJson, type WindowSummary } from '../../../../lambdas/aggregator/summary';
import { windowSummary } from '../support/builders';

const documents = mockClient(DynamoDBDocumentClient);
const store = () =>
  new DynamoDbSummaryStore(
    DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' })),
    'summaries',
  );
const T = (hhmm: string) => Date.parse(`2026-11-22T${hhmm}:00.000Z`);

function summary(windowStart: number, computedAt = T('12:07')): WindowSummary {
  return windowSummary({
    advertiserId: 'adv-1',
    windowStart,
    computedAt,
    events: 2,
    impressions: 1,
    clicks: 1,
  });
}

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

beforeEach(() => documents.reset());

describe('DynamoDbSummaryStore.upsert', () => {
  it('puts each summary in its JSON form unless a computation as recent is stored', async () => {
    documents.on(PutCommand).resolves({});

    await store().upsert([summary(T('11:00'))]);

    expect(documents.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
      TableName: 'summaries',
      Item: toSummaryJson(summary(T('11:00'))),
      ConditionExpression: 'attribute_not_exists(window_start) OR computed_at < :computedAt',
      ExpressionAttributeValues: { ':computedAt': '2026-11-22T12:07:00.000Z' },
    });
  });

  it('counts a failed condition as stale, not as an error', async () => {
    documents
      .on(PutCommand, { Item: { window_start: '2026-11-22T11:00:00.000Z' } })
      .rejects(conditionFailed())
      .on(PutCommand, { Item: { window_start: '2026-11-22T11:15:00.000Z' } })
      .resolves({});

    const outcome = await store().upsert([summary(T('11:00')), summary(T('11:15'))]);

    expect(outcome).toEqual({ written: 1, stale: 1 });
  });

  it('lets any other DynamoDB error fail the job', async () => {
    documents
      .on(PutCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));

    await expect(store().upsert([summary(T('11:00'))])).rejects.toThrow('slow down');
  });
});

describe('DynamoDbSummaryStore.query', () => {
  const range = { from: T('10:00'), to: T('12:00') };

  it('queries one partition over the range, asking one item past the page', async () => {
    documents.on(QueryCommand).resolves({ Items: [] });

    await store().query({ advertiserId: 'adv-1', range, limit: 2, after: T('10:30') });

    expect(documents.commandCalls(QueryCommand)[0]?.args[0].input).toEqual({
      TableName: 'summaries',
      KeyConditionExpression: 'advertiser_id = :advertiser AND window_start BETWEEN :first AND :last',
      ExpressionAttributeValues: {
        ':advertiser': 'adv-1',
        ':first': '2026-11-22T10:00:00.000Z',
        ':last': '2026-11-22T11:59:59.999Z',
      },
      Limit: 3,
      ExclusiveStartKey: { advertiser_id: 'adv-1', window_start: '2026-11-22T10:30:00.000Z' },
    });
  });

  it.each([
    [
      'more items than the page',
      [T('10:00'), T('10:15'), T('10:30')],
      undefined,
      [T('10:00'), T('10:15')],
      T('10:15'),
    ],
    ['exactly a page', [T('10:00'), T('10:15')], undefined, [T('10:00'), T('10:15')], undefined],
    [
      'a response cut at 1 MB',
      [T('10:00')],
      { advertiser_id: 'adv-1', window_start: '2026-11-22T10:00:00.000Z' },
      [T('10:00')],
      T('10:00'),
    ],
  ])('pages %s', async (_case, stored, lastEvaluatedKey, expected, after) => {
    documents.on(QueryCommand).resolves({
      Items: stored.map((start) => toSummaryJson(summary(start))),
      ...(lastEvaluatedKey === undefined ? {} : { LastEvaluatedKey: lastEvaluatedKey }),
    });

    const page = await store().query({ advertiserId: 'adv-1', range, limit: 2 });

    expect(page.summaries.map((s) => s.windowStart)).toEqual(expected);
    expect(page.after).toBe(after);
  });
});
