import { Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import type { StageOverrides } from '../../lib/config';
import { SearchDomain } from '../../lib/search-domain';
import { stageConfig, testStack } from './app';

function domain(stage = 'dev', overrides: StageOverrides = {}) {
  const stack = testStack();
  const search = new SearchDomain(stack, 'Search', {
    opensearch: stageConfig(stage, overrides).opensearch,
    domainName: `clickstream-${stage}`,
    logRetention: RetentionDays.TWO_WEEKS,
  });
  const role = (id: string) =>
    new Role(stack, id, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  return { stack, search, role, template: () => Template.fromStack(stack) };
}

describe('SearchDomain', () => {
  it('runs the stage config engine version (2.19 by default), encrypted at rest and between nodes', () => {
    const { template } = domain();

    template().hasResourceProperties('AWS::OpenSearchService::Domain', {
      EngineVersion: 'OpenSearch_2.19',
      EncryptionAtRestOptions: { Enabled: true },
      NodeToNodeEncryptionOptions: { Enabled: true },
    });
  });

  it('accepts HTTPS only, with the TLS 1.2 PFS policy', () => {
    const { template } = domain();

    template().hasResourceProperties('AWS::OpenSearchService::Domain', {
      DomainEndpointOptions: { EnforceHTTPS: true, TLSSecurityPolicy: 'Policy-Min-TLS-1-2-PFS-2023-10' },
    });
  });

  it('is not placed in a VPC (IAM-only access, see docs/deploy.md)', () => {
    const { template } = domain();

    template().hasResourceProperties('AWS::OpenSearchService::Domain', { VPCOptions: Match.absent() });
  });

  it('publishes slow search, slow index and error logs', () => {
    const { template } = domain();

    template().hasResourceProperties('AWS::OpenSearchService::Domain', {
      LogPublishingOptions: {
        SEARCH_SLOW_LOGS: Match.objectLike({ Enabled: true }),
        INDEX_SLOW_LOGS: Match.objectLike({ Enabled: true }),
        ES_APPLICATION_LOGS: Match.objectLike({ Enabled: true }),
      },
    });
  });

  it('lets only the OpenSearch service write to its log groups, for this account', () => {
    const { template } = domain();

    // The policy document is rendered as a joined string; compare its text.
    const policies = JSON.stringify(template().findResources('AWS::Logs::ResourcePolicy'));

    expect(policies).toContain('\\"Principal\\":{\\"Service\\":\\"es.amazonaws.com\\"}');
    expect(policies).toContain('\\"aws:SourceAccount\\"');
    expect(policies).toContain('SearchSlowSearchLogs');
    // The Arn attribute of a log group already ends in ':*'; appending another breaks the policy.
    expect(policies).not.toMatch(/"Arn"\]\},":\*/);
  });

  it.each<[string, StageOverrides, Record<string, unknown>]>([
    [
      'dev',
      {},
      {
        InstanceType: 'm7g.medium.search',
        InstanceCount: 1,
        ZoneAwarenessEnabled: false,
        DedicatedMasterEnabled: false,
      },
    ],
    [
      'prod',
      {},
      {
        InstanceType: 'r7g.large.search',
        InstanceCount: 3,
        ZoneAwarenessEnabled: true,
        ZoneAwarenessConfig: { AvailabilityZoneCount: 3 },
        DedicatedMasterEnabled: true,
        DedicatedMasterCount: 3,
        MultiAZWithStandbyEnabled: true,
      },
    ],
    [
      'dev',
      { opensearch: { instanceCount: 2, availabilityZones: 2 } },
      { InstanceCount: 2, ZoneAwarenessEnabled: true },
    ],
  ])('sizes the %s cluster from the config (%j)', (stage, overrides, cluster) => {
    const { template } = domain(stage, overrides);

    template().hasResourceProperties('AWS::OpenSearchService::Domain', {
      ClusterConfig: Match.objectLike(cluster),
    });
  });

  it('sizes the gp3 volumes from the config', () => {
    const { template } = domain('prod');

    template().hasResourceProperties('AWS::OpenSearchService::Domain', {
      EBSOptions: { EBSEnabled: true, VolumeSize: 200, VolumeType: 'gp3' },
    });
  });

  it('names exactly the allowed roles in its access policy', () => {
    const { stack, search, role, template } = domain();
    const writer = role('Writer');
    role('Bystander');

    search.allow(writer);

    template().hasResourceProperties('AWS::OpenSearchService::Domain', {
      AccessPolicies: {
        Statement: [
          Match.objectLike({ Action: 'es:ESHttp*', Principal: { AWS: stack.resolve(writer.roleArn) } }),
        ],
      },
    });
  });

  it('grants the allowed role the matching identity policy', () => {
    const { stack, search, role, template } = domain();
    const writer = role('Writer');

    search.allow(writer);

    template().hasResourceProperties('AWS::IAM::Policy', {
      Roles: [stack.resolve(writer.roleName)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: Match.arrayWith(['es:ESHttpGet', 'es:ESHttpPut']), Effect: 'Allow' }),
        ]),
      },
    });
  });

  it('never allows an anonymous principal', () => {
    const { search, role, template } = domain();
    search.allow(role('Writer'));

    const domains = template().findResources('AWS::OpenSearchService::Domain');

    expect(JSON.stringify(domains)).not.toMatch(/"AWS":"\*"|"Principal":"\*"/);
  });
});
