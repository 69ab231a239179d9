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

/**
 * The curated table (issue 14): the `events` table's data columns, one row per (event_date,
 * event_id), partitioned by `event_date`, the UTC day of event_time, as Parquet. Locally the files
 * are `<lake>/curated/event_date=YYYY-MM-DD/*.parquet`; on AWS an Iceberg table partitioned by
 * identity(event_date). When raw rows share a key, the one received first (smallest received_at)
 * is the one kept, so the table does not depend on how deliveries fell into compaction runs.
 */
export interface CuratedTable {
  readonly name: string;
  readonly description: string;
  /** The raw `events` table's columns, same names and types. */
  readonly columns: readonly LakeColumn[];
  readonly partitionKey: { readonly name: 'event_date'; readonly type: 'date'; readonly comment: string };
  /** The deduplication key: an event_id counts once per event day. */
  readonly key: readonly ['event_date', 'event_id'];
  /** The table's folder in the lake (locally) with a trailing slash: `curated/`. */
  readonly prefix: string;
}

export const CURATED_EVENTS_TABLE = 'curated_events';
/** The view the saved queries read: the curated table plus the raw arrivals at or after its watermark. */
export const EVENTS_EXACT_VIEW = 'events_exact';

export function curatedTable(events: LakeTable): CuratedTable {
  return {
    name: CURATED_EVENTS_TABLE,
    description: 'Delivered events, one row per event_id and event day, partitioned by event day (UTC)',
    columns: events.columns,
    partitionKey: { name: 'event_date', type: 'date', comment: 'Event day, the UTC day of event_time' },
    key: ['event_date', 'event_id'],
    prefix: 'curated/',
  };
}

/**
 * The compaction watermark: a whole UTC hour. The curated table holds every event of the raw
 * arrival partitions (dt, hour) before it; the view reads the raw partitions at or after it.
 */
export interface Watermark {
  /** Arrival day, `YYYY-MM-DD`. */
  readonly dt: string;
  /** Arrival hour, `00`-`23`. */
  readonly hour: string;
}

/** The watermark before any compaction: every raw partition is newer. */
export const WATERMARK_ZERO: Watermark = { dt: '1970-01-01', hour: '00' };

export function watermarkOf(epochMillis: number): Watermark {
  const iso = new Date(Math.floor(epochMillis / 3_600_000) * 3_600_000).toISOString();
  return { dt: iso.slice(0, 10), hour: iso.slice(11, 13) };
}

export function watermarkMillis(watermark: Watermark): number {
  return Date.parse(`${watermark.dt}T${watermark.hour}:00:00.000Z`);
}

/**
 * The SELECT of the `events_exact` view, in SQL that Athena, Trino and DuckDB (with the Trino
 * macros) all run: the curated rows, then the raw rows in arrival partitions at or after the
 * watermark, deduplicated like the curated table, minus those whose key the curated table holds.
 * The watermark is a literal so that partition projection prunes the raw table statically.
 * `curated` and `events` are the (qualified) relation names each engine reads them under.
 */
export function eventsExactViewSql(
  table: CuratedTable,
  watermark: Watermark,
  relations: { readonly curated: string; readonly events: string },
): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(watermark.dt) || !/^([01]\d|2[0-3])$/.test(watermark.hour)) {
    throw new Error(`invalid watermark ${JSON.stringify(watermark)}`);
  }
  const columns = table.columns.map((c) => `"${c.name}"`).join(', ');
  return [
    `SELECT ${columns}, event_date FROM ${relations.curated}`,
    'UNION ALL',
    `SELECT ${columns}, event_date FROM (`,
    `  SELECT ${columns}, CAST(from_iso8601_timestamp(event_time) AS date) AS event_date,`,
    '    row_number() OVER (',
    '      PARTITION BY CAST(from_iso8601_timestamp(event_time) AS date), event_id ORDER BY received_at',
    '    ) AS copy',
    `  FROM ${relations.events}`,
    `  WHERE dt >= '${watermark.dt}' AND (dt > '${watermark.dt}' OR hour >= '${watermark.hour}')`,
    ') AS fresh',
    'WHERE copy = 1',
    '  AND NOT EXISTS (',
    `    SELECT 1 FROM ${relations.curated} AS curated`,
    '    WHERE curated.event_date = fresh.event_date AND curated.event_id = fresh.event_id',
    '  )',
  ].join('\n');
}
