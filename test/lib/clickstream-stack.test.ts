import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import type { ClickstreamStack } from '../../lib/clickstream-stack';
import { clickstreamStack } from './app';

// One synthesis per stage for the whole file: these tests only read the same stack.
const built = new Map<string, { stack: ClickstreamStack; template: Template }>();
function stage(name: 'dev' | 'prod') {
  let entry = built.get(name);
  if (entry === undefined) {
    const stack = clickstreamStack(name);
    entry = { stack, template: Template.fromStack(stack) };
    built.set(name, entry);
  }
  return entry;
}

describe('ClickstreamStack wiring', () => {
  it('sizes the transform for a full Firehose batch, without reserved concurrency', () => {
    const { stack, template } = stage('prod');

    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: Match.absent(),
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: stack.config.transform.memoryMiB,
      Timeout: stack.config.transform.timeoutSeconds,
      ReservedConcurrentExecutions: Match.absent(),
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'clickstream-transform',
          NODE_OPTIONS: '--enable-source-maps',
        }),
      },
    });
  });

  it.each(['dev', 'prod'] as const)(
    'gives the %s transform its past limit on event_time: 30 days',
    (name) => {
      const { template } = stage(name);

      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ MAX_EVENT_AGE_DAYS: '30' }) },
      });
    },
  );

  it('passes transform.maxEventAgeDays to the transform', () => {
    const template = Template.fromStack(clickstreamStack('dev', { transform: { maxEventAgeDays: 45 } }));

    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ MAX_EVENT_AGE_DAYS: '45' }) },
    });
  });

  it('makes the transform the Firehose processor', () => {
    const { stack, template } = stage('dev');

    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      AmazonopensearchserviceDestinationConfiguration: Match.objectLike({
        ProcessingConfiguration: Match.objectLike({
          Processors: [
            Match.objectLike({
              Parameters: Match.arrayWith([
                {
                  ParameterName: 'LambdaArn',
                  ParameterValue: stack.resolve(stack.transform.function.functionArn),
                },
              ]),
            }),
          ],
        }),
      }),
    });
  });

  it('creates the delivery stream only after the domain is set up', () => {
    const { template } = stage('dev');

    const [setupId] = Object.keys(template.findResources('Custom::OpenSearchSetup'));

    template.hasResource('AWS::KinesisFirehose::DeliveryStream', { DependsOn: Match.arrayWith([setupId]) });
  });

  it('lets exactly the Firehose and setup roles write to the domain', () => {
    const { stack, template } = stage('dev');
    const setupRole = stack.node.findChild('SearchSetup').node.findChild('Handler').node.findChild('Role');

    template.hasResourceProperties('AWS::OpenSearchService::Domain', {
      AccessPolicies: {
        Statement: [
          {
            Action: 'es:ESHttp*',
            Effect: 'Allow',
            Principal: {
              AWS: [
                stack.resolve((setupRole as typeof stack.delivery.role).roleArn),
                stack.resolve(stack.delivery.role.roleArn),
              ],
            },
            Resource: Match.anyValue(),
          },
        ],
      },
    });
  });

  it.each([
    ['dev', 'Delete'],
    ['prod', 'Retain'],
  ] as const)('%s stage buckets and domain have deletion policy %s', (name, policy) => {
    const { template } = stage(name);

    for (const type of ['AWS::S3::Bucket', 'AWS::OpenSearchService::Domain', 'AWS::Logs::LogGroup']) {
      const resources = Object.values(template.findResources(type));
      expect(resources.length).toBeGreaterThan(0);
      expect(resources.every((resource) => resource.DeletionPolicy === policy)).toBe(true);
    }
  });

  it('sets a retention on every log group', () => {
    const { template } = stage('prod');

    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));

    expect(groups.every((group) => group.Properties.RetentionInDays === 90)).toBe(true);
  });

  it('shows every alarm of the stack on the dashboard and sends it to the alarm topic', () => {
    const { stack, template } = stage('dev');
    const topicArn = stack.resolve(stack.alarmTopic.topicArn);

    const alarms = template.findResources('AWS::CloudWatch::Alarm');

    expect(Object.keys(alarms).length).toBeGreaterThan(0);
    for (const alarm of Object.values(alarms)) {
      expect(alarm.Properties.AlarmActions).toEqual([topicArn]);
      expect(alarm.Properties.OKActions).toEqual([topicArn]);
    }
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardBody: {
        'Fn::Join': ['', Match.arrayWith(Object.keys(alarms).map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })))],
      },
    });
  });

  it('encrypts, blocks public access to and requires TLS on every bucket', () => {
    const { template } = stage('prod');

    const buckets = template.findResources('AWS::S3::Bucket');
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));

    for (const [id, bucket] of Object.entries(buckets)) {
      expect(bucket.Properties.BucketEncryption).toBeDefined();
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      const policy = policies.find((candidate) => JSON.stringify(candidate.Properties.Bucket).includes(id));
      expect(JSON.stringify(policy?.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('outputs what a user needs after deploying', () => {
    const { template } = stage('dev');

    for (const output of [
      'DeliveryStreamName',
      'LakeBucketName',
      'OpenSearchEndpoint',
      'AthenaWorkGroup',
      'GlueDatabase',
      'SummaryApiUrl',
      'SummaryTableName',
    ]) {
      template.hasOutput(output, Match.anyValue());
    }
  });

  it('names resources after the stage', () => {
    const { template } = stage('prod');

    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamName: 'clickstream-prod',
    });
    template.hasResourceProperties('AWS::OpenSearchService::Domain', { DomainName: 'clickstream-prod' });
    template.hasResourceProperties('AWS::Athena::WorkGroup', { Name: 'clickstream-prod' });
    template.hasResourceProperties('AWS::Glue::Database', {
      DatabaseInput: { Name: 'clickstream_prod', Description: Match.anyValue() },
    });
  });
});
