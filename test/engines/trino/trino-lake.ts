import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type LakeRetention, lakeTables } from '../../../analytics/lake-tables';
import { type TrinoSession, trinoQuery } from '../../../engines/trino/client';
import { trinoTableDdl } from '../../../engines/trino/ddl';
import { TRINO_CATALOG } from '../../../engines/trino/engine';
import { trinoFileRoot, trinoLocation } from '../../../engines/trino/files';
import { dataDirLayout } from '../../../local/pipeline/data-dir';

/** A local data dir whose lake Trino reads through `events` and `failed_events` in a schema of its own. */
export interface TrinoLake {
  /** The data dir; the lake is `<dataDir>/lake`, as the local runner expects. */
  readonly dataDir: string;
  readonly session: TrinoSession;
  /** The lake's root as the tables' locations name it (`local:///lakes/<name>/lake`), the bucket's stand-in. */
  readonly location: string;
  /** Drops the schema and removes the data dir. */
  remove(): Promise<void>;
}

/**
 * Makes a data dir under Trino's file root, lets `fill` write its lake, then creates the lake
 * tables over it on Trino from the same definitions as the Glue tables.
 */
export async function createTrinoLake(
  url: string,
  cacheDir: string,
  retention: LakeRetention,
  fill: (dataDir: string) => Promise<void> | void,
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
  return {
    dataDir,
    session,
    location: lakeLocation,
    async remove() {
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
