import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbSummaryStore } from '../../../lambdas/aggregator/dynamodb/summary-store';
import { SUMMARY_TABLE_KEY } from '../../../lambdas/aggregator/dynamodb/summary-table';
import { toSummaryJson, type WindowSummary } from '../../../lambdas/aggregator/summary';
import { WINDOW_MS } from '../../../lambdas/aggregator/windows';
import { windowSummary } from '../../lambdas/aggregator/support/builders';
import { createSummaryTable, motoDocumentClient } from './moto';

const documents = motoDocumentClient();
let tableName: string;
let store: DynamoDbSummaryStore;

beforeAll(async () => {
  tableName = await createSummaryTable(documents);
  store = new DynamoDbSummaryStore(documents, tableName);
});

const T = (iso: string) => Date.parse(iso);
const DAY = T('2026-11-22T00:00:00Z');

/** A summary whose event count tells computations apart. */
function summary(
  advertiserId: string,
  windowStart: number,
  computedAt: number,
  events: number,
): WindowSummary {
  return windowSummary({ advertiserId, windowStart, computedAt, events, impressions: events });
}

async function storedItem(
  advertiserId: string,
  windowStart: number,
): Promise<Record<string, unknown> | undefined> {
  const response = await documents.send(
    new GetCommand({
      TableName: tableName,
      Key: {
        [SUMMARY_TABLE_KEY.partitionKey]: advertiserId,
        [SUMMARY_TABLE_KEY.sortKey]: toSummaryJson(summary(advertiserId, windowStart, 0, 0)).window_start,
      },
    }),
  );
  return response.Item;
}

describe('DynamoDbSummaryStore.upsert on moto', () => {
  it.each([
    ['a newer computation wins', '12:07:00.001Z', { written: 1, stale: 0 }, 'incoming'],
    ['an older computation is stale', '12:06:59.999Z', { written: 0, stale: 1 }, 'stored'],
    ['a computation at the same millisecond is stale', '12:07:00.000Z', { written: 0, stale: 1 }, 'stored'],
  ] as const)('%s', async (name, incomingTime, outcome, survivor) => {
    // Arrange: a window already stored, computed at 12:07.
    const advertiserId = `adv-${name.replaceAll(' ', '-')}`;
    const stored = summary(advertiserId, DAY, T('2026-11-22T12:07:00.000Z'), 10);
    const incoming = summary(advertiserId, DAY, T(`2026-11-22T${incomingTime}`), 20);
    expect(await store.upsert([stored])).toEqual({ written: 1, stale: 0 });

    // Act
    const result = await store.upsert([incoming]);

    // Assert: the outcome, and the table holds the winner in its JSON form.
    expect(result).toEqual(outcome);
    expect(await storedItem(advertiserId, DAY)).toEqual(
      toSummaryJson(survivor === 'incoming' ? incoming : stored),
    );
  });

  it('upserts many windows in one call, counting what was written and what was stale', async () => {
    // 40 windows (more than the puts in flight at once): 10 stored computed later, 10 stored
    // computed earlier, 20 new.
    const advertiserId = 'adv-many';
    const computedAt = T('2026-11-22T12:00:00Z');
    const start = (i: number) => DAY + i * WINDOW_MS;
    const stored = [
      ...Array.from({ length: 10 }, (_, i) => summary(advertiserId, start(i), computedAt + 60_000, 1)),
      ...Array.from({ length: 10 }, (_, i) => summary(advertiserId, start(10 + i), computedAt - 60_000, 1)),
    ];
    await store.upsert(stored);
    const incoming = Array.from({ length: 40 }, (_, i) => summary(advertiserId, start(i), computedAt, 2));

    const result = await store.upsert(incoming);

    expect(result).toEqual({ written: 30, stale: 10 });
    const page = await store.query({ advertiserId, range: { from: DAY, to: start(40) }, limit: 100 });
    expect(page.after).toBeUndefined();
    expect(page.summaries.map((s) => [s.windowStart, s.events])).toEqual(
      incoming.map((s, i) => [s.windowStart, i < 10 ? 1 : 2]),
    );
  });

  it('keeps advertisers apart: the same window of another advertiser is a new item', async () => {
    const computedAt = T('2026-11-22T12:00:00Z');
    await store.upsert([summary('adv-left', DAY, computedAt, 5)]);

    const result = await store.upsert([summary('adv-right', DAY, computedAt - 1, 6)]);

    expect(result).toEqual({ written: 1, stale: 0 });
    expect((await storedItem('adv-left', DAY))?.events).toBe(5);
    expect((await storedItem('adv-right', DAY))?.events).toBe(6);
  });
});
