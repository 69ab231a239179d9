import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { EVENT_COLUMNS, FAILED_RECORD_COLUMNS } from '../../contract/index';
import type { StageOverrides } from '../../lib/config';
import { EventLake } from '../../lib/event-lake';
import { stageConfig, testStack } from './app';

function lake(overrides: StageOverrides = {}) {
  const stack = testStack();
  const construct = new EventLake(stack, 'Lake', {
    lake: stageConfig('dev', overrides).lake,
    databaseName: 'clickstream_test',
  });
  return { stack, construct, template: Template.fromStack(stack) };
}

describe('EventLake bucket', () => {
  it('is encrypted, private and owner-enforced', () => {
    const { stack, construct, template } = lake();

    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: Match.absent(),
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: {
        DestinationBucketName: stack.resolve(construct.accessLogsBucket.bucketName),
        LogFilePrefix: 'lake/',
      },
    });
  });

  it('denies every request that does not use TLS', () => {
    const { stack, construct, template } = lake();

    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: stack.resolve(construct.bucket.bucketName),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('tiers events to infrequent access then Glacier and expires them, from the config', () => {
    const { template } = lake({
      lake: { eventsInfrequentAccessAfterDays: 45, eventsArchiveAfterDays: 100, eventsExpireAfterDays: 400 },
    });

    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Prefix: 'events/',
            Transitions: [
              { StorageClass: 'STANDARD_IA', TransitionInDays: 45 },
              { StorageClass: 'GLACIER_IR', TransitionInDays: 100 },
            ],
            ExpirationInDays: 400,
          }),
        ]),
      },
    });
  });

  it('keeps failed records in Standard and longer than events', () => {
    const { template } = lake();

    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'errors/', ExpirationInDays: 180, Transitions: Match.absent() }),
        ]),
      },
    });
  });

  it('sends access logs to an SSE-S3 bucket that expires them', () => {
    const { template } = lake();

    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 30 })] },
      LoggingConfiguration: Match.absent(),
    });
  });
});

describe('EventLake Glue tables', () => {
  it('declares one events column per contract column, with its Glue type', () => {
    const { template } = lake();

    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: 'events',
        StorageDescriptor: Match.objectLike({
          Columns: EVENT_COLUMNS.map((column) =>
            Match.objectLike({ Name: column.name, Type: column.glueType }),
          ),
        }),
      }),
    });
  });

  it('reads events with the strict Hive JSON SerDe from gzip text', () => {
    const { template } = lake();

    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: 'events',
        StorageDescriptor: Match.objectLike({
          InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          SerdeInfo: { SerializationLibrary: 'org.apache.hive.hcatalog.data.JsonSerDe' },
        }),
      }),
    });
  });

  it('projects the dt and hour partitions of the events prefix', () => {
    const { stack, construct, template } = lake();

    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: 'events',
        PartitionKeys: [
          Match.objectLike({ Name: 'dt', Type: 'string' }),
          Match.objectLike({ Name: 'hour', Type: 'string' }),
        ],
        Parameters: Match.objectLike({
          'projection.enabled': 'true',
          'projection.dt.type': 'date',
          'projection.dt.format': 'yyyy-MM-dd',
          'projection.dt.range': 'NOW-150DAYS,NOW',
          'projection.hour.type': 'integer',
          'projection.hour.range': '0,23',
          'projection.hour.digits': '2',
          'storage.location.template': {
            'Fn::Join': [
              '',
              [
                's3://',
                stack.resolve(construct.bucket.bucketName), // biome-ignore lint/suspicious/noTemplateCurlyInString: Athena's projection template syntax
                '/events/dt=${dt}/hour=${hour}/',
              ],
            ],
          },
        }),
      }),
    });
  });

  it('declares failed_events with the failed-record columns and an enum of error output types', () => {
    const { template } = lake();

    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: 'failed_events',
        StorageDescriptor: Match.objectLike({
          Columns: FAILED_RECORD_COLUMNS.map((column) => ({ Name: column.name, Type: column.glueType })),
          SerdeInfo: Match.objectLike({ SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' }),
        }),
        PartitionKeys: [
          Match.objectLike({ Name: 'error_output_type', Type: 'string' }),
          Match.objectLike({ Name: 'dt', Type: 'string' }),
        ],
        Parameters: Match.objectLike({
          'projection.error_output_type.type': 'enum',
          // Firehose's own folder names (developer guide, custom prefixes), in the contract's order.
          'projection.error_output_type.values': 'processing-failed,AmazonOpenSearchService-failed',
          'projection.dt.range': 'NOW-180DAYS,NOW',
        }),
      }),
    });
  });

  it('puts both tables in the lake database', () => {
    const { template } = lake();

    const tables = template.findResources('AWS::Glue::Table', {
      Properties: { DatabaseName: 'clickstream_test' },
    });

    expect(Object.keys(tables)).toHaveLength(2);
  });

  it('retains the buckets unless the stage destroys on removal', () => {
    const { template } = lake();

    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});
