import { Match, Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { EVENT_COLUMNS } from '../../contract/index';
import { renderSetupDocuments } from '../../lambdas/opensearch-setup/documents';
import type { StageOverrides } from '../../lib/config';
import { SearchDomain } from '../../lib/search-domain';
import { SearchIndexSetup } from '../../lib/search-index-setup';
import { stageConfig, testStack } from './app';

function setup(stage = 'dev', overrides: StageOverrides = {}) {
  const stack = testStack();
  const { opensearch } = stageConfig(stage, overrides);
  const search = new SearchDomain(stack, 'Search', {
    opensearch,
    domainName: 'clickstream-test',
    logRetention: RetentionDays.ONE_WEEK,
  });
  const construct = new SearchIndexSetup(stack, 'Setup', {
    search,
    opensearch,
    logRetention: RetentionDays.ONE_WEEK,
  });
  return { stack, search, construct, template: Template.fromStack(stack) };
}

function documentsProperty(template: Template): ReturnType<typeof renderSetupDocuments> {
  const [resource] = Object.values(template.findResources('Custom::OpenSearchSetup'));
  return JSON.parse((resource as { Properties: { Documents: string } }).Properties.Documents);
}

describe('SearchIndexSetup', () => {
  it('passes the documents rendered from the stage config to the custom resource', () => {
    const { template } = setup('prod', { opensearch: { indexRetentionDays: 60 } });

    expect(documentsProperty(template)).toEqual(
      renderSetupDocuments({ indexRetentionDays: 60, replicas: 2 }),
    );
  });

  // Multi-AZ with standby refuses an index whose copies (1 + replicas) are not a multiple of its 3 zones.
  it.each<[string, StageOverrides, number]>([
    ['dev', {}, 0],
    ['dev', { opensearch: { instanceCount: 2 } }, 1],
    ['dev', { opensearch: { instanceCount: 2, availabilityZones: 2 } }, 1],
    ['dev', { opensearch: { instanceCount: 3, availabilityZones: 3 } }, 2],
    ['prod', {}, 2],
    ['prod', { opensearch: { instanceCount: 6 } }, 2],
  ])('gives the %s domain with %j %i replicas in both index templates', (stage, overrides, replicas) => {
    const { template } = setup(stage, overrides);

    const settings = documentsProperty(template).templates.map(
      (candidate) =>
        (candidate.body as { template: { settings: { index: { number_of_replicas: number } } } }).template
          .settings.index.number_of_replicas,
    );

    expect(settings).toEqual([replicas, replicas]);
  });

  it('carries a mapping for every contract column, so a schema change re-runs the setup', () => {
    const { template } = setup();

    const events = documentsProperty(template).templates.find((candidate) => candidate.name === 'events');
    const body = events?.body as
      | { template: { mappings: { properties: Record<string, unknown> } } }
      | undefined;
    const properties = body?.template.mappings.properties ?? {};

    expect(Object.keys(properties)).toEqual(EVENT_COLUMNS.map((column) => column.name));
  });

  it('gives the handler the domain endpoint', () => {
    const { stack, search, template } = setup();

    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ DOMAIN_ENDPOINT: stack.resolve(search.domain.domainEndpoint) }),
      },
    });
  });

  it("puts the handler's role in the domain access policy with write access", () => {
    const { stack, construct, template } = setup();

    template.hasResourceProperties('AWS::OpenSearchService::Domain', {
      AccessPolicies: {
        Statement: [
          Match.objectLike({
            Action: 'es:ESHttp*',
            Principal: { AWS: stack.resolve(construct.handler.role.roleArn) },
          }),
        ],
      },
    });
  });

  it('runs after the domain exists', () => {
    const { template } = setup();

    const [domainId] = Object.keys(template.findResources('AWS::OpenSearchService::Domain'));

    template.hasResource('Custom::OpenSearchSetup', { DependsOn: Match.arrayWith([domainId]) });
  });
});
