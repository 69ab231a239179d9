import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { AttributeType, Billing, StreamViewType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IDomain } from 'aws-cdk-lib/aws-opensearchservice';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SUMMARY_TABLE_KEY } from '../lambdas/aggregator/dynamodb/summary-table';
import { EVENTS_INDEX_PATTERN } from '../lambdas/aggregator/opensearch/requests';
import { ClickstreamFunction } from './lambda-function';
import type { AlarmSink } from './monitoring';
import { acknowledgeNag, nagArn } from './nag';
import { stageAccessLogs } from './stage-access-logs';
import { removalPolicyFor } from './stateful';

export interface SummariesProps {
  /** The domain whose `events-*` indices the dispatcher and the workers read. */
  readonly domain: IDomain;
  /** Takes every alarm (DLQ depth, worker and dispatcher errors) to the alarm topic and the dashboard. */
  readonly monitoring: AlarmSink;
  /** How long after a window ends late events still change it (stage config). */
  readonly latenessHorizonMinutes: number;
  /** Minutes between summary runs, 1 to 60 (stage config). */
  readonly summaryScheduleMinutes: number;
  /** Retention of the functions' and the API's log groups. */
  readonly logRetention: RetentionDays;
  /**
   * Worker instances at once: bounds the aggregation load on the domain. At about 0.2 s a job,
   * 50 workers summarise some 250 advertisers a second.
   * @default 50
   */
  readonly maxWorkerConcurrency?: number;
  /**
   * Delete the summary table and the log groups with the stack.
   * @default false
   */
  readonly destroyOnRemoval?: boolean;
}

// A job takes well under a second; a minute covers a slow domain and the SDK's retries.
const WORKER_TIMEOUT = Duration.minutes(1);
// Poison jobs (and jobs that keep failing) go to the DLQ after this many receives.
const MAX_RECEIVE_COUNT = 3;

/**
 * Per-advertiser 15-minute summaries: an EventBridge schedule runs the dispatcher, which enqueues
 * one SQS job per advertiser active within the lateness horizon; workers aggregate each
 * advertiser's windows in OpenSearch and upsert them into DynamoDB; an IAM-authorised HTTP API
 * serves them. Poison jobs land in a DLQ with an alarm.
 */
