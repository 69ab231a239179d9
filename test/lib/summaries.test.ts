import { type App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { Monitoring } from '../../lib/monitoring';
import { SearchDomain } from '../../lib/search-domain';
import { Summaries, type SummariesProps } from '../../lib/summaries';
import { stageConfig, testStack } from './app';

/** The construct in a fresh stack, not yet synthesised. */
function build(overrides: Partial<SummariesProps> = {}) {
  const stack = testStack();
  const search = new SearchDomain(stack, 'Search', {
    opensearch: stageConfig().opensearch,
    domainName: 'clickstream-test',
    logRetention: RetentionDays.TWO_WEEKS,
  });
  // In the app Firehose and the setup handler are named in the domain's policy; so is someone here.
  search.allow(new Role(stack, 'Writer', { assumedBy: new ServicePrincipal('firehose.amazonaws.com') }));
  const monitoring = new Monitoring(stack, 'Monitoring', {
    dashboardName: 'clickstream-test',
    alarms: stageConfig().alarms,
    deliveryStreamName: 'clickstream-test',
    transform: LambdaFunction.fromFunctionAttributes(stack, 'Transform', {
      functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:transform',
      sameEnvironment: true,
    }),
    transformMetrics: { namespace: 'Clickstream', service: 'clickstream-transform' },
    domain: search.domain,
  });
  const construct = new Summaries(stack, 'Summaries', {
    domain: search.domain,
    monitoring,
    latenessHorizonMinutes: 180,
    summaryScheduleMinutes: 15,
    logRetention: RetentionDays.TWO_WEEKS,
    ...overrides,
  });
  return { stack, construct, search, alarmTopic: monitoring.topic };
}

function summaries(overrides: Partial<SummariesProps> = {}) {
  const built = build(overrides);
  return { ...built, template: Template.fromStack(built.stack) };
}

/** The statements of the inline policy attached to a function's role. */
function policyStatementsOf(
  template: Template,
  stack: ReturnType<typeof testStack>,
  role: unknown,
): unknown[] {
  const roleRef = stack.resolve((role as { roleName: string }).roleName);
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [roleRef] } });
  return Object.values(policies).flatMap(
    (policy) =>
      (policy as { Properties: { PolicyDocument: { Statement: unknown[] } } }).Properties.PolicyDocument
        .Statement,
  );
}

describe('Summaries: the summary table', () => {
  it('is keyed by advertiser and window start, on demand, with point-in-time recovery and encryption', () => {
    const { template } = summaries();

    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: 'advertiser_id', KeyType: 'HASH' },
        { AttributeName: 'window_start', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
    });
  });

  it.each([
    [false, 'Retain', true],
    [true, 'Delete', false],
  ])(
    'with destroyOnRemoval %s is %s on removal, deletion protection %s',
    (destroyOnRemoval, policy, protection) => {
      const { template } = summaries({ destroyOnRemoval });

      template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: policy });
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        Replicas: [Match.objectLike({ DeletionProtectionEnabled: protection })],
      });
    },
  );
});

describe('Summaries: jobs', () => {
  it('encrypts both queues and refuses requests without TLS', () => {
    const { template } = summaries();

    expect(
      Object.keys(template.findResources('AWS::SQS::Queue', { Properties: { SqsManagedSseEnabled: true } })),
    ).toHaveLength(2);
    const denials = template.findResources('AWS::SQS::QueuePolicy', {
      Properties: {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      },
    });
    expect(Object.keys(denials)).toHaveLength(2);
  });

  it('sends a job to the DLQ after three failed receives', () => {
    const { stack, construct, template } = summaries();

    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: {
        deadLetterTargetArn: stack.resolve(construct.deadLetterQueue.queueArn),
        maxReceiveCount: 3,
      },
      VisibilityTimeout: 360,
    });
  });

  it('feeds the worker from the queue with partial batch failure reporting and bounded concurrency', () => {
    const { stack, construct, template } = summaries({ maxWorkerConcurrency: 20 });

    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: stack.resolve(construct.jobQueue.queueArn),
      FunctionName: stack.resolve(construct.worker.function.functionName),
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 20 },
    });
  });

  it.each([
    [15, 'rate(15 minutes)'],
    [1, 'rate(1 minute)'],
  ])('runs the dispatcher every %i minute(s) from the config', (summaryScheduleMinutes, expression) => {
    const { stack, construct, template } = summaries({ summaryScheduleMinutes });

    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: expression,
      Targets: [Match.objectLike({ Arn: stack.resolve(construct.dispatcher.function.functionArn) })],
    });
  });

  it('passes the lateness horizon, schedule and endpoints to the functions', () => {
    const { stack, construct, search, template } = summaries({ latenessHorizonMinutes: 240 });

    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          LATENESS_HORIZON_MINUTES: '240',
          SUMMARY_SCHEDULE_MINUTES: '15',
          OPENSEARCH_ENDPOINT: stack.resolve(search.domain.domainEndpoint),
          SUMMARY_TABLE_NAME: stack.resolve(construct.table.tableName),
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ JOB_QUEUE_URL: stack.resolve(construct.jobQueue.queueUrl) }),
      },
    });
  });
});

