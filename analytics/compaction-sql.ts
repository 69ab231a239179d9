import { LAKE_LAYOUT } from '../contract/index';
import { failureRecordFieldSearchPattern } from './erasure/failure-records';
import type { ErasureSubject } from './erasure/report';
import {
  type CuratedTable,
  EVENTS_EXACT_VIEW,
  eventsExactViewSql,
  type HiveType,
  type LakeColumn,
  type Watermark,
  watermarkMillis,
  watermarkOf,
} from './lake-tables';

/**
 * The curated lake's SQL on AWS (issue 14): the Iceberg table, the incremental MERGE, the view, the
 * maintenance and the erasure, rendered for Athena engine v3 (what the compaction state machine and
 * `clickstream erase` send) or for Trino 483 (what the engine suite runs, the same statements where
 * the dialects agree). docs/curated-lake.md lists every difference.
 */
export type Dialect = 'athena' | 'trino';

/** The raw table's name, as the Glue database and the Trino schema hold it. */
const RAW = 'events';
/** The failure records' table (errors/), likewise. */
const FAILED = LAKE_LAYOUT.failedEventsTable;

/** Trino's name for each column type of the lake tables. */
export const TRINO_TYPES: Record<HiveType | 'date', string> = {
  string: 'varchar',
  double: 'double',
  bigint: 'bigint',
  int: 'integer',
  boolean: 'boolean',
  'map<string,string>': 'map(varchar, varchar)',
  date: 'date',
};

/** A SQL string literal (quotes doubled); the same in both dialects. */
export function stringLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function checkDay(day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`not a day: ${JSON.stringify(day)}`);
  return day;
}

function quoted(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function checkWatermark(watermark: Watermark): Watermark {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(watermark.dt) || !/^([01]\d|2[0-3])$/.test(watermark.hour)) {
    throw new Error(`invalid watermark ${JSON.stringify(watermark)}`);
  }
  return watermark;
}

/**
 * `CREATE TABLE IF NOT EXISTS` for the Iceberg table at `location` (a folder, with a trailing slash):
 * the raw table's data columns, then `event_date`, partitioned by identity(event_date), Parquet.
 * Athena takes Hive types and TBLPROPERTIES; Trino its own types and WITH properties.
 */
export function createCuratedTableSql(
  dialect: Dialect,
  table: CuratedTable,
  location: string,
  options: { vacuumMaxSnapshotAgeSeconds: number } = { vacuumMaxSnapshotAgeSeconds: 432_000 },
): string {
  const key = table.partitionKey;
  const columns: { name: string; type: HiveType | 'date' }[] = [
    ...table.columns.map((c: LakeColumn) => ({ name: c.name, type: c.type })),
    { name: key.name, type: key.type },
  ];
  if (dialect === 'athena') {
    // Athena's Iceberg DDL names columns with backticks or bare, never double quotes.
    const list = columns.map((c) => `  \`${c.name}\` ${c.type}`).join(',\n');
    return [
      `CREATE TABLE IF NOT EXISTS ${table.name} (`,
      list,
      ')',
      `PARTITIONED BY (${key.name})`,
      `LOCATION ${stringLiteral(location)}`,
      'TBLPROPERTIES (',
      "  'table_type' = 'ICEBERG',",
      "  'format' = 'parquet',",
      "  'write_compression' = 'zstd',",
      `  'vacuum_max_snapshot_age_seconds' = '${options.vacuumMaxSnapshotAgeSeconds}'`,
      ')',
    ].join('\n');
  }
  const list = columns.map((c) => `  ${quoted(c.name)} ${TRINO_TYPES[c.type]}`).join(',\n');
  return [
    `CREATE TABLE IF NOT EXISTS ${table.name} (`,
    list,
    ')',
    'WITH (',
    "  format = 'PARQUET',",
    `  partitioning = ARRAY[${stringLiteral(key.name)}],`,
    `  location = ${stringLiteral(location)}`,
    ')',
  ].join('\n');
}

/**
 * The raw arrival partitions from `from` (inclusive) to `to` (exclusive), both whole UTC hours, as a
 * predicate on `dt` and `hour` alone, so that partition projection enumerates only those partitions.
 * Without `from`, every partition before `to`.
 */
export function arrivalRangePredicate(from: Watermark | undefined, to: Watermark): string {
  const last = watermarkOf(watermarkMillis(checkWatermark(to)) - 3_600_000);
  const upper = `dt <= '${last.dt}' AND (dt < '${last.dt}' OR hour <= '${last.hour}')`;
  if (from === undefined) return upper;
  checkWatermark(from);
  return `dt >= '${from.dt}' AND (dt > '${from.dt}' OR hour >= '${from.hour}') AND ${upper}`;
}

/** The arrival hours one compaction run reads: `[from, to)`; `from` absent on the first run. */
export interface ArrivalRange {
  readonly from?: Watermark;
  readonly to: Watermark;
}

/**
 * The incremental merge: the raw rows of the run's arrival partitions, one per (event_date,
 * event_id), the first received kept, inserted where the curated table lacks that key. Matched
 * rows are left as they are, so a re-run, an overlap re-read or a duplicate in a later run never
 * makes a second row. The same statement on Athena and Trino.
 */