export class Summaries extends Construct {
  readonly table: TableV2;
  readonly jobQueue: Queue;
  readonly deadLetterQueue: Queue;
  readonly dispatcher: ClickstreamFunction;
  readonly worker: ClickstreamFunction;
  readonly apiFunction: ClickstreamFunction;
  readonly api: HttpApi;
  readonly schedule: Rule;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: SummariesProps) {
    super(scope, id);
    const destroy = props.destroyOnRemoval ?? false;
    const removalPolicy = removalPolicyFor(destroy);
    const functionDefaults = { logRetention: props.logRetention, destroyLogsOnRemoval: destroy };
    const summarySettings = {
      LATENESS_HORIZON_MINUTES: String(props.latenessHorizonMinutes),
      SUMMARY_SCHEDULE_MINUTES: String(props.summaryScheduleMinutes),
      OPENSEARCH_ENDPOINT: props.domain.domainEndpoint,
      POWERTOOLS_METRICS_NAMESPACE: 'Clickstream',
    };

    // AWS-owned keys would not show in the account; an AWS-managed key is auditable in CloudTrail
    // at no cost. A customer-managed key buys key-policy control and cross-account use, neither of
    // which summaries need, for a monthly fee and a key policy to maintain.
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: SUMMARY_TABLE_KEY.partitionKey, type: AttributeType.STRING },
      sortKey: { name: SUMMARY_TABLE_KEY.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryptionV2.awsManagedKey(),
      deletionProtection: !destroy,
      removalPolicy,
      // Each stored window, as written, for the live push (lib/live-updates.ts).
      dynamoStream: StreamViewType.NEW_IMAGE,
    });

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.jobQueue = new Queue(this, 'JobQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS recommends six times the function timeout, so retries of a throttled batch stay invisible.
      visibilityTimeout: Duration.seconds(WORKER_TIMEOUT.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    this.dispatcher = new ClickstreamFunction(this, 'Dispatcher', {
      ...functionDefaults,
      entry: fileURLToPath(new URL('../lambdas/aggregator/dispatcher/handler.ts', import.meta.url)),
      description: 'Enqueues one summary job per advertiser active within the lateness horizon',
      // 100,000 advertisers: 100 listing pages and 10,000 SendMessageBatch calls, 10 in flight.
      timeout: Duration.minutes(5),
      environment: {
        ...summarySettings,
        JOB_QUEUE_URL: this.jobQueue.queueUrl,
        POWERTOOLS_SERVICE_NAME: 'clickstream-summary-dispatcher',
      },
    });
    this.jobQueue.grantSendMessages(this.dispatcher.function);

    this.worker = new ClickstreamFunction(this, 'Worker', {
      ...functionDefaults,
      entry: fileURLToPath(new URL('../lambdas/aggregator/worker/handler.ts', import.meta.url)),
      description: "Aggregates one advertiser's 15-minute windows in OpenSearch and upserts the summaries",
      memorySize: 512,
      timeout: WORKER_TIMEOUT,
      environment: {
        ...summarySettings,
        SUMMARY_TABLE_NAME: this.table.tableName,
        POWERTOOLS_SERVICE_NAME: 'clickstream-summary-worker',
      },
    });
    this.worker.function.addEventSource(
      new SqsEventSource(this.jobQueue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        maxConcurrency: props.maxWorkerConcurrency ?? 50,
      }),
    );
    // Conditional puts only: no reads, updates, deletes or batch writes.
    this.table.grant(this.worker.function, 'dynamodb:PutItem');

    for (const reader of [this.dispatcher, this.worker]) this.allowEventSearch(reader, props.domain);

    this.schedule = new Rule(this, 'Schedule', {
      description: 'Runs the summary dispatcher',
      schedule: Schedule.rate(Duration.minutes(props.summaryScheduleMinutes)),
      targets: [
        new LambdaFunction(this.dispatcher.function, {
          retryAttempts: 2,
          // A run older than one period is superseded by the next one.
          maxEventAge: Duration.minutes(Math.max(props.summaryScheduleMinutes, 1)),
        }),
      ],
    });

    this.apiFunction = new ClickstreamFunction(this, 'ApiFunction', {
      ...functionDefaults,
      entry: fileURLToPath(new URL('../lambdas/summary-api/handler.ts', import.meta.url)),
      description: 'GET /advertisers/{advertiserId}/summaries',
      timeout: Duration.seconds(10),
      environment: {
        SUMMARY_TABLE_NAME: this.table.tableName,
        POWERTOOLS_SERVICE_NAME: 'clickstream-summary-api',
      },
    });
    this.table.grant(this.apiFunction.function, 'dynamodb:Query');
    this.api = this.createApi(this.apiFunction.function, props.logRetention, destroy);

    this.addAlarm(
      props.monitoring,
      'DeadLetterJobs',
      this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      'Summary jobs failed on every attempt and wait in the DLQ: inspect, fix, then redrive them',
    );
    this.addAlarm(
      props.monitoring,
      'WorkerErrors',
      this.worker.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      'The summary worker failed invocations (a whole batch failed): summaries are going stale',
    );
    this.addAlarm(
      props.monitoring,
      'DispatcherErrors',
      this.dispatcher.function.metricErrors({ period: Duration.minutes(15), statistic: 'Sum' }),
      'The summary dispatcher failed: no jobs were enqueued for this run',
    );
    this.addAlarm(
      props.monitoring,
      'ApiServerErrors',
      this.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
      'The summary API answered 5xx (the function failed or timed out): callers get no summaries',
    );
  }

  /** Lets a function search the event-day indices, and nothing else on the domain. */
  private allowEventSearch(reader: ClickstreamFunction, domain: IDomain): void {
    // Searches carry a body, so the client POSTs them; GET covers searches without one.
    reader.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['es:ESHttpGet', 'es:ESHttpPost'],
        resources: [`${domain.domainArn}/${EVENTS_INDEX_PATTERN}/_search`],
      }),
    );
    acknowledgeNag(
      reader.function.role!,
      `IAM5[Resource::${nagArn(domain)}/${EVENTS_INDEX_PATTERN}/_search]`,
      'Search on the event-day indices only: they are named events-YYYY-MM-DD by date, so they cannot be listed',
    );
  }

  private createApi(handler: IFunction, logRetention: RetentionDays, destroyOnRemoval: boolean): HttpApi {
    const api = new HttpApi(this, 'Api', {
      description: 'Per-advertiser 15-minute summaries (IAM-authorised)',
      createDefaultStage: false,
    });
    api.addRoutes({
      path: '/advertisers/{advertiserId}/summaries',
      methods: [HttpMethod.GET],
      integration: new HttpLambdaIntegration('Summaries', handler),
      authorizer: new HttpIamAuthorizer(),
    });
    new HttpStage(this, 'ApiStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 100, burstLimit: 200 },
      // HTTP API context variables.
      accessLogSettings: stageAccessLogs(this, 'ApiAccessLogs', logRetention, destroyOnRemoval, {
        route: '$context.routeKey',
        path: '$context.path',
        status: '$context.status',
        latencyMs: '$context.responseLatency',
        error: '$context.integrationErrorMessage',
      }),
    });
    return api;
  }

  /** An alarm at the first occurrence of `metric`, handed to the monitoring. */
  private addAlarm(monitoring: AlarmSink, id: string, metric: IMetric, description: string): void {
    const alarm = new Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    monitoring.addAlarm(alarm);
    this.alarms.push(alarm);
  }
}
