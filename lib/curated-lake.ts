import { fileURLToPath } from 'node:url';
import { ArnFormat, Aws, Duration, Stack } from 'aws-cdk-lib';
import type { CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  Choice,
  Condition,
  CustomState,
  DefinitionBody,
  type IChainable,
  JsonPath,
  LogLevel,
  StateMachine,
  Succeed,
  TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions';
import { CallAwsService, LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { CURATED_EVENTS_TABLE, EVENTS_EXACT_VIEW } from '../analytics/lake-tables';
import { LAKE_LAYOUT } from '../contract/index';
import { enforcedWorkGroup } from './athena-workgroup';
import { acknowledgeCfnLint } from './cfn-lint';
import type { CuratedLakeConfig } from './config';
import { ClickstreamFunction } from './lambda-function';
import type { AlarmSink } from './monitoring';
import { acknowledgeNag, nagArn } from './nag';
import { stageLogGroup } from './stateful';

export interface CuratedLakeProps {
  readonly config: CuratedLakeConfig;
  /** Physical-name prefix (`clickstream-<stage>`): the workgroup and the state machine are named after it. */
  readonly name: string;
  /** The lake bucket: raw objects under `events/`, the Iceberg table under `curated/`, the watermark record. */
  readonly bucket: IBucket;
  /** The Glue database of the raw `events` table; `curated_events` and `events_exact` are created in it. */
  readonly databaseName: string;
  /** Where the compaction workgroup writes query results (under `compaction/`). */
  readonly resultsBucket: IBucket;
  /** The raw table's projected range (lake.eventsExpireAfterDays): where a first run starts. */
  readonly rawRetentionDays: number;
  /** transform.maxEventAgeDays: the event days a merge can still reach, which OPTIMIZE revisits. */
  readonly maxEventAgeDays: number;
  readonly monitoring: AlarmSink;
  readonly logRetention: RetentionDays;
  /** @default false */
  readonly destroyOnRemoval?: boolean;
}

/** The Iceberg table's folder: VACUUM removes any file under it that no snapshot references. */
export const CURATED_PREFIX = 'curated/';
/** The watermark record: outside the table's folder for that reason. */
export const WATERMARK_KEY = 'compaction/watermark.json';
const RESULTS_PREFIX = 'compaction/';
const METRICS = { namespace: 'Clickstream', service: 'clickstream-curated-compaction' } as const;

/**
 * The curated lake on AWS (issue 14, docs/curated-lake.md): a scheduled Step Functions state machine
 * that keeps the Iceberg table `curated_events` up to date with Athena. Each run plans (a Lambda
 * reads the watermark and renders the SQL of analytics/compaction-sql.ts), creates the table if
 * missing, MERGEs the new raw arrivals, records the watermark, then re-creates the `events_exact`
 * view at it. A slower schedule runs OPTIMIZE and VACUUM. Queries run in a workgroup of their own
 * with its own scan cutoff; alarms fire on a failed run and on a watermark that stopped moving.
 */
export class CuratedLake extends Construct {
  readonly workGroup: CfnWorkGroup;
  readonly planner: ClickstreamFunction;
  readonly stateMachine: StateMachine;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: CuratedLakeProps) {
    super(scope, id);
    const { config, bucket } = props;
    const stack = Stack.of(this);
    const destroy = props.destroyOnRemoval ?? false;
    const workGroupName = `${props.name}-compaction`;
    const stateMachineName = `${props.name}-curated-lake`;

    this.workGroup = enforcedWorkGroup(this, 'WorkGroup', {
      name: workGroupName,
      description: 'Clickstream curated lake: the compaction, maintenance and erasure statements',
      bytesScannedCutoffPerQuery: config.bytesScannedCutoffPerQuery,
      outputLocation: props.resultsBucket.s3UrlForObject(RESULTS_PREFIX),
      expectedBucketOwner: Aws.ACCOUNT_ID,
      destroyOnRemoval: destroy,
    });

    this.planner = new ClickstreamFunction(this, 'Planner', {
      entry: fileURLToPath(new URL('../lambdas/curated-compaction/handler.ts', import.meta.url)),
      description: 'Curated lake: plans each compaction run and records its watermark',
      timeout: Duration.seconds(30),
      logRetention: props.logRetention,
      destroyLogsOnRemoval: destroy,
      environment: {
        LAKE_BUCKET: bucket.bucketName,
        WATERMARK_KEY,
        CURATED_LOCATION: `s3://${bucket.bucketName}/${CURATED_PREFIX}`,
        OVERLAP_HOURS: String(config.overlapHours),
        MAX_HOURS_PER_RUN: String(config.maxHoursPerRun),
        RAW_RETENTION_DAYS: String(props.rawRetentionDays),
        MAX_EVENT_AGE_DAYS: String(props.maxEventAgeDays),
        VACUUM_MAX_SNAPSHOT_AGE_SECONDS: String(config.snapshotRetentionHours * 3600),
        POWERTOOLS_SERVICE_NAME: METRICS.service,
        POWERTOOLS_METRICS_NAMESPACE: METRICS.namespace,
      },
    });
    // Read (a missing record must answer NoSuchKey, which needs ListBucket) and replace the record only.
    bucket.grantRead(this.planner.function, WATERMARK_KEY);
    bucket.grantPut(this.planner.function, WATERMARK_KEY);
    this.acknowledgePlannerGrants();

    const stateMachineArn = stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const logGroup = stageLogGroup(this, 'Logs', props.logRetention, destroy);
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName,
      comment:
        'Curated lake: hourly MERGE of the raw arrivals into curated_events, daily OPTIMIZE and VACUUM',
      definitionBody: DefinitionBody.fromChainable(
        this.definition(props.databaseName, workGroupName, stateMachineArn),
      ),
      timeout: Duration.hours(6),
      tracingEnabled: true,
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: true },
    });
    this.grantQueries(props, workGroupName);
    acknowledgeCfnLint(
      this.stateMachine,
      'W3005',
      'CDK makes the state machine depend on its role and the role policy, so its permissions exist before a run; the role entry repeats the GetAtt of the role ARN, harmlessly',
    );

    new Rule(this, 'CompactionSchedule', {
      description: 'Merges the new raw arrivals into the curated table',
      schedule: Schedule.rate(Duration.minutes(config.scheduleMinutes)),
      targets: [
        new SfnStateMachine(this.stateMachine, { input: RuleTargetInput.fromObject({ task: 'compact' }) }),
      ],
    });
    new Rule(this, 'MaintenanceSchedule', {
      description: 'OPTIMIZE and VACUUM of the curated table',
      schedule: Schedule.rate(Duration.hours(config.maintenanceScheduleHours)),
      targets: [
        new SfnStateMachine(this.stateMachine, { input: RuleTargetInput.fromObject({ task: 'maintain' }) }),
      ],
    });

    this.addAlarms(props);
  }

  private definition(database: string, workGroup: string, stateMachineArn: string): IChainable {
    // Athena's .sync integration: Step Functions starts the query and waits for its end state. A
    // failed MERGE, OPTIMIZE or VACUUM (an Iceberg commit conflict with a concurrent writer) is
    // tried again: every statement here can run twice with the same result.
    const athena = (id: string, queryPath: string) =>
      new CustomState(this, id, {
        stateJson: {
          Type: 'Task',
          Resource: `arn:${Aws.PARTITION}:states:::athena:startQueryExecution.sync`,
          Parameters: {
            'QueryString.$': queryPath,
            WorkGroup: workGroup,
            QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: database },
          },
          ResultPath: null,
          Retry: [
            { ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 60, MaxAttempts: 2, BackoffRate: 2 },
          ],
        },
      });
    const invokePlanner = (id: string, payload: Record<string, unknown>, resultPath: string | undefined) =>
      new LambdaInvoke(this, id, {
        lambdaFunction: this.planner.function,
        payload: TaskInput.fromObject(payload),
        payloadResponseOnly: true,
        resultPath: resultPath ?? JsonPath.DISCARD,
      });

    // One run at a time: a compaction and a maintenance, or two compactions, would conflict on
    // Iceberg commits and on the watermark. The running one counts itself.
    const running = new CallAwsService(this, 'CountRunningExecutions', {
      service: 'sfn',
      action: 'listExecutions',
      iamAction: 'states:ListExecutions',
      iamResources: [stateMachineArn],
      parameters: { StateMachineArn: stateMachineArn, StatusFilter: 'RUNNING', MaxResults: 2 },
      resultSelector: { 'count.$': 'States.ArrayLength($.Executions)' },
      resultPath: '$.running',
    });

    const compaction = invokePlanner('PlanCompaction', { action: 'plan-compaction' }, '$.plan').next(
      new Choice(this, 'AnythingNew')
        .when(Condition.stringEquals('$.plan.action', 'idle'), new Succeed(this, 'NothingNew'))
        .otherwise(
          athena('CreateTableIfMissing', '$.plan.statements.createTable')
            .next(athena('MergeNewArrivals', '$.plan.statements.merge'))
            .next(
              invokePlanner(
                'RecordWatermark',
                {
                  action: 'commit',
                  next: JsonPath.objectAt('$.plan.next'),
                  etag: JsonPath.stringAt('$.plan.etag'),
                  executionId: JsonPath.executionId,
                },
                undefined,
              ),
            )
            .next(athena('RecreateView', '$.plan.statements.view')),
        ),
    );
    const maintenance = invokePlanner('PlanMaintenance', { action: 'plan-maintenance' }, '$.maintenance')
      .next(athena('Optimize', '$.maintenance.optimize'))
      .next(athena('Vacuum', '$.maintenance.vacuum'));

    return running.next(
      new Choice(this, 'AloneRunning')
        .when(Condition.numberGreaterThan('$.running.count', 1), new Succeed(this, 'AnotherRunInProgress'))
        .when(
          Condition.and(Condition.isPresent('$.task'), Condition.stringEquals('$.task', 'maintain')),
          maintenance,
        )
        .otherwise(compaction),
    );
  }

  /**
   * Athena runs the statements with the state machine's identity: the workgroup, the Glue objects
   * the statements name, the raw objects (read), the table's folder (read, write, delete for
   * OPTIMIZE and VACUUM) and the workgroup's result folder.
   */
  private grantQueries(props: CuratedLakeProps, workGroupName: string): void {
    const stack = Stack.of(this);
    const role = this.stateMachine.role;
    const glue = (resource: string, resourceName?: string) =>
      stack.formatArn({ service: 'glue', resource, ...(resourceName === undefined ? {} : { resourceName }) });
    const table = (name: string) => glue('table', `${props.databaseName}/${name}`);
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:StopQueryExecution'],
        resources: [
          stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: workGroupName }),
        ],
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable'],
        resources: [
          glue('catalog'),
          glue('database', props.databaseName),
          table(LAKE_LAYOUT.eventsTable),
          table(CURATED_EVENTS_TABLE),
          table(EVENTS_EXACT_VIEW),
        ],
      }),
    );
    // CREATE TABLE IF NOT EXISTS, each Iceberg commit (UpdateTable), CREATE OR REPLACE VIEW.
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['glue:CreateTable', 'glue:UpdateTable'],
        resources: [
          glue('catalog'),
          glue('database', props.databaseName),
          table(CURATED_EVENTS_TABLE),
          table(EVENTS_EXACT_VIEW),
        ],
      }),
    );
    props.bucket.grantRead(role, `${LAKE_LAYOUT.eventsPrefix.split('/')[0]}/*`);
    // Read and write with delete: OPTIMIZE and VACUUM remove the files no snapshot needs.
    props.bucket.grantReadWrite(role, `${CURATED_PREFIX}*`);
    props.resultsBucket.grantRead(role, `${RESULTS_PREFIX}*`);
    props.resultsBucket.grantPut(role, `${RESULTS_PREFIX}*`);

    const reasons: [string, string][] = [
      [
        `Resource::${nagArn(props.bucket)}/events/*`,
        'Athena reads the raw objects of any arrival partition the MERGE names (dated prefixes under events/)',
      ],
      [
        `Resource::${nagArn(props.bucket)}/${CURATED_PREFIX}*`,
        'Iceberg writes, rewrites and VACUUM deletes data and metadata files of curated_events under its folder',
      ],
      [
        `Resource::${nagArn(props.resultsBucket)}/${RESULTS_PREFIX}*`,
        'Athena writes each query result under the compaction workgroup result folder, one object per query',
      ],
      ['Action::s3:GetBucket*', 'grantRead: Athena checks the bucket location before it reads or writes'],
      [
        'Action::s3:GetObject*',
        'grantRead: Athena and Iceberg read objects and their versions under the granted prefixes',
      ],
      ['Action::s3:List*', 'grantRead: Athena lists the partition folders and Iceberg its metadata folder'],
      [
        'Action::s3:Abort*',
        'grantWrite: Athena aborts its own failed multipart uploads of results and data files',
      ],
      [
        'Action::s3:DeleteObject*',
        'grantReadWrite on the table folder only: VACUUM removes expired and orphan files',
      ],
      [
        `Resource::${nagArn(this.planner.function)}:*`,
        'LambdaInvoke may call any version of the planner function, which this construct owns',
      ],
      [
        'Resource::*',
        'Step Functions X-Ray tracing and log delivery: the service requires these actions on every resource',
      ],
    ];
    for (const [finding, reason] of reasons) acknowledgeNag(role, `IAM5[${finding}]`, reason);
  }

  private acknowledgePlannerGrants(): void {
    const reasons: [string, string][] = [
      ['Action::s3:GetBucket*', 'grantRead on the watermark record: the SDK checks the bucket location'],
      ['Action::s3:GetObject*', 'grantRead on the watermark record object only'],
      ['Action::s3:List*', 'grantRead: a missing watermark record answers NoSuchKey only with ListBucket'],
      ['Action::s3:Abort*', 'grantPut on the watermark record object only'],
    ];
    for (const [finding, reason] of reasons) acknowledgeNag(this.planner.role, `IAM5[${finding}]`, reason);
  }

  private addAlarms(props: CuratedLakeProps): void {
    const period = Duration.minutes(Math.max(60, props.config.scheduleMinutes));
    const failed = new Alarm(this, 'RunsFailed', {
      alarmDescription:
        'A curated lake run failed, timed out or was aborted: see the state machine execution; the next run retries the same range',
      metric: new MathExpression({
        expression: 'failed + timedOut + aborted',
        usingMetrics: {
          failed: this.stateMachine.metricFailed({ statistic: 'Sum' }),
          timedOut: this.stateMachine.metricTimedOut({ statistic: 'Sum' }),
          aborted: this.stateMachine.metricAborted({ statistic: 'Sum' }),
        },
        period: Duration.minutes(5),
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    // Every run's plan publishes the hours since a run last moved the watermark; no data at all
    // (no run is planning) is as stalled as an old watermark.
    const stalled = new Alarm(this, 'WatermarkStalled', {
      alarmDescription: `No compaction run has moved the curated lake watermark for ${props.config.stalledAfterHours} hours: saved queries still answer exactly, but read more raw data every hour`,
      metric: new Metric({
        namespace: METRICS.namespace,
        metricName: 'HoursSinceWatermarkAdvanced',
        dimensionsMap: { service: METRICS.service },
        statistic: 'Maximum',
        period,
      }),
      threshold: props.config.stalledAfterHours,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: TreatMissingData.BREACHING,
    });
    for (const alarm of [failed, stalled]) {
      props.monitoring.addAlarm(alarm);
      this.alarms.push(alarm);
    }
  }
}
