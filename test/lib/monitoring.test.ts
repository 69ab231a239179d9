import { Match, Template } from 'aws-cdk-lib/assertions';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { Monitoring } from '../../lib/monitoring';
import { SearchDomain } from '../../lib/search-domain';
import { stageConfig, testStack } from './app';

function monitoring(alarmEmail?: string) {
  const stack = testStack();
  const config = stageConfig('dev');
  const search = new SearchDomain(stack, 'Search', {
    opensearch: config.opensearch,
    domainName: 'clickstream-test',
    logRetention: RetentionDays.ONE_WEEK,
  });
  const transform = LambdaFunction.fromFunctionAttributes(stack, 'Transform', {
    functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:transform',
    sameEnvironment: true,
  });
  const construct = new Monitoring(stack, 'Monitoring', {
    dashboardName: 'clickstream-test',
    alarms: config.alarms,
    ...(alarmEmail === undefined ? {} : { alarmEmail }),
    deliveryStreamName: 'clickstream-test',
    transform,
    transformMetrics: { namespace: 'Clickstream', service: 'clickstream-transform' },
    domain: search.domain,
  });
  return { stack, construct, template: Template.fromStack(stack) };
}

describe('Monitoring', () => {
  it('encrypts the alarm topic with a rotated customer managed key and requires TLS', () => {
    const { template } = monitoring();

    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('lets CloudWatch use the key to publish alarms', () => {
    const { template } = monitoring();

    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });

  it('subscribes the configured e-mail address', () => {
    const { template } = monitoring('ops@example.com');

    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });

  it('subscribes nobody without an address', () => {
    const { template } = monitoring();

    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  // The alarm tests below read the same stack: synthesised once for the file.
  const shared = monitoring();

  it.each([
    ['ExecuteProcessing.Success', 'Average', 0.99, 'LessThanThreshold'],
    ['DeliveryToAmazonOpenSearchService.Success', 'Average', 0.99, 'LessThanThreshold'],
    ['DeliveryToS3.Success', 'Average', 0.99, 'LessThanThreshold'],
    ['DeliveryToAmazonOpenSearchService.DataFreshness', 'Maximum', 900, 'GreaterThanThreshold'],
    ['DeliveryToS3.DataFreshness', 'Maximum', 900, 'GreaterThanThreshold'],
  ])('alarms on Firehose %s (%s) against %d', (metricName, statistic, threshold, comparison) => {
    const { stack, construct, template } = shared;

    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Firehose',
      MetricName: metricName,
      Statistic: statistic,
      Threshold: threshold,
      ComparisonOperator: comparison,
      Dimensions: [{ Name: 'DeliveryStreamName', Value: 'clickstream-test' }],
      AlarmActions: [stack.resolve(construct.topic.topicArn)],
    });
  });

  it.each([
    ['AWS/Lambda', 'Errors'],
    ['AWS/Lambda', 'Throttles'],
    ['AWS/ES', 'ClusterStatus.red'],
    ['AWS/ES', 'ClusterStatus.yellow'],
    ['AWS/ES', 'ClusterIndexWritesBlocked'],
  ])('alarms on %s %s at the first occurrence', (namespace, metricName) => {
    const { stack, construct, template } = shared;

    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: namespace,
      MetricName: metricName,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [stack.resolve(construct.topic.topicArn)],
      OKActions: [stack.resolve(construct.topic.topicArn)],
    });
  });

  it('alarms when Firehose throttles ingestion for 15 minutes', () => {
    const { stack, construct, template } = shared;

    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Firehose',
      MetricName: 'ThrottledRecords',
      Statistic: 'Sum',
      Threshold: 0,
      EvaluationPeriods: 3,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [stack.resolve(construct.topic.topicArn)],
    });
  });

  it('alarms when a data node runs low on storage', () => {
    const { template } = monitoring();

    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ES',
      MetricName: 'FreeStorageSpace',
      Statistic: 'Minimum',
      Threshold: 4096,
      ComparisonOperator: 'LessThanThreshold',
    });
  });

  it('graphs the transform outcomes from its Powertools metrics', () => {
    const { template } = shared;

    const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));

    for (const metricName of ['RecordsOk', 'RecordsDropped', 'RecordsProcessingFailed']) {
      expect(body).toContain(
        `[\\"Clickstream\\",\\"${metricName}\\",\\"service\\",\\"clickstream-transform\\"`,
      );
    }
  });

  it('shows every alarm on the dashboard', () => {
    const { template } = monitoring();

    const alarmIds = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));

    template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: 'clickstream-test',
      DashboardBody: {
        'Fn::Join': ['', Match.arrayWith(alarmIds.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })))],
      },
    });
  });
});
