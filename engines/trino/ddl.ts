import { TRINO_TYPES } from '../../analytics/compaction-sql';
import {
  HIVE_JSON_SERDE,
  type JsonSerde,
  type LakeColumn,
  type LakeTable,
  OPENX_JSON_SERDE,
  type PartitionKey,
} from '../../analytics/lake-tables';
import { sqlLiteral } from './client';

/**
 * Trino's Hive connector names a text SerDe by a storage format, and its CREATE TABLE takes no
 * SerDe properties: each format reads with fixed settings, listed here, that the definition's
 * SerDe parameters must equal (Trino's OpenX reader matches keys case-insensitively by default).
 */
const TRINO_FORMATS: Record<JsonSerde, { format: string; serdeParameters: Record<string, string> }> = {
  [HIVE_JSON_SERDE]: { format: 'JSON', serdeParameters: {} },
  [OPENX_JSON_SERDE]: { format: 'OPENX_JSON', serdeParameters: { 'case.insensitive': 'true' } },
};

function identifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function array(values: readonly (string | number)[]): string {
  return `ARRAY[${values.map((v) => sqlLiteral(String(v))).join(', ')}]`;
}

/** The Hive connector's partition projection column properties (Trino docs, Hive connector). */
function projectionProperties(key: PartitionKey): string[] {
  const p = key.projection;
  switch (p.type) {
    case 'date':
      return [
        `partition_projection_type = 'DATE'`,
        `partition_projection_format = ${sqlLiteral(p.format)}`,
        `partition_projection_range = ${array(p.range)}`,
        `partition_projection_interval = ${p.interval}`,
        `partition_projection_interval_unit = ${sqlLiteral(p.intervalUnit)}`,
      ];
    case 'integer':
      return [
        `partition_projection_type = 'INTEGER'`,
        `partition_projection_range = ${array(p.range)}`,
        `partition_projection_digits = ${p.digits}`,
      ];
    case 'enum':
      return [`partition_projection_type = 'ENUM'`, `partition_projection_values = ${array(p.values)}`];
  }
}

function column(c: LakeColumn, properties: string[] = []): string {
  const comment = c.comment === undefined ? '' : ` COMMENT ${sqlLiteral(c.comment)}`;
  const withProperties = properties.length === 0 ? '' : ` WITH (${properties.join(', ')})`;
  return `  ${identifier(c.name)} ${TRINO_TYPES[c.type]}${comment}${withProperties}`;
}

/**
 * `CREATE TABLE` for `table` in the Hive catalog's `schema` (`catalog.schema`), over the lake whose
 * bucket root is `lakeLocation` (`s3://bucket` or `local:///lakes/x`): the same columns, SerDe,
 * partition keys and partition projection as the Glue table, as Trino's Hive connector spells them.
 */
export function trinoTableDdl(table: LakeTable, schema: string, lakeLocation: string): string {
  const { format, serdeParameters } = TRINO_FORMATS[table.serde.library];
  if (JSON.stringify(table.serde.parameters) !== JSON.stringify(serdeParameters)) {
    throw new Error(
      `${table.name}: Trino's ${format} format reads with SerDe parameters ${JSON.stringify(serdeParameters)}, not ${JSON.stringify(table.serde.parameters)}`,
    );
  }
  const root = lakeLocation.replace(/\/+$/, '');
  const columns = [
    ...table.columns.map((c) => column(c)),
    // The Hive connector wants the partition keys as the last columns, in partition order.
    ...table.partitionKeys.map((key) => column(key, projectionProperties(key))),
  ];
  const properties = [
    `format = ${sqlLiteral(format)}`,
    `external_location = ${sqlLiteral(`${root}/${table.prefix}`)}`,
    `partitioned_by = ${array(table.partitionKeys.map((key) => key.name))}`,
    'partition_projection_enabled = true',
    `partition_projection_location_template = ${sqlLiteral(`${root}/${table.locationTemplate}`)}`,
  ];
  return [
    `CREATE TABLE ${schema}.${identifier(table.name)} (`,
    columns.join(',\n'),
    `)`,
    `COMMENT ${sqlLiteral(table.description)}`,
    `WITH (\n  ${properties.join(',\n  ')}\n)`,
  ].join('\n');
}
