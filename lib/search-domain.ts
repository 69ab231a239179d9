import { Arn, ArnFormat, Lazy, Stack } from 'aws-cdk-lib';
import { EbsDeviceVolumeType } from 'aws-cdk-lib/aws-ec2';
import {
  ArnPrincipal,
  type IRole,
  PolicyDocument,
  PolicyStatement,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import { ResourcePolicy, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type CfnDomain, Domain, EngineVersion, TLSSecurityPolicy } from 'aws-cdk-lib/aws-opensearchservice';
import { Construct } from 'constructs';
import type { OpenSearchConfig } from './config';
import { acknowledgeNag, nagArn } from './nag';
import { searchTopology } from './search-topology';
import { removalPolicyFor, stageLogGroup } from './stateful';

export interface SearchDomainProps {
  /** Sizes and retention. */
  readonly opensearch: OpenSearchConfig;
  /** Domain name: 3-28 characters, lowercase letters, digits and hyphens, starting with a letter. */
  readonly domainName: string;
  /** Retention of the slow and error log groups. */
  readonly logRetention: RetentionDays;
  /**
   * Delete the domain and its log groups with the stack.
   * @default false
   */
  readonly destroyOnRemoval?: boolean;
}

/**
 * The OpenSearch domain: encrypted at rest and between nodes, HTTPS with TLS 1.2 (PFS ciphers)
 * only, slow and error logs to CloudWatch, and a resource policy naming the roles added with
 * {@link allow} (which also grants their identity policy). No anonymous or IP-based access: any
 * other caller needs an identity policy of this account.
 */
export class SearchDomain extends Construct {
  readonly domain: Domain;
  /** Roles named in the domain's resource policy, by construct path (each once). */
  private readonly writers = new Map<string, IRole>();

  constructor(scope: Construct, id: string, props: SearchDomainProps) {
    super(scope, id);
    const { opensearch } = props;
    const removalPolicy = removalPolicyFor(props.destroyOnRemoval);
    const logGroup = (logId: string) =>
      stageLogGroup(this, logId, props.logRetention, props.destroyOnRemoval);
    const slowSearchLogGroup = logGroup('SlowSearchLogs');
    const slowIndexLogGroup = logGroup('SlowIndexLogs');
    const appLogGroup = logGroup('ErrorLogs');

    // A native resource policy instead of the L2's default custom resource (one Lambda fewer).
    const logsPolicy = new ResourcePolicy(this, 'LogsPolicy', {
      resourcePolicyName: `${props.domainName}-opensearch-logs`,
    });
    logsPolicy.document.addStatements(
      new PolicyStatement({
        principals: [new ServicePrincipal('es.amazonaws.com')],
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        // A log group's Arn attribute already ends in ':*' (all its streams).
        resources: [slowSearchLogGroup, slowIndexLogGroup, appLogGroup].map((group) => group.logGroupArn),
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );

    const dedicatedManagers = opensearch.dedicatedManagerCount > 0;
    const topology = searchTopology(opensearch);
    this.domain = new Domain(this, 'Domain', {
      domainName: props.domainName,
      version: EngineVersion.openSearch(opensearch.engineVersion),
      removalPolicy,
      capacity: {
        dataNodes: opensearch.instanceCount,
        dataNodeInstanceType: opensearch.instanceType,
        ...(dedicatedManagers
          ? {
              masterNodes: opensearch.dedicatedManagerCount,
              masterNodeInstanceType: opensearch.dedicatedManagerInstanceType,
            }
          : {}),
        // Multi-AZ with standby needs three zones and dedicated managers; it is the prod shape.
        multiAzWithStandbyEnabled: topology.multiAzWithStandby,
      },
      zoneAwareness:
        topology.zones > 1 ? { enabled: true, availabilityZoneCount: topology.zones } : { enabled: false },
      ebs: { volumeSize: opensearch.volumeSizeGiB, volumeType: EbsDeviceVolumeType.GP3 },
      encryptionAtRest: { enabled: true },
      nodeToNodeEncryption: true,
      enforceHttps: true,
      tlsSecurityPolicy: TLSSecurityPolicy.TLS_1_2_PFS,
      logging: {
        slowSearchLogEnabled: true,
        slowSearchLogGroup,
        slowIndexLogEnabled: true,
        slowIndexLogGroup,
        appLogEnabled: true,
        appLogGroup,
      },
      suppressLogsResourcePolicy: true,
      enableAutoSoftwareUpdate: true,
      offPeakWindowEnabled: true,
    });
    this.domain.node.addDependency(logsPolicy);
    acknowledgeNag(
      this.domain,
      'OS1',
      'IAM-only access instead of a VPC: every request must be SigV4-signed by an IAM principal a policy allows; a VPC would put Firehose and every Lambda in subnets with NAT or endpoints without strengthening authentication (docs/deploy.md)',
    );
    acknowledgeNag(
      this.domain,
      'OS3',
      'Access is granted to IAM roles, not IP ranges: Firehose and Lambda have no stable source addresses',
    );
    if (!dedicatedManagers) {
      acknowledgeNag(
        this.domain,
        'OS4',
        `Stage config opensearch.dedicatedManagerCount is 0 (a ${opensearch.instanceCount}-node development domain); prod uses 3 dedicated cluster managers`,
      );
    }
    if (opensearch.availabilityZones === 1) {
      acknowledgeNag(
        this.domain,
        'OS7',
        'Stage config opensearch.availabilityZones is 1 (development domain); prod spreads nodes over 3 zones',
      );
    }

    // The access policy is rendered at synth time from the roles added with allow(). The domain
    // ARN is built from the name, not referenced, so the policy does not depend on the domain itself.
    const domainArn = Arn.format(
      {
        service: 'es',
        resource: 'domain',
        resourceName: props.domainName,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      },
      Stack.of(this),
    );
    const cfnDomain = this.domain.node.defaultChild as CfnDomain;
    cfnDomain.accessPolicies = Lazy.any({
      produce: () => this.accessPolicy(domainArn).toJSON(),
    });
  }

  /**
   * Lets a role read and write through the domain's REST API (Firehose, the index setup): names it
   * in the domain's resource policy and grants the matching identity policy. Roles that only
   * search (the summary workers) get a narrower identity policy of their own instead
   * (`es:ESHttpGet`/`es:ESHttpPost` on `events-*\/_search`), since a resource-policy "read" level
   * would have to allow POST on every path, which also covers `_bulk`.
   */
  allow(role: IRole): void {
    this.domain.grantReadWrite(role);
    acknowledgeNag(
      role,
      `IAM5[Resource::${nagArn(this.domain)}/*]`,
      'REST paths of this one domain: the daily indices (events-YYYY-MM-DD) are named by date, so they cannot be listed',
    );
    this.writers.set(role.node.path, role);
  }

  private accessPolicy(domainArn: string): PolicyDocument {
    const roles = [...this.writers.values()];
    if (roles.length === 0) return new PolicyDocument();
    return new PolicyDocument({
      statements: [
        new PolicyStatement({
          principals: roles.map((role) => new ArnPrincipal(role.roleArn)),
          actions: ['es:ESHttp*'],
          resources: [`${domainArn}/*`],
        }),
      ],
    });
  }
}
