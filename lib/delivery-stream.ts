import { Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnDeliveryStream } from 'aws-cdk-lib/aws-kinesisfirehose';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type LogGroup, LogStream, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LAKE_LAYOUT } from '../contract/index';
import { SEARCH_INDICES } from '../lambdas/opensearch-setup/documents';
import type { FirehoseConfig } from './config';
import { acknowledgeNag, nagArn } from './nag';
import type { SearchDomain } from './search-domain';
import { stageLogGroup } from './stateful';

export interface EventDeliveryStreamProps {
  readonly deliveryStreamName: string;
  readonly firehose: FirehoseConfig;
  /** The transform Lambda (lambdas/transform) Firehose invokes on every batch. */
  readonly processor: IFunction;
  readonly search: SearchDomain;
  /** The lake bucket: every record is backed up there, failures go under errors/. */
  readonly lake: IBucket;
  readonly logRetention: RetentionDays;
  /** @default false */
  readonly destroyOnRemoval?: boolean;
}

const DESTINATION_LOG_STREAM = 'OpenSearchDelivery';
const BACKUP_LOG_STREAM = 'S3Delivery';

/**
 * The Firehose delivery stream (Direct PUT; L1, as the L2 has no OpenSearch destination). Every
 * batch passes through the transform Lambda, goes to the domain's `incoming` index (rotated daily)
 * and, with backup mode AllDocuments, to the lake under the hive-style prefixes of LAKE_LAYOUT.
 */
export class EventDeliveryStream extends Construct {
  readonly deliveryStream: CfnDeliveryStream;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly deliveryStreamName: string;

  constructor(scope: Construct, id: string, props: EventDeliveryStreamProps) {
    super(scope, id);
    const { firehose } = props;
    const account = Stack.of(this).account;

    this.logGroup = stageLogGroup(this, 'Logs', props.logRetention, props.destroyOnRemoval);
    for (const streamName of [DESTINATION_LOG_STREAM, BACKUP_LOG_STREAM]) {
      new LogStream(this, streamName, { logGroup: this.logGroup, logStreamName: streamName });
    }

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('firehose.amazonaws.com', {
        conditions: { StringEquals: { 'sts:ExternalId': account } },
      }),
      description: 'Firehose: invoke the transform, write to OpenSearch and the lake, log errors',
    });
    props.lake.grantPut(this.role);
    props.lake.grantRead(this.role);
    props.processor.grantInvoke(this.role);
    this.logGroup.grantWrite(this.role);
    const grantReasons: [string, string][] = [
      [
        `Resource::${nagArn(props.lake)}/*`,
        'Firehose writes objects under dated prefixes of the lake bucket only',
      ],
      ['Action::s3:Abort*', 'grantPut: Firehose aborts its own failed multipart uploads'],
      ['Action::s3:GetBucket*', 'grantRead on the lake bucket: Firehose checks the bucket location'],
      ['Action::s3:GetObject*', 'grantRead on the lake bucket: Firehose reads back multipart parts'],
      ['Action::s3:List*', 'grantRead on the lake bucket: Firehose lists its multipart uploads'],
      [`Resource::${nagArn(props.processor)}:*`, 'grantInvoke on the transform function covers its versions'],
    ];
    for (const [finding, reason] of grantReasons) acknowledgeNag(this.role, `IAM5[${finding}]`, reason);
    props.search.allow(this.role);
    // No grant* exists for these: Firehose checks the function and the domain before delivering.
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['lambda:GetFunctionConfiguration'],
        resources: [props.processor.functionArn],
      }),
    );
    const { policyDependable: rolePolicy } = this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['es:DescribeDomain', 'es:DescribeDomains', 'es:DescribeDomainConfig'],
        resources: [props.search.domain.domainArn, `${props.search.domain.domainArn}/*`],
      }),
    );

    const logging = (logStreamName: string) => ({
      enabled: true,
      logGroupName: this.logGroup.logGroupName,
      logStreamName,
    });

    this.deliveryStreamName = props.deliveryStreamName;
    this.deliveryStream = new CfnDeliveryStream(this, 'Resource', {
      deliveryStreamName: props.deliveryStreamName,
      deliveryStreamType: 'DirectPut',
      // Records are encrypted while Firehose holds them (up to its 24 h retention).
      deliveryStreamEncryptionConfigurationInput: { keyType: 'AWS_OWNED_CMK' },
      amazonopensearchserviceDestinationConfiguration: {
        domainArn: props.search.domain.domainArn,
        roleArn: this.role.roleArn,
        indexName: SEARCH_INDICES.incoming,
        indexRotationPeriod: 'OneDay',
        // The ingest pipeline sets _id from event_id (it overrides a Firehose-generated id too, as the
        // engine suite shows); sending none keeps the bulk requests smaller.
        documentIdOptions: { defaultDocumentIdFormat: 'NO_DOCUMENT_ID' },
        bufferingHints: {
          sizeInMBs: firehose.bufferSizeMiB,
          intervalInSeconds: firehose.bufferIntervalSeconds,
        },
        retryOptions: { durationInSeconds: firehose.retryDurationSeconds },
        s3BackupMode: 'AllDocuments',
        s3Configuration: {
          bucketArn: props.lake.bucketArn,
          roleArn: this.role.roleArn,
          prefix: LAKE_LAYOUT.eventsPrefix,
          errorOutputPrefix: LAKE_LAYOUT.errorsPrefix,
          compressionFormat: 'GZIP',
          bufferingHints: {
            sizeInMBs: firehose.backupBufferSizeMiB,
            intervalInSeconds: firehose.backupBufferIntervalSeconds,
          },
          cloudWatchLoggingOptions: logging(BACKUP_LOG_STREAM),
        },
        processingConfiguration: {
          enabled: true,
          processors: [
            {
              type: 'Lambda',
              parameters: [
                { parameterName: 'LambdaArn', parameterValue: props.processor.functionArn },
                { parameterName: 'BufferSizeInMBs', parameterValue: String(firehose.processorBufferSizeMiB) },
                {
                  parameterName: 'BufferIntervalInSeconds',
                  parameterValue: String(firehose.processorBufferIntervalSeconds),
                },
                { parameterName: 'NumberOfRetries', parameterValue: '3' },
              ],
            },
          ],
        },
        cloudWatchLoggingOptions: logging(DESTINATION_LOG_STREAM),
      },
    });
    // Firehose validates its permissions on creation: the role's policy must exist first. The role
    // itself is ordered by the GetAtt of its ARN (naming it in DependsOn too is cfn-lint W3005).
    if (rolePolicy !== undefined) this.deliveryStream.node.addDependency(rolePolicy);
  }
}
