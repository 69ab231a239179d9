import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ConnectionStore, OpenedConnection, SubscribeOutcome } from '../ports';
import { MAX_SUBSCRIPTIONS_PER_CONNECTION } from '../protocol';
import {
  advertiserPartition,
  CONNECTION_LIFETIME_SECONDS,
  connectionKey,
  EXPIRY_ATTRIBUTE,
  subscriptionKey,
} from './connection-table';

/** Connections and subscriptions in DynamoDB (the layout is in connection-table.ts). */
export class DynamoDbConnectionStore implements ConnectionStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async open(connection: OpenedConnection): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...connectionKey(connection.connectionId),
          connection_id: connection.connectionId,
          connected_at: new Date(connection.connectedAt).toISOString(),
          ...(connection.caller === undefined ? {} : { caller: connection.caller }),
          [EXPIRY_ATTRIBUTE]: Math.floor(connection.connectedAt / 1000) + CONNECTION_LIFETIME_SECONDS,
        },
      }),
    );
  }

  async subscribe(connectionId: string, advertiserId: string, now: number): Promise<SubscribeOutcome> {
    let expiresAt: number;
    try {
      // The connection item lists what it follows, so a disconnect can find its subscriptions.
      const updated = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: connectionKey(connectionId),
          UpdateExpression: 'ADD advertisers :advertiser',
          ConditionExpression:
            'attribute_exists(pk) AND #expires > :now AND (attribute_not_exists(advertisers) OR contains(advertisers, :id) OR size(advertisers) < :max)',
          ExpressionAttributeNames: { '#expires': EXPIRY_ATTRIBUTE },
          ExpressionAttributeValues: {
            ':advertiser': new Set([advertiserId]),
            ':id': advertiserId,
            ':now': Math.floor(now / 1000),
            ':max': MAX_SUBSCRIPTIONS_PER_CONNECTION,
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      expiresAt = Number(updated.Attributes?.[EXPIRY_ATTRIBUTE]);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const current = error.Item;
      const live = current !== undefined && Number(current[EXPIRY_ATTRIBUTE]?.N) > Math.floor(now / 1000);
      return live ? 'too_many_subscriptions' : 'unknown_connection';
    }
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...subscriptionKey(advertiserId, connectionId),
          connection_id: connectionId,
          advertiser_id: advertiserId,
          [EXPIRY_ATTRIBUTE]: expiresAt,
        },
      }),
    );
    return 'subscribed';
  }

  async unsubscribe(connectionId: string, advertiserId: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: subscriptionKey(advertiserId, connectionId) }),
    );
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: connectionKey(connectionId),
          UpdateExpression: 'DELETE advertisers :advertiser',
          // Without it, an update of a closed connection would create a bare item.
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':advertiser': new Set([advertiserId]) },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async close(connectionId: string): Promise<void> {
    const deleted = await this.client.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: connectionKey(connectionId),
        ReturnValues: 'ALL_OLD',
      }),
    );
    const advertisers = deleted.Attributes?.advertisers;
    if (!(advertisers instanceof Set)) return;
    // At most MAX_SUBSCRIPTIONS_PER_CONNECTION deletes, so all in flight at once.
    await Promise.all(
      [...advertisers].map((advertiserId) =>
        this.client.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: subscriptionKey(String(advertiserId), connectionId),
          }),
        ),
      ),
    );
  }

  async subscribers(advertiserId: string, now: number): Promise<string[]> {
    const connectionIds: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          // TTL deletes expired items within days, not at once: expired ones are skipped here.
          FilterExpression: '#expires > :now',
          ExpressionAttributeNames: { '#expires': EXPIRY_ATTRIBUTE },
          ExpressionAttributeValues: {
            ':pk': advertiserPartition(advertiserId),
            ':now': Math.floor(now / 1000),
          },
          ProjectionExpression: 'sk',
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) connectionIds.push(String(item.sk));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return connectionIds;
  }
}

/** The store the Lambdas use, for the table and region of their configuration. */
export function connectionStoreFor(config: {
  connectionTableName: string;
  region: string;
}): DynamoDbConnectionStore {
  return new DynamoDbConnectionStore(
    DynamoDBDocumentClient.from(new DynamoDBClient({ region: config.region })),
    config.connectionTableName,
  );
}
