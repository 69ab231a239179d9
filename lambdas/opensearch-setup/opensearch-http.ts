import { Client, errors } from '@opensearch-project/opensearch';
import { AwsSigv4Signer, type AwsSigv4SignerOptions } from '@opensearch-project/opensearch/aws-v3';
import type { OpenSearchHttp } from './setup';

export interface SignedHttpOptions {
  /** Base URL of the domain, `https://<endpoint>`. */
  node: string;
  region: string;
  /** Where the signing credentials come from (the Lambda role's, through the default provider chain). */
  getCredentials: NonNullable<AwsSigv4SignerOptions['getCredentials']>;
}

/** A SigV4-signed (service `es`) client for the domain, as the {@link OpenSearchHttp} port. */
export function signedOpenSearchHttp(options: SignedHttpOptions): OpenSearchHttp {
  return clientOpenSearchHttp(
    new Client({
      ...AwsSigv4Signer({ region: options.region, service: 'es', getCredentials: options.getCredentials }),
      node: options.node,
    }),
  );
}

/**
 * An unsigned client, as the {@link OpenSearchHttp} port: for an OpenSearch without IAM in front
 * of it (a node on loopback), which answers the same REST API as a domain.
 */
export function unsignedOpenSearchHttp(node: string): OpenSearchHttp {
  return clientOpenSearchHttp(new Client({ node }));
}

function clientOpenSearchHttp(client: Client): OpenSearchHttp {
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
