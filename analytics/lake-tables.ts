import { ERROR_OUTPUT_TYPES, EVENT_COLUMNS, FAILED_RECORD_COLUMNS, LAKE_LAYOUT } from '../contract/index';

/**
 * The tables over the lake, as data: what the Glue tables declare (lib/event-lake.ts renders them
 * as CfnTables) and what the engine suite creates on Trino (engines/trino/ddl.ts renders them as
 * Trino DDL), so that Athena and the Trino stand-in read the lake through the same definition.
 */

/** A Hive (Glue) column type. */
export type HiveType = 'string' | 'double' | 'bigint' | 'int' | 'boolean' | 'map<string,string>';

export interface LakeColumn {
  readonly name: string;
  readonly type: HiveType;
  readonly comment?: string;
}

/** Athena partition projection of one partition key (Athena user guide, "Supported types for partition projection"). */
export type PartitionProjection =
  | {
      readonly type: 'date';
      readonly format: string;
      /** `[first, last]`, in `format` or `NOW[+-]<n><UNIT>S` (relative to query time). */
      readonly range: readonly [string, string];
      readonly interval: number;
      readonly intervalUnit: 'DAYS' | 'HOURS';
    }
  | { readonly type: 'integer'; readonly range: readonly [number, number]; readonly digits: number }
  | { readonly type: 'enum'; readonly values: readonly string[] };

export interface PartitionKey extends LakeColumn {
  readonly projection: PartitionProjection;
}

/** A gzip NDJSON table over a prefix of the lake bucket, partitioned by projection (never registered). */
export interface LakeTable {
  readonly name: string;
  readonly description: string;
  readonly columns: readonly LakeColumn[];
  readonly partitionKeys: readonly PartitionKey[];
  /** The table's folder in the lake bucket, with a trailing slash: `events/`. */
  readonly prefix: string;
  /** A partition's folder, relative to the bucket, with `${key}` for each partition key. */
  readonly locationTemplate: string;
  readonly serde: { readonly library: JsonSerde; readonly parameters: Readonly<Record<string, string>> };
}

// Strict: a malformed line or a duplicate key fails the query instead of yielding a guessed row.
// Every line under events/ is JSON.stringify of a validated StoredEvent (snake_case, unique keys).
export const HIVE_JSON_SERDE = 'org.apache.hive.hcatalog.data.JsonSerDe';
// Firehose writes the failure records itself, with camelCase keys; OpenX matches them case-insensitively.
export const OPENX_JSON_SERDE = 'org.openx.data.jsonserde.JsonSerDe';
export type JsonSerde = typeof HIVE_JSON_SERDE | typeof OPENX_JSON_SERDE;

/** How long the lake keeps each prefix: partition projection enumerates exactly those days. */
export interface LakeRetention {
  readonly eventsDays: number;
  readonly errorsDays: number;
}

const EVENTS_DIR = LAKE_LAYOUT.eventsPrefix.split('/')[0]!;
const ERRORS_DIR = LAKE_LAYOUT.errorsPrefix.split('/')[0]!;

/** The arrival day, as Firehose's `!{timestamp:yyyy-MM-dd}` renders it, over the days kept. */
function arrivalDay(retentionDays: number): PartitionKey {
  return {
    name: 'dt',
    type: 'string',
    comment: 'Arrival day, yyyy-MM-dd (UTC)',
    projection: {
      type: 'date',
      format: 'yyyy-MM-dd',
      range: [`NOW-${retentionDays}DAYS`, 'NOW'],
      interval: 1,
      intervalUnit: 'DAYS',
    },
  };
}

/** `events` and `failed_events`, for a lake that keeps events and failed records as long as `retention` says. */
export function lakeTables(retention: LakeRetention): readonly [LakeTable, LakeTable] {
  const events: LakeTable = {
    name: LAKE_LAYOUT.eventsTable,
    description: 'Delivered events (gzip NDJSON), partitioned by arrival time (UTC)',
    columns: EVENT_COLUMNS.map((column) => ({
      name: column.name,
      type: column.glueType,
      ...(column.description === undefined ? {} : { comment: column.description.slice(0, 255) }),
    })),
    partitionKeys: [
      arrivalDay(retention.eventsDays),
      {
        name: 'hour',
        type: 'string',
        comment: 'Arrival hour, 00-23 (UTC)',
        projection: { type: 'integer', range: [0, 23], digits: 2 },
      },
    ],
    prefix: `${EVENTS_DIR}/`,
    locationTemplate: `${EVENTS_DIR}/dt=\${dt}/hour=\${hour}/`,
    serde: { library: HIVE_JSON_SERDE, parameters: {} },
  };
  const failedEvents: LakeTable = {
    name: LAKE_LAYOUT.failedEventsTable,
    description: `Records Firehose could not deliver (${ERROR_OUTPUT_TYPES.join(', ')})`,
    columns: FAILED_RECORD_COLUMNS.map((column) => ({ name: column.name, type: column.glueType })),
    partitionKeys: [
      {
        name: 'error_output_type',
        type: 'string',
        comment: ERROR_OUTPUT_TYPES.join(' or '),
        projection: { type: 'enum', values: ERROR_OUTPUT_TYPES },
      },
      arrivalDay(retention.errorsDays),
    ],
    prefix: `${ERRORS_DIR}/`,
    locationTemplate: `${ERRORS_DIR}/\${error_output_type}/dt=\${dt}/`,
    serde: { library: OPENX_JSON_SERDE, parameters: { 'case.insensitive': 'true' } },
  };
  return [events, failedEvents];
}
