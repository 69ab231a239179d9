import { RemovalPolicy } from 'aws-cdk-lib';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, BucketEncryption, type BucketProps, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/** Stateful resources are destroyed with the stack only when the stage says so (dev); else retained. */
export function removalPolicyFor(destroyOnRemoval = false): RemovalPolicy {
  return destroyOnRemoval ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}

/** A log group with the stage's retention, retained with the stack unless the stage destroys. */
export function stageLogGroup(
  scope: Construct,
  id: string,
  retention: RetentionDays,
  destroyOnRemoval = false,
): LogGroup {
  return new LogGroup(scope, id, { retention, removalPolicy: removalPolicyFor(destroyOnRemoval) });
}

/**
 * What every bucket of the app shares: SSE-S3 encryption, Block Public Access, TLS-only bucket
 * policy, no ACLs (bucket owner enforced), and emptied and deleted with the stack only when the
 * stage destroys.
 */
export function privateBucketProps(destroyOnRemoval = false): BucketProps {
  return {
    encryption: BucketEncryption.S3_MANAGED,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: removalPolicyFor(destroyOnRemoval),
    autoDeleteObjects: destroyOnRemoval,
  };
}
