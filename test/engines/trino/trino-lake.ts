import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createCuratedTableSql, createViewSql, mergeSql } from '../../../analytics/compaction-sql';
import {
  CURATED_EVENTS_TABLE,
  curatedTable,
  EVENTS_EXACT_VIEW,
  type LakeRetention,
  lakeTables,
  WATERMARK_ZERO,
  type Watermark,
} from '../../../analytics/lake-tables';
import { type TrinoSession, trinoQuery } from '../../../engines/trino/client';
import { trinoTableDdl } from '../../../engines/trino/ddl';
import { TRINO_CATALOG, TRINO_ICEBERG_CATALOG } from '../../../engines/trino/engine';
import { trinoFileRoot, trinoLocation } from '../../../engines/trino/files';
import { dataDirLayout } from '../../../local/pipeline/data-dir';

/**
 * A local data dir whose lake Trino reads through `events` and `failed_events` in a schema of its
 * own, with the Iceberg `curated_events` and the `events_exact` view beside them, as on AWS.
 */
export interface TrinoLake {
  /** The data dir; the lake is `<dataDir>/lake`, as the local runner expects. */
  readonly dataDir: string;
  /** The Hive catalog's session; the Iceberg table is reached from it by redirection. */
  readonly session: TrinoSession;
  /** The same schema in the Iceberg catalog, for the statements only Iceberg runs (DDL, procedures). */
  readonly icebergSession: TrinoSession;
  /** The Iceberg table's folder as Trino names it (outside `<dataDir>/lake`, which the local compaction owns). */
  readonly curatedLocation: string;
  /** The lake's root as the tables' locations name it (`local:///lakes/<name>/lake`), the bucket's stand-in. */
  readonly location: string;
  /** Drops the schema and removes the data dir. */
  remove(): Promise<void>;
}

/**
 * Makes a data dir under Trino's file root, lets `fill` write its lake, then creates the lake
 * tables over it on Trino from the same definitions as the Glue tables, and the curated lake with
 * the compaction's own SQL (analytics/compaction-sql.ts): `curated_events` holding the raw arrivals
 * before `curatedWatermark` (none by default), and `events_exact` at that watermark.
 */
export async function createTrinoLake(
  url: string,
  cacheDir: string,
  retention: LakeRetention,
  fill: (dataDir: string) => Promise<void> | void,
  options: { curatedWatermark?: Watermark } = {},
): Promise<TrinoLake> {
  const name = `lake_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const dataDir = join(trinoFileRoot(cacheDir), 'lakes', name);
  mkdirSync(dataDir, { recursive: true });
  await fill(dataDir);
  const session = { catalog: TRINO_CATALOG, schema: name };
  const lakeLocation = trinoLocation(cacheDir, dataDirLayout(dataDir).lake);
  await trinoQuery(url, `CREATE SCHEMA ${TRINO_CATALOG}.${name}`);
  for (const table of lakeTables(retention)) {
    await trinoQuery(url, trinoTableDdl(table, `${TRINO_CATALOG}.${name}`, lakeLocation));
  }
  const icebergSession = { catalog: TRINO_ICEBERG_CATALOG, schema: name };
  const curatedDir = join(dataDir, 'iceberg', 'curated');
  mkdirSync(curatedDir, { recursive: true });
  const curatedLocation = `${trinoLocation(cacheDir, curatedDir)}/`;
  const curated = curatedTable(lakeTables(retention)[0]);
  await trinoQuery(url, createCuratedTableSql('trino', curated, curatedLocation), icebergSession);
  const watermark = options.curatedWatermark ?? WATERMARK_ZERO;
  if (watermark !== WATERMARK_ZERO) await trinoQuery(url, mergeSql(curated, { to: watermark }), session);
  await trinoQuery(url, createViewSql(curated, watermark), session);
  return {
    dataDir,
    session,
    icebergSession,
    curatedLocation,
    location: lakeLocation,
    async remove() {
      await trinoQuery(url, `DROP VIEW ${TRINO_CATALOG}.${name}.${EVENTS_EXACT_VIEW}`);
      await trinoQuery(url, `DROP TABLE ${TRINO_ICEBERG_CATALOG}.${name}.${CURATED_EVENTS_TABLE}`);
      for (const table of lakeTables(retention)) {
        await trinoQuery(url, `DROP TABLE ${TRINO_CATALOG}.${name}.${table.name}`);
      }
      await trinoQuery(url, `DROP SCHEMA ${TRINO_CATALOG}.${name}`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A retention whose projection reaches back to `day` (YYYY-MM-DD) from now, for a lake on fixed dates. */
export function retentionSince(day: string): LakeRetention {
  const days = Math.ceil((Date.now() - Date.parse(`${day}T00:00:00Z`)) / 86_400_000) + 1;
  return { eventsDays: days, errorsDays: days };
}
