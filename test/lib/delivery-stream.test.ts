import { Match, Template } from 'aws-cdk-lib/assertions';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, it } from 'vitest';
import { LAKE_LAYOUT } from '../../contract/index';
import type { StageOverrides } from '../../lib/config';
import { EventDeliveryStream } from '../../lib/delivery-stream';
import { SearchDomain } from '../../lib/search-domain';
import { stageConfig, testStack } from './app';

const TRANSFORM_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:transform';

function delivery(overrides: StageOverrides = {}) {
  const stack = testStack();
  const config = stageConfig('dev', overrides);
  const search = new SearchDomain(stack, 'Search', {
    opensearch: config.opensearch,
    domainName: 'clickstream-test',
    logRetention: RetentionDays.ONE_WEEK,
  });
  const lake = new Bucket(stack, 'Lake');
  const processor = LambdaFunction.fromFunctionAttributes(stack, 'Transform', {
    functionArn: TRANSFORM_ARN,
    sameEnvironment: true,
  });
  const construct = new EventDeliveryStream(stack, 'Delivery', {
    deliveryStreamName: 'clickstream-test',
    firehose: config.firehose,
    processor,
    search,
    lake,
    logRetention: RetentionDays.ONE_WEEK,
  });
  return { stack, search, lake, construct, template: Template.fromStack(stack) };
}

const destination = (properties: Record<string, unknown>) => ({
  AmazonopensearchserviceDestinationConfiguration: Match.objectLike(properties),
});

describe('EventDeliveryStream', () => {
  it('is a Direct PUT stream encrypted at rest', () => {
    const { template } = delivery();

    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamName: 'clickstream-test',
      DeliveryStreamType: 'DirectPut',
      DeliveryStreamEncryptionConfigurationInput: { KeyType: 'AWS_OWNED_CMK' },
    });
  });

  it('delivers to the incoming index of the domain, rotated daily, without Firehose document ids', () => {
    const { stack, search, template } = delivery();

    template.hasResourceProperties(
      'AWS::KinesisFirehose::DeliveryStream',
      destination({
        DomainARN: stack.resolve(search.domain.domainArn),
        IndexName: 'incoming',
        IndexRotationPeriod: 'OneDay',
        DocumentIdOptions: { DefaultDocumentIdFormat: 'NO_DOCUMENT_ID' },
      }),
    );
  });

  it('takes the buffering and the retry duration from the config', () => {
    const { template } = delivery({
      firehose: { bufferSizeMiB: 8, bufferIntervalSeconds: 120, retryDurationSeconds: 900 },
    });

    template.hasResourceProperties(
      'AWS::KinesisFirehose::DeliveryStream',
      destination({
        BufferingHints: { SizeInMBs: 8, IntervalInSeconds: 120 },
        RetryOptions: { DurationInSeconds: 900 },
      }),
    );
  });

  it('runs every batch through the transform with explicit processor buffering', () => {
    const { template } = delivery({
      firehose: { processorBufferSizeMiB: 0.5, processorBufferIntervalSeconds: 90 },
    });

    template.hasResourceProperties(
      'AWS::KinesisFirehose::DeliveryStream',
      destination({
        ProcessingConfiguration: {
          Enabled: true,
          Processors: [
            {
              Type: 'Lambda',
              Parameters: Match.arrayWith([
                { ParameterName: 'LambdaArn', ParameterValue: TRANSFORM_ARN },
                { ParameterName: 'BufferSizeInMBs', ParameterValue: '0.5' },
                { ParameterName: 'BufferIntervalInSeconds', ParameterValue: '90' },
              ]),
            },
          ],
        },
      }),
    );
  });

  it('backs every document up to the lake under the hive-style prefixes, gzipped', () => {
    const { stack, lake, template } = delivery();

    template.hasResourceProperties(
      'AWS::KinesisFirehose::DeliveryStream',
      destination({
        S3BackupMode: 'AllDocuments',
        S3Configuration: Match.objectLike({
          BucketARN: stack.resolve(lake.bucketArn),
          Prefix: 'events/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/',
          ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/',
          CompressionFormat: 'GZIP',
        }),
      }),
    );
  });

  it('uses the lake layout of the contract', () => {
    const { template } = delivery();

    template.hasResourceProperties(
      'AWS::KinesisFirehose::DeliveryStream',
      destination({
        S3Configuration: Match.objectLike({
          Prefix: LAKE_LAYOUT.eventsPrefix,
          ErrorOutputPrefix: LAKE_LAYOUT.errorsPrefix,
        }),
      }),
    );
  });

  it('logs delivery errors of both destinations to CloudWatch', () => {
    const { stack, construct, template } = delivery();
    const logging = (stream: string) => ({
      Enabled: true,
      LogGroupName: stack.resolve(construct.logGroup.logGroupName),
      LogStreamName: stream,
    });

    template.hasResourceProperties(
      'AWS::KinesisFirehose::DeliveryStream',
      destination({
        CloudWatchLoggingOptions: logging('OpenSearchDelivery'),
        S3Configuration: Match.objectLike({ CloudWatchLoggingOptions: logging('S3Delivery') }),
      }),
    );
  });

  it('lets only Firehose, for this account, assume its role', () => {
    const { template } = delivery();

    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'firehose.amazonaws.com' },
            Condition: { StringEquals: { 'sts:ExternalId': Match.anyValue() } },
          }),
        ],
      },
    });
  });

  it('grants its role invoke on the transform and write on the lake', () => {
    const { stack, construct, template } = delivery();

    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [stack.resolve(construct.role.roleName)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: Match.arrayWith(['s3:PutObject']) }),
          Match.objectLike({ Action: 'lambda:InvokeFunction', Resource: Match.arrayWith([TRANSFORM_ARN]) }),
        ]),
      },
    });
  });

  it("adds its role to the domain's access policy", () => {
    const { stack, construct, template } = delivery();

    template.hasResourceProperties('AWS::OpenSearchService::Domain', {
      AccessPolicies: {
        Statement: [Match.objectLike({ Principal: { AWS: stack.resolve(construct.role.roleArn) } })],
      },
    });
  });

  it('is created only after its role policy exists', () => {
    const { template } = delivery();

    const [policyId] = Object.keys(template.findResources('AWS::IAM::Policy'));

    template.hasResource('AWS::KinesisFirehose::DeliveryStream', { DependsOn: Match.arrayWith([policyId]) });
  });
});
