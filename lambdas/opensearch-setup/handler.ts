import { Logger } from '@aws-lambda-powertools/logger';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { parseSetupConfig } from './config';
import type { SetupDocuments } from './documents';
import { signedOpenSearchHttp } from './opensearch-http';
import { applySetup, type OpenSearchHttp } from './setup';

const logger = new Logger({ serviceName: 'opensearch-setup' });
let http: OpenSearchHttp | undefined;

/** One physical id for the life of the resource: replacing it would run a Delete on the old one. */
export const PHYSICAL_RESOURCE_ID = 'clickstream-opensearch-setup';

/**
 * Custom resource (CDK Provider framework `onEvent`): on Create and Update applies the templates,
 * pipeline and ISM policy carried in the `Documents` property; on Delete does nothing, so the
 * indices and their data outlive a stack rollback or removal of this resource.
 */
export async function handler(
  event: CloudFormationCustomResourceEvent,
): Promise<{ PhysicalResourceId: string }> {
  if (event.RequestType === 'Delete') {
    logger.info('delete is a no-op');
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  const raw = event.ResourceProperties.Documents;
  if (typeof raw !== 'string') throw new Error('resource property Documents (a JSON string) is required');
  if (http === undefined) {
    const config = parseSetupConfig(process.env);
    http = signedOpenSearchHttp({
      node: `https://${config.domainEndpoint}`,
      region: config.region,
      getCredentials: defaultProvider(),
    });
  }
  const steps = await applySetup(http, JSON.parse(raw) as SetupDocuments);
  logger.info('domain set up', { requestType: event.RequestType, steps });
  return { PhysicalResourceId: PHYSICAL_RESOURCE_ID };
}