describe('Summaries: least privilege', () => {
  it('lets the dispatcher and the worker search events-* only', () => {
    const { stack, construct, search, template } = summaries();
    const search_ = {
      Effect: 'Allow',
      Action: ['es:ESHttpGet', 'es:ESHttpPost'],
      Resource: { 'Fn::Join': ['', [stack.resolve(search.domain.domainArn), '/events-*/_search']] },
    };

    for (const fn of [construct.dispatcher, construct.worker]) {
      const statements = policyStatementsOf(template, stack, fn.function.role);
      const openSearch = statements.filter((s) => JSON.stringify(s).includes('es:'));
      expect(openSearch).toEqual([search_]);
    }
  });

  it('lets the worker put items and nothing else on the table', () => {
    const { stack, construct, template } = summaries();

    const statements = policyStatementsOf(template, stack, construct.worker.function.role);

    expect(statements.filter((s) => JSON.stringify(s).includes('dynamodb:'))).toEqual([
      { Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: stack.resolve(construct.table.tableArn) },
    ]);
  });

  it('lets the API function query the table and do nothing else but write its logs', () => {
    const { stack, construct, template } = summaries();

    const statements = policyStatementsOf(template, stack, construct.apiFunction.function.role);

    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: stack.resolve(construct.apiFunction.logGroup.logGroupArn),
      },
      { Effect: 'Allow', Action: 'dynamodb:Query', Resource: stack.resolve(construct.table.tableArn) },
    ]);
  });
});

describe('Summaries: the API', () => {
  it('serves GET /advertisers/{advertiserId}/summaries with IAM authorisation', () => {
    const { template } = summaries();

    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /advertisers/{advertiserId}/summaries',
      AuthorizationType: 'AWS_IAM',
    });
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 1);
  });

  it('logs every request with the caller and throttles the stage', () => {
    const { template } = summaries();

    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AccessLogSettings: { Format: Match.stringLikeRegexp('identity.userArn') },
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
    });
  });
});

describe('Summaries: alarms', () => {
  // Pinned to the summaries' own queue and functions: the monitoring in the same stack alarms on Lambda errors too.
  it.each([
    [
      'ApproximateNumberOfMessagesVisible',
      'AWS/SQS',
      (c: Summaries) => ({ QueueName: c.deadLetterQueue.queueName }),
    ],
    ['Errors', 'AWS/Lambda', (c: Summaries) => ({ FunctionName: c.worker.function.functionName })],
    ['Errors', 'AWS/Lambda', (c: Summaries) => ({ FunctionName: c.dispatcher.function.functionName })],
    ['5xx', 'AWS/ApiGateway', (c: Summaries) => ({ ApiId: c.api.apiId })],
  ])('alarms on %s (%s) and notifies the alarm topic', (metric, namespace, dimensionOf) => {
    const { stack, construct, alarmTopic, template } = summaries();
    const [[name, value]] = Object.entries(dimensionOf(construct)) as [[string, string]];

    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: metric,
      Namespace: namespace,
      Dimensions: [{ Name: name, Value: stack.resolve(value) }],
      Threshold: 1,
      AlarmActions: [stack.resolve(alarmTopic.topicArn)],
      OKActions: [stack.resolve(alarmTopic.topicArn)],
    });
  });

  it('watches the DLQ, the worker, the dispatcher and the API', () => {
    const { construct } = summaries();

    expect(construct.alarms.map((alarm) => alarm.node.id)).toEqual([
      'DeadLetterJobs',
      'WorkerErrors',
      'DispatcherErrors',
      'ApiServerErrors',
    ]);
  });

  it('shows its alarms on the monitoring dashboard', () => {
    const { stack, construct, template } = summaries();

    template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardBody: {
        'Fn::Join': [
          '',
          Match.arrayWith(construct.alarms.map((alarm) => stack.resolve(alarm.alarmArn) as unknown)),
        ],
      },
    });
  });
});

describe('Summaries: cdk-nag', () => {
  it('has no unacknowledged AwsSolutions finding', () => {
    const { stack } = build();
    const app = stack.node.root as App;
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));

    expect(() => app.synth()).not.toThrow();
  });
});
