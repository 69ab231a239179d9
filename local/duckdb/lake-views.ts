import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { curatedTable, EVENTS_EXACT_VIEW, eventsExactViewSql, lakeTables } from '../../analytics/lake-tables';
import { ERROR_OUTPUT_TYPES, EVENT_COLUMNS, FAILED_RECORD_COLUMNS, LAKE_LAYOUT } from '../../contract';
import { curatedLayout } from '../curated/curated-layout';
import { readWatermark } from '../curated/watermark-file';
import type { LocalDatabase } from './database';
import { TRINO_MACROS } from './trino-functions';

/** How many lake files each table reads from when nothing is pruned. */
export interface LakeFileCounts {
  events: number;
  failedEvents: number;
  /** Parquet files of the curated table (one per event day). */
  curated: number;
}

/** The lake directory holds no event and no failed-record file: nothing to query. */
export class EmptyLakeError extends Error {
  override name = 'EmptyLakeError';
}

interface Column {
  name: string;
  duckdbType: string;
}

// The folders the Glue table's partition projection enumerates (Firehose's error-output-type
// names, e.g. `AmazonOpenSearchService-failed`); Athena sees nothing else under errors/, nor does this.
const ERROR_FOLDERS: ReadonlySet<string> = new Set(ERROR_OUTPUT_TYPES);

/**
 * Creates the Trino macros and the views `events` and `failed_events` over `<lakeDir>` with the Glue
 * tables' names and columns, partition columns included. Views read the gzip NDJSON files with hive
 * partitioning, so a filter on `dt` (and `hour`) skips whole folders, as Athena's pruning does.
 * `curated_events` reads the curated Parquet files (a filter on `event_date` skips days), and
 * `events_exact` is the view the saved queries read, with the watermark the last compaction recorded.
 */
export async function attachLake(db: LocalDatabase, lakeDir: string): Promise<LakeFileCounts> {
  const eventsDir = join(lakeDir, 'events');
  const errorsDir = join(lakeDir, 'errors');
  const curated = curatedLayout(lakeDir);
  const counts = {
    events: countFiles(eventsDir),
    failedEvents: countFiles(errorsDir),
    curated: countFiles(curated.root, '.parquet'),
  };
  if (counts.events + counts.failedEvents + counts.curated === 0) {
    throw new EmptyLakeError(
      `the lake ${lakeDir} holds no events and no failed records: start the local pipeline (npm start) and send events, or pass --data-dir`,
    );
  }
  for (const macro of TRINO_MACROS) await db.run(macro);

  const eventColumns = [
    ...EVENT_COLUMNS,
    { name: 'dt', duckdbType: 'VARCHAR' },
    { name: 'hour', duckdbType: 'VARCHAR' },
  ];
  const eventsRelation =
    counts.events === 0
      ? emptyRelation(eventColumns)
      : `SELECT ${columnList(eventColumns)} FROM ${readNdjson(
          join(eventsDir, 'dt=*', 'hour=*', '*.gz'),
          EVENT_COLUMNS,
          "{'dt': 'VARCHAR', 'hour': 'VARCHAR'}",
        )}`;
  await db.run(`CREATE OR REPLACE VIEW ${LAKE_LAYOUT.eventsTable} AS ${eventsRelation}`);

  // Glue reads error_output_type from the folder name (`errors/<type>/dt=...`), which is not a
  // hive key=value folder, so each folder becomes one branch of a union with the name as a constant.
  const failedColumns = [
    ...FAILED_RECORD_COLUMNS,
    { name: 'error_output_type', duckdbType: 'VARCHAR' },
    { name: 'dt', duckdbType: 'VARCHAR' },
  ];
  const branches = errorFolders(errorsDir).map(
    (folder) =>
      `SELECT ${columnList(FAILED_RECORD_COLUMNS)}, '${folder}' AS error_output_type, dt FROM ${readNdjson(
        join(errorsDir, folder, 'dt=*', '*.gz'),
        FAILED_RECORD_COLUMNS,
        "{'dt': 'VARCHAR'}",
      )}`,
  );
  const failedRelation = branches.length === 0 ? emptyRelation(failedColumns) : branches.join(' UNION ALL ');
  await db.run(`CREATE OR REPLACE VIEW ${LAKE_LAYOUT.failedEventsTable} AS ${failedRelation}`);

  const curatedColumns = [...EVENT_COLUMNS, { name: 'event_date', duckdbType: 'DATE' }];
  const curatedRelation =
    counts.curated === 0
      ? emptyRelation(curatedColumns)
      : `SELECT ${columnList(curatedColumns)} FROM read_parquet(${sqlString(curated.glob)},
          hive_partitioning = true, hive_types = {'event_date': 'DATE'})`;
  await db.run(`CREATE OR REPLACE VIEW ${curated.table} AS ${curatedRelation}`);
  const { watermark } = await readWatermark(curated.watermarkFile);
  const [rawEvents] = lakeTables({ eventsDays: 0, errorsDays: 0 });
  const view = eventsExactViewSql(curatedTable(rawEvents), watermark, {
    curated: curated.table,
    events: LAKE_LAYOUT.eventsTable,
  });
  await db.run(`CREATE OR REPLACE VIEW ${EVENTS_EXACT_VIEW} AS ${view}`);
  return counts;
}

function readNdjson(glob: string, columns: readonly Column[], hiveTypes: string): string {
  const typed = columns.map((c) => `${sqlString(c.name)}: ${sqlString(c.duckdbType)}`).join(', ');
  return `read_json(${sqlString(glob)}, format = 'newline_delimited', compression = 'gzip',
    hive_partitioning = true, hive_types = ${hiveTypes}, columns = {${typed}})`;
}

function emptyRelation(columns: readonly Column[]): string {
  return `SELECT ${columns.map((c) => `CAST(NULL AS ${c.duckdbType}) AS "${c.name}"`).join(', ')} WHERE false`;
}

function columnList(columns: readonly Column[]): string {
  return columns.map((c) => `"${c.name}"`).join(', ');
}

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function errorFolders(errorsDir: string): string[] {
  if (!existsSync(errorsDir)) return [];
  return readdirSync(errorsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && ERROR_FOLDERS.has(entry.name))
    .filter((entry) => countFiles(join(errorsDir, entry.name)) > 0)
    .map((entry) => entry.name)
    .sort();
}

function countFiles(dir: string, extension = '.gz'): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter(
    (entry) => entry.isFile() && entry.name.endsWith(extension) && !entry.name.startsWith('.'),
  ).length;
}
