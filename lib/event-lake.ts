import { Aws, Duration } from 'aws-cdk-lib';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import { Bucket, StorageClass } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ERROR_OUTPUT_TYPES, EVENT_COLUMNS, FAILED_RECORD_COLUMNS, LAKE_LAYOUT } from '../contract/index';
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

const EVENTS_DIR = LAKE_LAYOUT.eventsPrefix.split('/')[0]!;
const ERRORS_DIR = LAKE_LAYOUT.errorsPrefix.split('/')[0]!;

const TEXT_INPUT_FORMAT = 'org.apache.hadoop.mapred.TextInputFormat';
const TEXT_OUTPUT_FORMAT = 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat';
// Strict: a malformed line or a duplicate key fails the query instead of yielding a guessed row.
// Every line under events/ is JSON.stringify of a validated StoredEvent (snake_case, unique keys).
const HIVE_JSON_SERDE = 'org.apache.hive.hcatalog.data.JsonSerDe';
// Firehose writes the failure records itself, with camelCase keys; OpenX matches them case-insensitively.
const OPENX_JSON_SERDE = 'org.openx.data.jsonserde.JsonSerDe';

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
          prefix: `${EVENTS_DIR}/`,
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
          prefix: `${ERRORS_DIR}/`,
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

    this.eventsTable = this.table('EventsTable', {
      name: LAKE_LAYOUT.eventsTable,
      description: 'Delivered events (gzip NDJSON), partitioned by arrival time (UTC)',
      columns: EVENT_COLUMNS.map((column) => ({
        name: column.name,
        type: column.glueType,
        ...(column.description === undefined ? {} : { comment: column.description.slice(0, 255) }),
      })),
      partitionKeys: [
        { name: 'dt', type: 'string', comment: 'Arrival day, yyyy-MM-dd (UTC)' },
        { name: 'hour', type: 'string', comment: 'Arrival hour, 00-23 (UTC)' },
      ],
      location: location(`${EVENTS_DIR}/`),
      serde: { serializationLibrary: HIVE_JSON_SERDE },
      projection: {
        // The projected range is exactly what the lifecycle keeps, so no query scans for expired days.
        'projection.dt.type': 'date',
        'projection.dt.format': 'yyyy-MM-dd',
        'projection.dt.range': `NOW-${lake.eventsExpireAfterDays}DAYS,NOW`,
        'projection.dt.interval': '1',
        'projection.dt.interval.unit': 'DAYS',
        'projection.hour.type': 'integer',
        'projection.hour.range': '0,23',
        'projection.hour.digits': '2',
        'storage.location.template': location(`${EVENTS_DIR}/dt=\${dt}/hour=\${hour}/`),
      },
    });

    this.failedEventsTable = this.table('FailedEventsTable', {
      name: LAKE_LAYOUT.failedEventsTable,
      description: 'Records Firehose could not deliver (processing-failed, opensearch-failed)',
      columns: FAILED_RECORD_COLUMNS.map((column) => ({ name: column.name, type: column.glueType })),
      partitionKeys: [
        { name: 'error_output_type', type: 'string', comment: ERROR_OUTPUT_TYPES.join(' or ') },
        { name: 'dt', type: 'string', comment: 'Arrival day, yyyy-MM-dd (UTC)' },
      ],
      location: location(`${ERRORS_DIR}/`),
      serde: { serializationLibrary: OPENX_JSON_SERDE, parameters: { 'case.insensitive': 'true' } },
      projection: {
        'projection.error_output_type.type': 'enum',
        'projection.error_output_type.values': ERROR_OUTPUT_TYPES.join(','),
        'projection.dt.type': 'date',
        'projection.dt.format': 'yyyy-MM-dd',
        'projection.dt.range': `NOW-${lake.errorsExpireAfterDays}DAYS,NOW`,
        'projection.dt.interval': '1',
        'projection.dt.interval.unit': 'DAYS',
        'storage.location.template': location(`${ERRORS_DIR}/\${error_output_type}/dt=\${dt}/`),
      },
    });
  }

  private table(
    id: string,
    spec: {
      name: string;
      description: string;
      columns: CfnTable.ColumnProperty[];
      partitionKeys: CfnTable.ColumnProperty[];
      location: string;
      serde: CfnTable.SerdeInfoProperty;
      projection: Record<string, string>;
    },
  ): CfnTable {
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
          ...spec.projection,
        },
        partitionKeys: spec.partitionKeys,
        storageDescriptor: {
          columns: spec.columns,
          location: spec.location,
          inputFormat: TEXT_INPUT_FORMAT,
          outputFormat: TEXT_OUTPUT_FORMAT,
          compressed: true,
          serdeInfo: spec.serde,
        },
      },
    });
    table.node.addDependency(this.database);
    return table;
  }
}
