import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SUMMARY_TABLE_KEY } from '../../../lambdas/aggregator/dynamodb/summary-table';
import { CONNECTION_TABLE_KEY, EXPIRY_ATTRIBUTE } from '../../../lambdas/live/dynamodb/connection-table';
import { engineUrl } from '../engine-url';

/** moto accepts any credentials; static dummy ones keep the SDK from looking for real ones. */
export const MOTO_CREDENTIALS = { accessKeyId: 'AKIDMOTOENGINE', secretAccessKey: 'moto-accepts-any-secret' };
export const MOTO_REGION = 'eu-west-1';

/** SDK client options that send every request to the suite's moto server, never to AWS. */
export function motoClientConfig() {
  return { endpoint: engineUrl('moto'), region: MOTO_REGION, credentials: MOTO_CREDENTIALS };
}

export function motoDocumentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(motoClientConfig()));
}

/**
 * A new, empty summary table with the key the CDK table has (SUMMARY_TABLE_KEY, both strings),
 * on demand as in lib/summaries.ts. Each test gets its own, so no test sees another's items.
 */
export async function createSummaryTable(documents: DynamoDBDocumentClient): Promise<string> {
  const tableName = `summaries-${randomUUID()}`;
  await documents.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [
        { AttributeName: SUMMARY_TABLE_KEY.partitionKey, KeyType: 'HASH' },
        { AttributeName: SUMMARY_TABLE_KEY.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: SUMMARY_TABLE_KEY.partitionKey, AttributeType: 'S' },
        { AttributeName: SUMMARY_TABLE_KEY.sortKey, AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return tableName;
}

/** A new standard queue, SQS-managed encryption as the CDK job queue; returns its URL. */
export async function createJobQueue(sqs: SQSClient): Promise<string> {
  const response = await sqs.send(
    new CreateQueueCommand({
      QueueName: `jobs-${randomUUID()}`,
      Attributes: { SqsManagedSseEnabled: 'true' },
    }),
  );
  if (response.QueueUrl === undefined) throw new Error('moto created a queue without a URL');
  return response.QueueUrl;
}

/**
 * A new, empty live connection table with the CDK table's key (CONNECTION_TABLE_KEY) and TTL
 * attribute, on demand as in lib/live-updates.ts.
 */
export async function createConnectionTable(documents: DynamoDBDocumentClient): Promise<string> {
  const tableName = `connections-${randomUUID()}`;
  await documents.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [
        { AttributeName: CONNECTION_TABLE_KEY.partitionKey, KeyType: 'HASH' },
        { AttributeName: CONNECTION_TABLE_KEY.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: CONNECTION_TABLE_KEY.partitionKey, AttributeType: 'S' },
        { AttributeName: CONNECTION_TABLE_KEY.sortKey, AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await documents.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: EXPIRY_ATTRIBUTE, Enabled: true },
    }),
  );
  return tableName;
}
