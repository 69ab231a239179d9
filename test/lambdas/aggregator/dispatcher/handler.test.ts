import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler } from '../../../../lambdas/aggregator/dispatcher/handler';
import { parseJobMessage } from '../../../../lambdas/aggregator/job';
import { stubAggregatorEnvironment } from '../support/lambda-environment';
import { loadFixture, OpenSearchFixtureServer } from '../support/opensearch-fixture-server';
import { SCENARIO_NOW } from '../support/scenarios';

const sqs = mockClient(SQSClient);
let server: OpenSearchFixtureServer;

beforeAll(async () => {
  server = await OpenSearchFixtureServer.start(loadFixture('late-events'));
  stubAggregatorEnvironment(server.url, {
    JOB_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobs',
  });
});

afterAll(async () => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  await server.stop();
});

describe('summary dispatcher handler', () => {
  it('lists the active advertisers with signed requests and enqueues one job each', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Successful: [{ Id: '0', MessageId: 'm', MD5OfMessageBody: '' }] });

    const outcome = await handler();

    expect(outcome).toEqual({ advertisers: 1, pages: 1 });
    const entries = sqs
      .commandCalls(SendMessageBatchCommand)
      .flatMap((call) => call.args[0].input.Entries ?? []);
    expect(entries.map((entry) => parseJobMessage(entry.MessageBody ?? ''))).toEqual([
      { advertiserId: 'late', dispatchedAt: SCENARIO_NOW },
    ]);
    expect(server.requests[0]).toMatchObject({
      path: '/events-*/_search',
      authorization: expect.stringMatching(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/es\/aws4_request/,
      ),
    });
  });
});
