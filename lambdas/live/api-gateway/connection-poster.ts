import {
  type ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { ConnectionPoster, PostOutcome } from '../ports';

/** Posts to WebSocket connections through the API's management endpoint (the stage's callback URL). */
export class ApiGatewayConnectionPoster implements ConnectionPoster {
  constructor(private readonly client: ApiGatewayManagementApiClient) {}

  async post(connectionId: string, data: string): Promise<PostOutcome> {
    try {
      await this.client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
      return { status: 'sent' };
    } catch (error) {
      if (error instanceof GoneException) return { status: 'gone' };
      return { status: 'failed', error: describe(error), retryable: isRetryable(error) };
    }
  }
}

// Throttling (429) and server errors may pass on a later try; a refused payload (413) or a denied
// call (403) will not, so retrying the stream record for them would only delay the others.
function isRetryable(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === undefined || status === 429 || status >= 500;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
