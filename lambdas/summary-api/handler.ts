import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DynamoDbSummaryStore } from '../aggregator/dynamodb/summary-store';
import type { SummaryStore } from '../aggregator/ports';
import { answerSummaryRequest, SUMMARY_API_HEADERS } from './answer';
import { readSummaryApiConfig } from './config';

export interface Runtime {
  store: SummaryStore;
  logger: Pick<Logger, 'error'>;
}

function createRuntime(): Runtime {
  const config = readSummaryApiConfig(process.env);
  return {
    store: new DynamoDbSummaryStore(
      DynamoDBDocumentClient.from(new DynamoDBClient({ region: config.region })),
      config.summaryTableName,
    ),
    logger: new Logger({ serviceName: config.serviceName }),
  };
}

/**
 * The handler over a given runtime: what `handler` runs with DynamoDB, and what the contract test
 * (test/contract/summary-api.contract.test.ts) runs over the local store to hold the local server to it.
 */
export function createSummaryApiHandler(
  runtime: Runtime,
  now: () => number = Date.now,
): (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2> {
  const { store, logger } = runtime;
  return async (event) => {
    const { requestId } = event.requestContext;
    const answer = await answerSummaryRequest(
      store,
      {
        advertiserId: event.pathParameters?.advertiserId,
        parameters: event.queryStringParameters ?? {},
        requestId,
      },
      now(),
      (error) => logger.error('summary query failed', { error, requestId }),
    );
    return {
      statusCode: answer.statusCode,
      headers: { ...SUMMARY_API_HEADERS },
      body: JSON.stringify(answer.body),
    };
  };
}

// Built on the first invocation (not on import) and kept for the life of the process.
let handle: ReturnType<typeof createSummaryApiHandler> | undefined;

/** `GET /advertisers/{advertiserId}/summaries` behind API Gateway (HTTP API, IAM authorisation). */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  handle ??= createSummaryApiHandler(createRuntime());
  return handle(event);
}
