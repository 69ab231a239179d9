import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Client, errors } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws-v3';
import type { SetupConfig } from './config';
import type { OpenSearchHttp } from './setup';

/** A SigV4-signed HTTPS client for the domain, as the {@link OpenSearchHttp} port. */
export function signedOpenSearchHttp(config: SetupConfig): OpenSearchHttp {
  const client = new Client({
    ...AwsSigv4Signer({ region: config.region, service: 'es', getCredentials: defaultProvider() }),
    node: `https://${config.domainEndpoint}`,
  });
  return async (request) => {
    try {
      const response = await client.transport.request({
        method: request.method,
        path: request.path,
        ...(request.querystring === undefined ? {} : { querystring: request.querystring }),
        ...(request.body === undefined ? {} : { body: request.body as Record<string, unknown> }),
      });
      return { statusCode: response.statusCode ?? 200, body: response.body };
    } catch (error) {
      // HTTP errors are answers for the core to judge; transport failures propagate.
      if (error instanceof errors.ResponseError) {
        return { statusCode: error.meta.statusCode ?? 500, body: error.meta.body };
      }
      throw error;
    }
  };
}
