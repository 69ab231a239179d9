import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Domain } from 'aws-cdk-lib/aws-opensearchservice';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { AlarmConfig } from './config';
import { removalPolicyFor } from './stateful';

export interface MonitoringProps {
  readonly dashboardName: string;
  readonly alarms: AlarmConfig;
  /** Subscribed to the alarm topic when given. */
  readonly alarmEmail?: string;
  readonly deliveryStreamName: string;
  readonly transform: IFunction;
  /** Where the transform publishes its per-record outcome metrics (Powertools namespace and service). */
  readonly transformMetrics: { readonly namespace: string; readonly service: string };
  readonly domain: Domain;
  /**
   * Schedule the topic key for deletion with the stack (KMS waits 30 days before deleting it).
   * @default false
   */
  readonly destroyOnRemoval?: boolean;
}

const FIVE_MINUTES = Duration.minutes(5);

/** Where a construct hands its alarms: they notify the alarm topic and show on the dashboard. */
export interface AlarmSink {
  addAlarm(alarm: Alarm): void;
}

/**
 * The dashboard and alarms of the ingestion path, all notifying one encrypted SNS topic (with an
 * optional e-mail subscription). Other constructs add their alarms with {@link addAlarm}.
 */
export class Monitoring extends Construct implements AlarmSink {
  readonly topic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);

    // A customer managed key: CloudWatch cannot publish to a topic under the AWS managed SNS key.
    const key = new Key(this, 'TopicKey', {
      enableKeyRotation: true,
      description: 'Encrypts the clickstream alarm topic',
      removalPolicy: removalPolicyFor(props.destroyOnRemoval),
    });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'AlarmTopic', { masterKey: key, enforceSSL: true });
    if (props.alarmEmail !== undefined) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName });
    // The widget reads its alarm list when the dashboard renders, so alarms added later appear too.
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }));

    const firehose = (metricName: string, statistic: string) =>
      new Metric({
        namespace: 'AWS/Firehose',
        metricName,
        dimensionsMap: { DeliveryStreamName: props.deliveryStreamName },
        statistic,
        period: FIVE_MINUTES,
      });
    const { alarms } = props;
    const { domain } = props;

    const successRatios: [string, string][] = [
      ['ProcessingSuccess', 'ExecuteProcessing.Success'],
      ['OpenSearchDeliverySuccess', 'DeliveryToAmazonOpenSearchService.Success'],
      ['S3DeliverySuccess', 'DeliveryToS3.Success'],
    ];
    for (const [alarmId, metricName] of successRatios) {
      this.addAlarm(
        new Alarm(this, alarmId, {
          alarmDescription: `${metricName} below 99% for 15 minutes: records are being retried or sent to errors/`,
          metric: firehose(metricName, 'Average'),
          threshold: 0.99,
          comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: 3,
          // No traffic means no data points, which is not a failure.
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    for (const [alarmId, metricName] of [
      ['OpenSearchDataFreshness', 'DeliveryToAmazonOpenSearchService.DataFreshness'],
      ['S3DataFreshness', 'DeliveryToS3.DataFreshness'],
    ] as const) {
      this.addAlarm(
        new Alarm(this, alarmId, {
          alarmDescription: `Oldest record in Firehose older than ${alarms.maxDataFreshnessSeconds}s (${metricName})`,
          metric: firehose(metricName, 'Maximum'),
          threshold: alarms.maxDataFreshnessSeconds,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 2,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    // Direct PUT over the stream's throughput quota: the tracker retries throttled records, but
    // sustained throttling means the quota needs raising before the retries run out.
    this.addAlarm(
      new Alarm(this, 'IngestThrottled', {
        alarmDescription:
          'Firehose throttled PutRecordBatch records for 15 minutes: raise the delivery stream quota',
        metric: firehose('ThrottledRecords', 'Sum'),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    const transformErrors = props.transform.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' });
    const transformThrottles = props.transform.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' });
    this.addAlarm(
      new Alarm(this, 'TransformErrors', {
        alarmDescription:
          'The transform Lambda failed invocations (Firehose retries, then writes processing-failed)',
        metric: transformErrors,
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    this.addAlarm(
      new Alarm(this, 'TransformThrottles', {
        alarmDescription: 'The transform Lambda was throttled (account concurrency exhausted)',
        metric: transformThrottles,
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    const oneMinute = { period: Duration.minutes(1) };
    const clusterAlarms: [string, IMetric, number, string][] = [
      [
        'ClusterRed',
        domain.metricClusterStatusRed(oneMinute),
        1,
        'A primary shard is unassigned: writes and reads fail',
      ],
      [
        'ClusterYellow',
        domain.metricClusterStatusYellow(oneMinute),
        5,
        'A replica shard has been unassigned for 5 minutes: one node loss from data loss',
      ],
      [
        'ClusterIndexWritesBlocked',
        domain.metricClusterIndexWritesBlocked(oneMinute),
        1,
        'The domain blocks writes (disk or memory pressure): Firehose deliveries fail',
      ],
    ];
    for (const [alarmId, metric, minutes, description] of clusterAlarms) {
      this.addAlarm(
        new Alarm(this, alarmId, {
          alarmDescription: description,
          metric,
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: minutes,
          treatMissingData: TreatMissingData.BREACHING,
        }),
      );
    }
    const freeStorage = domain.metricFreeStorageSpace({ period: FIVE_MINUTES, statistic: 'Minimum' });
    this.addAlarm(
      new Alarm(this, 'FreeStorage', {
        alarmDescription: `A data node has less than ${alarms.minFreeStorageMiB} MiB free`,
        metric: freeStorage,
        threshold: alarms.minFreeStorageMiB,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.BREACHING,
      }),
    );

    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Firehose: incoming and delivered records',
        left: [
          firehose('IncomingRecords', 'Sum'),
          firehose('DeliveryToAmazonOpenSearchService.Records', 'Sum'),
          firehose('DeliveryToS3.Records', 'Sum'),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'Firehose: data freshness (s)',
        left: [
          firehose('DeliveryToAmazonOpenSearchService.DataFreshness', 'Maximum'),
          firehose('DeliveryToS3.DataFreshness', 'Maximum'),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'Transform Lambda',
        left: [
          props.transform.metricInvocations({ period: FIVE_MINUTES }),
          transformErrors,
          transformThrottles,
        ],
        right: [props.transform.metricDuration({ period: FIVE_MINUTES, statistic: 'p99' })],
        width: 12,
      }),
      new GraphWidget({
        title: 'Transform: records by outcome',
        left: ['RecordsOk', 'RecordsDropped', 'RecordsProcessingFailed'].map(
          (metricName) =>
            new Metric({
              namespace: props.transformMetrics.namespace,
              metricName,
              dimensionsMap: { service: props.transformMetrics.service },
              statistic: 'Sum',
              period: FIVE_MINUTES,
            }),
        ),
        width: 12,
      }),
      new GraphWidget({
        title: 'OpenSearch: free storage (MiB) and JVM pressure (%)',
        left: [freeStorage],
        right: [domain.metricJVMMemoryPressure({ period: FIVE_MINUTES })],
        width: 12,
      }),
    );
  }

  /** Sends the alarm to the topic and shows it on the dashboard. */
  addAlarm(alarm: Alarm): void {
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