export function mergeSql(table: CuratedTable, range: ArrivalRange): string {
  const names = table.columns.map((c) => quoted(c.name));
  const columns = names.join(', ');
  const [dayKey, idKey] = table.key;
  return [
    `MERGE INTO ${table.name} AS curated`,
    'USING (',
    `  SELECT ${columns}, ${dayKey} FROM (`,
    `    SELECT ${columns}, CAST(from_iso8601_timestamp(event_time) AS date) AS ${dayKey},`,
    '      row_number() OVER (',
    `        PARTITION BY CAST(from_iso8601_timestamp(event_time) AS date), ${idKey} ORDER BY received_at`,
    '      ) AS copy',
    `    FROM ${RAW}`,
    `    WHERE ${arrivalRangePredicate(range.from, range.to)}`,
    '  ) AS arrived',
    '  WHERE copy = 1',
    ') AS fresh',
    `ON curated.${dayKey} = fresh.${dayKey} AND curated.${idKey} = fresh.${idKey}`,
    'WHEN NOT MATCHED THEN INSERT',
    `  (${columns}, ${dayKey})`,
    `  VALUES (${names.map((n) => `fresh.${n}`).join(', ')}, fresh.${dayKey})`,
  ].join('\n');
}

/** `CREATE OR REPLACE VIEW events_exact` with the watermark baked in; the same on Athena and Trino. */
export function createViewSql(table: CuratedTable, watermark: Watermark): string {
  const select = eventsExactViewSql(table, checkWatermark(watermark), { curated: table.name, events: RAW });
  return `CREATE OR REPLACE VIEW ${EVENTS_EXACT_VIEW} AS\n${select}`;
}

/**
 * Compacts the small files the hourly merges leave in the event days from `sinceDay` on (the days
 * late events can still reach): Athena's OPTIMIZE ... REWRITE DATA USING BIN_PACK, Trino's
 * `ALTER TABLE ... EXECUTE optimize`.
 */
export function optimizeSql(dialect: Dialect, table: CuratedTable, sinceDay: string): string {
  const where = `WHERE ${table.partitionKey.name} >= DATE '${checkDay(sinceDay)}'`;
  return dialect === 'athena'
    ? `OPTIMIZE ${table.name} REWRITE DATA USING BIN_PACK ${where}`
    : `ALTER TABLE ${table.name} EXECUTE optimize ${where}`;
}

/**
 * Expires old snapshots and removes files no snapshot references. Athena's VACUUM does both and
 * takes the retention from the table property `vacuum_max_snapshot_age_seconds`; Trino needs two
 * procedures, each with the retention as an argument.
 */
export function vacuumSql(dialect: Dialect, table: CuratedTable, retentionSeconds: number): string[] {
  if (dialect === 'athena') return [`VACUUM ${table.name}`];
  const retention = `retention_threshold => '${Math.floor(retentionSeconds)}s'`;
  return [
    `ALTER TABLE ${table.name} EXECUTE expire_snapshots(${retention})`,
    `ALTER TABLE ${table.name} EXECUTE remove_orphan_files(${retention})`,
  ];
}

function subjectPredicate(subject: ErasureSubject): string {
  return `${subject.column} = ${stringLiteral(subject.value)}`;
}

/** Deletes the subject's rows from the Iceberg table; the same on Athena and Trino. */
export function eraseCuratedSql(table: CuratedTable, subject: ErasureSubject): string {
  return `DELETE FROM ${table.name} WHERE ${subjectPredicate(subject)}`;
}

/** Counts the subject's rows in the Iceberg table (what a DELETE will remove). */
export function countCuratedSql(table: CuratedTable, subject: ErasureSubject): string {
  return `SELECT count(*) FROM ${table.name} WHERE ${subjectPredicate(subject)}`;
}

/**
 * The raw objects holding any of the subject's lines, in the arrival days `fromDay`..`toDay`
 * (inclusive): `"$path"` is the object's URI on both engines (`s3://bucket/key` on Athena).
 */
export function affectedRawObjectsSql(subject: ErasureSubject, fromDay: string, toDay: string): string {
  return [
    `SELECT DISTINCT "$path" AS path FROM ${RAW}`,
    `WHERE dt BETWEEN '${checkDay(fromDay)}' AND '${checkDay(toDay)}'`,
    `  AND ${subjectPredicate(subject)}`,
    'ORDER BY path',
  ].join('\n');
}

/**
 * The `errors/` objects (the `failed_events` table) that may hold one of the subject's refused
 * records, in the arrival days `fromDay`..`toDay` (inclusive). A superset of the objects from which
 * `failureRecordBelongsTo` (analytics/erasure/failure-records.ts) removes a record, since that rule
 * then decides record by record: the refused record (`rawData`, base64) decoded as UTF-8 (invalid
 * bytes become U+FFFD, as in Node) has the field equal to the value, or holds the field as JSON
 * writes it (the rule for a record that is not JSON). A `rawData` the engine cannot decode as
 * base64 makes its object a candidate too: Node decodes base64 more leniently.
 */
export function affectedErrorObjectsSql(subject: ErasureSubject, fromDay: string, toDay: string): string {
  const text = 'from_utf8(bytes)';
  return [
    'SELECT DISTINCT path FROM (',
    `  SELECT "$path" AS path, rawData, try(from_base64(rawData)) AS bytes FROM ${FAILED}`,
    `  WHERE dt BETWEEN '${checkDay(fromDay)}' AND '${checkDay(toDay)}'`,
    ') AS records',
    'WHERE rawData IS NOT NULL AND (',
    '  bytes IS NULL',
    // try(): a record that is not JSON must not fail the query on an engine that refuses it.
    `  OR try(json_extract_scalar(${text}, '$.${subject.column}')) = ${stringLiteral(subject.value)}`,
    `  OR regexp_like(${text}, ${stringLiteral(failureRecordFieldSearchPattern(subject))})`,
    ')',
    'ORDER BY path',
  ].join('\n');
}
