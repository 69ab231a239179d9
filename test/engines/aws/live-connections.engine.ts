import { DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { toSummaryJson } from '../../../lambdas/aggregator/summary';
import { DynamoDbConnectionStore } from '../../../lambdas/live/dynamodb/connection-store';
import { connectionKey } from '../../../lambdas/live/dynamodb/connection-table';
import type { ConnectionPoster } from '../../../lambdas/live/ports';
import { MAX_SUBSCRIPTIONS_PER_CONNECTION } from '../../../lambdas/live/protocol';
import { pushSummaries } from '../../../lambdas/live/push-summaries';
import { windowSummary } from '../../lambdas/aggregator/support/builders';
import { createConnectionTable, motoDocumentClient } from './moto';

const documents = motoDocumentClient();
const NOW = Date.parse('2026-11-22T12:00:00Z');
let tableName: string;
let store: DynamoDbConnectionStore;

beforeAll(async () => {
  tableName = await createConnectionTable(documents);
  store = new DynamoDbConnectionStore(documents, tableName);
});

async function items(connectionId: string): Promise<Record<string, unknown>[]> {
  const scan = await documents.send(new ScanCommand({ TableName: tableName }));
  return (scan.Items ?? []).filter(
    (item) => item.sk === connectionId || item.pk === `connection#${connectionId}`,
  );
}

describe('the live connection table on moto', () => {
  it('has TTL on expires_at, and a connection item carries it as a number', async () => {
    await store.open({
      connectionId: 'ttl-1',
      connectedAt: NOW,
      caller: 'arn:aws:iam::123456789012:user/dana',
    });

    const ttl = await documents.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    const item = await documents.send(new GetCommand({ TableName: tableName, Key: connectionKey('ttl-1') }));

    expect(ttl.TimeToLiveDescription).toMatchObject({
      AttributeName: 'expires_at',
      TimeToLiveStatus: 'ENABLED',
    });
    expect(item.Item).toMatchObject({
      expires_at: NOW / 1000 + 7260,
      caller: 'arn:aws:iam::123456789012:user/dana',
    });
  });

  it('finds exactly the connections subscribed to an advertiser', async () => {
    for (const id of ['look-1', 'look-2', 'look-3']) await store.open({ connectionId: id, connectedAt: NOW });
    await store.subscribe('look-1', 'adv-look', NOW);
    await store.subscribe('look-2', 'adv-look', NOW);
    await store.subscribe('look-2', 'adv-look', NOW);
    await store.subscribe('look-3', 'adv-other', NOW);

    expect((await store.subscribers('adv-look', NOW)).sort()).toEqual(['look-1', 'look-2']);
    expect(await store.subscribers('adv-other', NOW)).toEqual(['look-3']);
  });

  it('gives each subscription the expiry of its connection, and the lookup skips expired ones', async () => {
    const threeHoursAgo = NOW - 3 * 3600_000;
    await store.open({ connectionId: 'old-1', connectedAt: threeHoursAgo });
    expect(await store.subscribe('old-1', 'adv-expiry', threeHoursAgo + 1000)).toBe('subscribed');

    const [subscription] = (await items('old-1')).filter((item) => item.pk === 'advertiser#adv-expiry');

    expect(subscription?.expires_at).toBe(threeHoursAgo / 1000 + 7260);
    expect(await store.subscribers('adv-expiry', threeHoursAgo + 2000)).toEqual(['old-1']);
    expect(await store.subscribers('adv-expiry', NOW)).toEqual([]);
    expect(await store.subscribe('old-1', 'adv-expiry-2', NOW)).toBe('unknown_connection');
  });

  it(`refuses a subscription beyond ${MAX_SUBSCRIPTIONS_PER_CONNECTION}, but not a repeated one`, async () => {
    await store.open({ connectionId: 'many-1', connectedAt: NOW });
    for (let i = 0; i < MAX_SUBSCRIPTIONS_PER_CONNECTION; i++) {
      expect(await store.subscribe('many-1', `adv-${i}`, NOW)).toBe('subscribed');
    }

    expect(await store.subscribe('many-1', 'adv-one-more', NOW)).toBe('too_many_subscriptions');
    expect(await store.subscribe('many-1', 'adv-0', NOW)).toBe('subscribed');
    expect(await store.subscribers('adv-one-more', NOW)).toEqual([]);
  });

  it('refuses a subscription of a connection it does not know, writing nothing', async () => {
    expect(await store.subscribe('never-opened', 'adv-x', NOW)).toBe('unknown_connection');
    expect(await items('never-opened')).toEqual([]);
  });

  it('unsubscribes from one advertiser and keeps the others', async () => {
    await store.open({ connectionId: 'unsub-1', connectedAt: NOW });
    await store.subscribe('unsub-1', 'adv-u1', NOW);
    await store.subscribe('unsub-1', 'adv-u2', NOW);

    await store.unsubscribe('unsub-1', 'adv-u1');
    await store.unsubscribe('unsub-1', 'adv-never');

    expect(await store.subscribers('adv-u1', NOW)).toEqual([]);
    expect(await store.subscribers('adv-u2', NOW)).toEqual(['unsub-1']);
    const connection = await documents.send(
      new GetCommand({ TableName: tableName, Key: connectionKey('unsub-1') }),
    );
    expect(connection.Item?.advertisers).toEqual(new Set(['adv-u2']));
  });

  it('unsubscribing a closed connection does not bring its item back', async () => {
    await store.unsubscribe('closed-never-opened', 'adv-z');

    expect(await items('closed-never-opened')).toEqual([]);
  });

  it('closes a connection: its item and every subscription are gone', async () => {
    await store.open({ connectionId: 'close-1', connectedAt: NOW });
    await store.subscribe('close-1', 'adv-c1', NOW);
    await store.subscribe('close-1', 'adv-c2', NOW);

    await store.close('close-1');
    await store.close('close-1');

    expect(await items('close-1')).toEqual([]);
  });

  it('pushes a stored window to its subscribers and removes a gone connection from the table', async () => {
    for (const id of ['push-live', 'push-gone']) {
      await store.open({ connectionId: id, connectedAt: NOW });
      await store.subscribe(id, 'adv-push', NOW);
    }
    await store.subscribe('push-gone', 'adv-push-2', NOW);
    const summary = toSummaryJson(
      windowSummary({ advertiserId: 'adv-push', windowStart: NOW - 900_000, computedAt: NOW, events: 2 }),
    );
    const received: string[] = [];
    const poster: ConnectionPoster = {
      post: async (connectionId, data) => {
        if (connectionId === 'push-gone') return { status: 'gone' };
        received.push(data);
        return { status: 'sent' };
      },
    };

    const outcome = await pushSummaries([{ sequenceNumber: '1', summary }], {
      store,
      poster,
      clock: () => NOW,
      concurrency: 4,
    });

    expect(outcome).toMatchObject({ sent: 1, gone: 1, failedSequenceNumbers: [], cleanupFailures: 0 });
    expect(received.map((data) => JSON.parse(data))).toEqual([{ type: 'summary', summary }]);
    expect(await items('push-gone')).toEqual([]);
    expect(await store.subscribers('adv-push', NOW)).toEqual(['push-live']);
  });
});
