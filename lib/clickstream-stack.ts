import { fileURLToPath } from 'node:url';
import { Aspects, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Domain } from 'aws-cdk-lib/aws-opensearchservice';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { SavedQuery } from '../analytics/catalog';
import { Analytics } from './analytics';
import { AcknowledgeFunctionRoleDependency } from './cfn-lint';
import type { StageConfig } from './config';
import { CuratedLake } from './curated-lake';
import { EventDeliveryStream } from './delivery-stream';
import { EventLake } from './event-lake';
import { ClickstreamFunction } from './lambda-function';
import { LiveUpdates } from './live-updates';
import { Monitoring } from './monitoring';
import { SearchDomain } from './search-domain';
import { SearchIndexSetup } from './search-index-setup';
import { Summaries } from './summaries';

export interface ClickstreamStackProps extends StackProps {
  /** The validated stage configuration (lib/config.ts). */
  readonly config: StageConfig;
  /** Saved queries to publish as Athena named queries (analytics/catalog.ts `loadSavedQueries()`). */
  readonly savedQueries: readonly SavedQuery[];
}

/** The transform's Powertools metrics: set in its environment, graphed on the dashboard. */
const TRANSFORM_METRICS = { namespace: 'Clickstream', service: 'clickstream-transform' } as const;

/**
 * The whole pipeline for one stage: Firehose -> transform Lambda -> OpenSearch + the S3 lake, Glue
 * tables and Athena over the lake, the per-advertiser summaries, and the monitoring. One construct
 * per concern; this file wires them.
 */
export class ClickstreamStack extends Stack {
  readonly config: StageConfig;
  /** The OpenSearch domain; Firehose and the index setup write to it (`search.allow`), summaries only search `events-*`. */
  readonly domain: Domain;
  readonly search: SearchDomain;
  /** Every alarm notifies this (encrypted) topic. */
  readonly alarmTopic: Topic;
  readonly monitoring: Monitoring;
  readonly lake: EventLake;
  readonly transform: ClickstreamFunction;
  readonly delivery: EventDeliveryStream;
  readonly analytics: Analytics;
  /** The Iceberg curated_events table's compaction (docs/curated-lake.md). */
  readonly curatedLake: CuratedLake;
  readonly summaries: Summaries;
  readonly live: LiveUpdates;

  constructor(scope: Construct, id: string, props: ClickstreamStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.config = config;
    const name = `clickstream-${config.stage}`;
    const logRetention = config.logRetentionDays as RetentionDays;
    const destroyOnRemoval = config.destroyOnRemoval;

    this.lake = new EventLake(this, 'Lake', {
      lake: config.lake,
      databaseName: `clickstream_${config.stage}`,
      destroyOnRemoval,
    });

    this.search = new SearchDomain(this, 'Search', {
      opensearch: config.opensearch,
      domainName: name,
      logRetention,
      destroyOnRemoval,
    });
    this.domain = this.search.domain;
    const setup = new SearchIndexSetup(this, 'SearchSetup', {
      search: this.search,
      opensearch: config.opensearch,
      logRetention,
      destroyOnRemoval,
    });

    this.transform = new ClickstreamFunction(this, 'Transform', {
      entry: fileURLToPath(new URL('../lambdas/transform/handler.ts', import.meta.url)),
      description: 'Firehose record transformation: validate, normalise, enrich, de-duplicate',
      // A full Firehose batch is a 6 MB invocation payload: decoded, parsed and re-serialised it
      // peaks near 100 MB, and 1 GB buys the CPU share that keeps a batch to a few seconds.
      memorySize: config.transform.memoryMiB,
      timeout: Duration.seconds(config.transform.timeoutSeconds),
      logRetention,
      destroyLogsOnRemoval: destroyOnRemoval,
      environment: {
        POWERTOOLS_SERVICE_NAME: TRANSFORM_METRICS.service,
        POWERTOOLS_METRICS_NAMESPACE: TRANSFORM_METRICS.namespace,
        MAX_EVENT_AGE_DAYS: String(config.transform.maxEventAgeDays),
      },
    });

    this.delivery = new EventDeliveryStream(this, 'Delivery', {
      deliveryStreamName: name,
      firehose: config.firehose,
      processor: this.transform.function,
      search: this.search,
      lake: this.lake.bucket,
      logRetention,
      destroyOnRemoval,
    });
    // Nothing reaches the domain before the pipeline and templates that de-duplicate it exist.
    this.delivery.deliveryStream.node.addDependency(setup.resource);

    this.analytics = new Analytics(this, 'Analytics', {
      athena: config.athena,
      workGroupName: name,
      databaseName: this.lake.databaseName,
      savedQueries: props.savedQueries,
      accessLogsBucket: this.lake.accessLogsBucket,
      destroyOnRemoval,
    });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      dashboardName: name,
      alarms: config.alarms,
      ...(config.alarmEmail === undefined ? {} : { alarmEmail: config.alarmEmail }),
      deliveryStreamName: this.delivery.deliveryStreamName,
      transform: this.transform.function,
      transformMetrics: TRANSFORM_METRICS,
      domain: this.domain,
      destroyOnRemoval,
    });
    this.alarmTopic = this.monitoring.topic;

    this.curatedLake = new CuratedLake(this, 'CuratedLake', {
      config: config.curatedLake,
      name,
      bucket: this.lake.bucket,
      databaseName: this.lake.databaseName,
      resultsBucket: this.analytics.resultsBucket,
      rawRetentionDays: config.lake.eventsExpireAfterDays,
      maxEventAgeDays: config.transform.maxEventAgeDays,
      monitoring: this.monitoring,
      logRetention,
      destroyOnRemoval,
    });

    // The dispatcher and the workers get a search-only identity policy on events-*/_search from
    // the construct itself; search.allow() is for roles that write (Firehose, the index setup).
    this.summaries = new Summaries(this, 'Summaries', {
      domain: this.domain,
      monitoring: this.monitoring,
      latenessHorizonMinutes: config.latenessHorizonMinutes,
      summaryScheduleMinutes: config.summaryScheduleMinutes,
      logRetention,
      destroyOnRemoval,
    });
    new CfnOutput(this, 'SummaryApiUrl', { value: this.summaries.api.apiEndpoint });
    new CfnOutput(this, 'SummaryTableName', { value: this.summaries.table.tableName });

    this.live = new LiveUpdates(this, 'Live', {
      summaryTable: this.summaries.table,
      monitoring: this.monitoring,
      logRetention,
      destroyOnRemoval,
    });
    // `clickstream dashboard --stack` reads both URLs from these outputs (cli/commands/dashboard.ts).
    new CfnOutput(this, 'LiveWebSocketUrl', { value: this.live.stage.url });

    new CfnOutput(this, 'DeliveryStreamName', { value: this.delivery.deliveryStreamName });
    new CfnOutput(this, 'LakeBucketName', { value: this.lake.bucket.bucketName });
    new CfnOutput(this, 'OpenSearchEndpoint', { value: this.domain.domainEndpoint });
    new CfnOutput(this, 'AthenaWorkGroup', { value: this.analytics.workGroup.ref });
    // `clickstream erase --stack` runs the erasure statements here (analytics/compaction-sql.ts).
    new CfnOutput(this, 'CompactionWorkGroup', { value: this.curatedLake.workGroup.ref });
    new CfnOutput(this, 'GlueDatabase', { value: this.lake.databaseName });

    Aspects.of(this).add(new AcknowledgeFunctionRoleDependency());
  }
}
