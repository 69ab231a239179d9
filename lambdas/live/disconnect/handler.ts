import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { readLiveConfig } from '../config';
import { connectionStoreFor } from '../dynamodb/connection-store';
import type { ConnectionStore } from '../ports';

interface Runtime {
  store: ConnectionStore;
  logger: Logger;
}

// Built on the first invocation (not on import) and kept for the life of the process.
let runtime: Runtime | undefined;

function createRuntime(): Runtime {
  const config = readLiveConfig(process.env, 'clickstream-live-disconnect');
  return { store: connectionStoreFor(config), logger: new Logger({ serviceName: config.serviceName }) };
}

/**
 * `$disconnect`: removes the connection and its subscriptions. API Gateway delivers it on a best
 * effort basis; what it misses, the push Lambda removes when a post answers Gone, and TTL after.
 * A failure is thrown, so the function's error metric (and alarm) counts it.
 */
export async function handler(event: APIGatewayProxyWebsocketEventV2): Promise<APIGatewayProxyResultV2> {
  runtime ??= createRuntime();
  const { connectionId, requestId } = event.requestContext;
  try {
    await runtime.store.close(connectionId);
  } catch (error) {
    runtime.logger.error('connection not removed', { connectionId, requestId, error });
    throw error;
  }
  return { statusCode: 200 };
}
