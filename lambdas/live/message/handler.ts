import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { answerClientMessage } from '../client-messages';
import { readLiveConfig } from '../config';
import { connectionStoreFor } from '../dynamodb/connection-store';
import type { ConnectionStore } from '../ports';
import { encodeServerMessage, errorMessage, type ServerMessage } from '../protocol';

interface Runtime {
  store: ConnectionStore;
  logger: Logger;
}

// Built on the first invocation (not on import) and kept for the life of the process.
let runtime: Runtime | undefined;

function createRuntime(): Runtime {
  const config = readLiveConfig(process.env, 'clickstream-live-message');
  return { store: connectionStoreFor(config), logger: new Logger({ serviceName: config.serviceName }) };
}

/**
 * The `subscribe`, `unsubscribe` and `$default` routes: one answer per message, returned as the
 * route response (so this function needs no access to the connections).
 */
export async function handler(event: APIGatewayProxyWebsocketEventV2): Promise<APIGatewayProxyResultV2> {
  runtime ??= createRuntime();
  const { connectionId, requestId } = event.requestContext;
  const text = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? '');
  let answer: ServerMessage;
  try {
    answer = await answerClientMessage(text, connectionId, runtime.store, Date.now());
  } catch (error) {
    runtime.logger.error('client message failed', { connectionId, requestId, error });
    answer = errorMessage(
      'internal_error',
      `the message could not be acted on; send it again (request id ${requestId})`,
    );
  }
  return { statusCode: 200, body: encodeServerMessage(answer) };
}
