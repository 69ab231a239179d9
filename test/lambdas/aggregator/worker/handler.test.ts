import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { jobMessageBody } from '../../../../lambdas/aggregator/job';
import { handler } from '../../../../lambdas/aggregator/worker/handler';
import { stubAggregatorEnvironment } from '../support/lambda-environment';
import { loadFixture, OpenSearchFixtureServer } from '../support/opensearch-fixture-server';
import { SCENARIO_NOW, SCENARIOS } from '../support/scenarios';

const documents = mockClient(DynamoDBDocumentClient);
let server: OpenSearchFixtureServer;

beforeAll(async () => {
  server = await OpenSearchFixtureServer.start(loadFixture('late-events'));
  stubAggregatorEnvironment(server.url, { SUMMARY_TABLE_NAME: 'summaries' });
});

afterAll(async () => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  await server.stop();
});

function record(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(SCENARIO_NOW),
      SenderId: 'dispatcher',
      ApproximateFirstReceiveTimestamp: String(SCENARIO_NOW),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:jobs',
    awsRegion: 'eu-west-1',
  };
}

describe('summary worker handler', () => {
  it('summarises each job and reports only the poison one as failed', async () => {
    documents.on(PutCommand).resolves({});
    const event: SQSEvent = {
      Records: [
        record('good', jobMessageBody({ advertiserId: 'late', dispatchedAt: SCENARIO_NOW - 5000 })),
        record('poison', '{"advertiser_id": "not/an/id"}'),
      ],
    };

    const response = await handler(event, { getRemainingTimeInMillis: () => 60_000 } as Context);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'poison' }] });
    const expected = SCENARIOS.find((s) => s.id === 'late-events')?.expected;
    expect(documents.commandCalls(PutCommand).map((call) => call.args[0].input.Item)).toEqual(expected);
  });
});
