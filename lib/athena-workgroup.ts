import { CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import type { Construct } from 'constructs';

export interface EnforcedWorkGroupProps {
  readonly name: string;
  readonly description: string;
  /** The most a query may scan before Athena cancels it. */
  readonly bytesScannedCutoffPerQuery: number;
  /** `s3://bucket/prefix/` of the query results. */
  readonly outputLocation: string;
  /** The account that must own the results bucket. */
  readonly expectedBucketOwner: string;
  /** Deleting the stack deletes the workgroup with its saved state. */
  readonly destroyOnRemoval: boolean;
}

/**
 * An Athena workgroup whose settings queries cannot override: engine v3, CloudWatch metrics, a
 * per-query scan limit, and SSE-S3 encrypted results in a bucket the given account owns.
 */
export function enforcedWorkGroup(scope: Construct, id: string, props: EnforcedWorkGroupProps): CfnWorkGroup {
  return new CfnWorkGroup(scope, id, {
    name: props.name,
    description: props.description,
    state: 'ENABLED',
    recursiveDeleteOption: props.destroyOnRemoval,
    workGroupConfiguration: {
      enforceWorkGroupConfiguration: true,
      engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
      publishCloudWatchMetricsEnabled: true,
      bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery,
      resultConfiguration: {
        outputLocation: props.outputLocation,
        encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        expectedBucketOwner: props.expectedBucketOwner,
      },
    },
  });
}
