import { fileURLToPath } from 'node:url';
import { CustomResource, Duration } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { renderSetupDocuments } from '../lambdas/opensearch-setup/documents';
import type { OpenSearchConfig } from './config';
import { ClickstreamFunction } from './lambda-function';
import { acknowledgeNag, nagArn } from './nag';
import type { SearchDomain } from './search-domain';
import { searchTopology } from './search-topology';
import { stageLogGroup } from './stateful';

export interface SearchIndexSetupProps {
  readonly search: SearchDomain;
  readonly opensearch: OpenSearchConfig;
  readonly logRetention: RetentionDays;
  /** @default false */
  readonly destroyOnRemoval?: boolean;
}

/**
 * Deploy-time set-up of the domain (lambdas/opensearch-setup): the de-duplicating ingest pipeline,
 * the index templates and the ISM retention policy. The rendered documents are a property of the
 * custom resource, so any change to the schema's columns or the retention re-runs it on deploy.
 */
export class SearchIndexSetup extends Construct {
  readonly resource: CustomResource;
  readonly handler: ClickstreamFunction;

  constructor(scope: Construct, id: string, props: SearchIndexSetupProps) {
    super(scope, id);
    const { domain } = props.search;

    this.handler = new ClickstreamFunction(this, 'Handler', {
      entry: fileURLToPath(new URL('../lambdas/opensearch-setup/handler.ts', import.meta.url)),
      description: 'Applies the OpenSearch index templates, ingest pipeline and ISM policy',
      timeout: Duration.minutes(2),
      logRetention: props.logRetention,
      destroyLogsOnRemoval: props.destroyOnRemoval ?? false,
      environment: { DOMAIN_ENDPOINT: domain.domainEndpoint },
    });
    props.search.allow(this.handler.function.role!);

    const provider = new Provider(this, 'Provider', {
      onEventHandler: this.handler.function,
      logGroup: stageLogGroup(this, 'ProviderLogs', props.logRetention, props.destroyOnRemoval),
    });
    acknowledgeNag(
      provider,
      'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'The CDK Provider framework function creates its own role with the basic execution policy; it only writes its logs',
    );
    acknowledgeNag(
      provider,
      `IAM5[Resource::${nagArn(this.handler.function)}:*]`,
      'The CDK Provider framework may invoke any version of the setup handler; the grant names that one function',
    );

    const documents = renderSetupDocuments({
      indexRetentionDays: props.opensearch.indexRetentionDays,
      replicas: searchTopology(props.opensearch).replicas,
    });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::OpenSearchSetup',
      properties: { Documents: JSON.stringify(documents) },
    });
    // The domain's access policy must name the handler's role before the handler calls it.
    this.resource.node.addDependency(domain);
  }
}
