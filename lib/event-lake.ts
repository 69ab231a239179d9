import { Aws, Duration } from 'aws-cdk-lib';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import { Bucket, StorageClass } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { type LakeColumn, type LakeTable, lakeTables, type PartitionKey } from '../analytics/lake-tables';
import type { LakeConfig } from './config';
import { privateBucketProps } from './stateful';

export interface EventLakeProps {
  /** Lifecycle settings. */
  readonly lake: LakeConfig;
  /** Glue database name (lowercase, underscores). */
  readonly databaseName: string;
  /**
   * Delete the buckets (and their objects) with the stack.
   * @default false
   */
  readonly destroyOnRemoval?: boolean;
}

const TEXT_INPUT_FORMAT = 'org.apache.hadoop.mapred.TextInputFormat';
const TEXT_OUTPUT_FORMAT = 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat';

function glueColumn(column: LakeColumn): CfnTable.ColumnProperty {
  return {
    name: column.name,
    type: column.type,
    ...(column.comment === undefined ? {} : { comment: column.comment }),
  };
}

/** Athena's `projection.<key>.*` table parameters for one partition key. */
function projectionParameters(key: PartitionKey): [string, string][] {
  const p = key.projection;
  const entries: Record<string, string> =
    p.type === 'date'
      ? {
          type: p.type,
          format: p.format,
          range: p.range.join(','),
          interval: String(p.interval),
          'interval.unit': p.intervalUnit,
        }
      : p.type === 'integer'
        ? { type: p.type, range: p.range.join(','), digits: String(p.digits) }
        : { type: p.type, values: p.values.join(',') };
  return Object.entries(entries).map(([name, value]) => [`projection.${key.name}.${name}`, value]);
}

/**
 * The event lake: the bucket Firehose backs every record up to (gzip NDJSON under hive-style
 * prefixes), its access-log bucket, and the Glue database with the `events` and `failed_events`
 * tables Athena queries. Partitions are projected, so no crawler or MSCK REPAIR is ever needed.
 */
export class EventLake extends Construct {
  readonly bucket: Bucket;
  readonly accessLogsBucket: Bucket;
  readonly database: CfnDatabase;
  readonly eventsTable: CfnTable;
  readonly failedEventsTable: CfnTable;
  readonly databaseName: string;

  constructor(scope: Construct, id: string, props: EventLakeProps) {
    super(scope, id);
    const { lake } = props;
    const bucketDefaults = privateBucketProps(props.destroyOnRemoval);
    // The projected range is exactly what the lifecycle keeps, so no query scans for expired days.
    const [events, failedEvents] = lakeTables({
      eventsDays: lake.eventsExpireAfterDays,
      errorsDays: lake.errorsExpireAfterDays,
    });

    // S3 server access logs can only be delivered to an SSE-S3 bucket, and a log bucket has no log bucket.
    this.accessLogsBucket = new Bucket(this, 'AccessLogs', {
      ...bucketDefaults,
      lifecycleRules: [
        { id: 'expire-access-logs', expiration: Duration.days(lake.accessLogsExpireAfterDays) },
      ],
    });

    this.bucket = new Bucket(this, 'Bucket', {
      // SSE-S3: every reader (Athena users, Firehose) is governed by IAM and the bucket policy alone,
      // with no per-object KMS request charge on a bucket that receives an object per buffer flush.
      ...bucketDefaults,
      // Firehose never overwrites a key; versioning guards against deletes, for 30 days.
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'lake/',
      lifecycleRules: [
        {
          id: 'tier-events',
          prefix: events.prefix,
          transitions: [
            {
              storageClass: StorageClass.INFREQUENT_ACCESS,
              transitionAfter: Duration.days(lake.eventsInfrequentAccessAfterDays),
            },
            {
              storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL,
              transitionAfter: Duration.days(lake.eventsArchiveAfterDays),
            },
          ],
          expiration: Duration.days(lake.eventsExpireAfterDays),
        },
        {
          // Failed records stay in Standard: they are read when someone investigates or replays them.
          id: 'expire-errors',
          prefix: failedEvents.prefix,
          expiration: Duration.days(lake.errorsExpireAfterDays),
        },
        {
          id: 'clean-up',
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
          expiredObjectDeleteMarker: true,
        },
      ],
    });

    this.databaseName = props.databaseName;
    this.database = new CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: { name: props.databaseName, description: 'Clickstream event lake' },
    });

    const location = (path: string) => `s3://${this.bucket.bucketName}/${path}`;
    this.eventsTable = this.table('EventsTable', events, location);
    this.failedEventsTable = this.table('FailedEventsTable', failedEvents, location);
  }

  private table(id: string, spec: LakeTable, location: (path: string) => string): CfnTable {
    const table = new CfnTable(this, id, {
      catalogId: Aws.ACCOUNT_ID,
      databaseName: this.databaseName,
      tableInput: {
        name: spec.name,
        description: spec.description,
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          classification: 'json',
          compressionType: 'gzip',
          EXTERNAL: 'TRUE',
          'projection.enabled': 'true',
          ...Object.fromEntries(spec.partitionKeys.flatMap(projectionParameters)),
          'storage.location.template': location(spec.locationTemplate),
        },
        partitionKeys: spec.partitionKeys.map(glueColumn),
        storageDescriptor: {
          columns: spec.columns.map(glueColumn),
          location: location(spec.prefix),
          inputFormat: TEXT_INPUT_FORMAT,
          outputFormat: TEXT_OUTPUT_FORMAT,
          compressed: true,
          serdeInfo: {
            serializationLibrary: spec.serde.library,
            ...(Object.keys(spec.serde.parameters).length === 0 ? {} : { parameters: spec.serde.parameters }),
          },
        },
      },
    });
    table.node.addDependency(this.database);
    return table;
  }
}
