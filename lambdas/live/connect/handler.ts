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
  const config = readLiveConfig(process.env, 'clickstream-live-connect');
  return { store: connectionStoreFor(config), logger: new Logger({ serviceName: config.serviceName }) };
}

/** API Gateway puts the IAM caller of a `$connect` authorised with AWS_IAM here. */
interface IamIdentity {
  readonly identity?: { readonly userArn?: string | null };
}

/**
 * `$connect`, after API Gateway has checked the caller's SigV4 signature and IAM permission:
 * records the connection. A connection that cannot be recorded is refused (the error fails the
 * handshake), since it could not subscribe; the function's error alarm counts it.
 */
export async function handler(event: APIGatewayProxyWebsocketEventV2): Promise<APIGatewayProxyResultV2> {
  runtime ??= createRuntime();
  const { connectionId, requestId } = event.requestContext;
  const caller = (event.requestContext as IamIdentity).identity?.userArn ?? undefined;
  try {
    await runtime.store.open({
      connectionId,
      connectedAt: Date.now(),
      ...(caller === undefined ? {} : { caller }),
    });
  } catch (error) {
    runtime.logger.error('connection not recorded', { connectionId, requestId, error });
    throw error;
  }
  return { statusCode: 200 };
}
