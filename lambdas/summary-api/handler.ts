import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DynamoDbSummaryStore } from '../aggregator/dynamodb/summary-store';
import type { SummaryStore } from '../aggregator/ports';
import { readSummaryApiConfig } from './config';
import { parseSummaryRequest } from './request';
import { querySummaries } from './summaries';

interface Runtime {
  store: SummaryStore;
  logger: Logger;
}

// Built on the first invocation (not on import) and kept for the life of the process.
let runtime: Runtime | undefined;

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

/** `GET /advertisers/{advertiserId}/summaries` behind API Gateway (HTTP API, IAM authorisation). */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  runtime ??= createRuntime();
  const { store, logger } = runtime;
  const request = parseSummaryRequest(
    event.pathParameters?.advertiserId,
    event.queryStringParameters ?? {},
    Date.now(),
  );
  if (!request.ok) return json(400, { error: 'bad_request', message: request.message });
  try {
    return json(200, await querySummaries(store, request.query));
  } catch (error) {
    logger.error('summary query failed', { error, requestId: event.requestContext.requestId });
    return json(500, {
      error: 'internal_error',
      message: `the summaries could not be read; request id ${event.requestContext.requestId}`,
    });
  }
}

function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}
