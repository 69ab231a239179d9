import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalDatabase } from '../local/duckdb/database';
import { attachLake, type LakeFileCounts } from '../local/duckdb/lake-views';
import { dataDirLayout } from '../local/pipeline/data-dir';
import { placeholderValues, type SavedQuery } from './catalog';
import type { ParameterValue } from './parameters';
import { kindOfType, type QueryResult } from './result';

export interface LocalRunOptions {
  /** The local data directory; the lake is `<dataDir>/lake/`. */
  dataDir: string;
  /** Also report which lake files each table scan read (DuckDB's profiler). */
  verbose?: boolean;
}

/** One table scan of a local run: how many lake files it read, and their names (DuckDB may elide some). */
export interface FileScan {
  read: number;
  files: string[];
}

/** An in-memory DuckDB holding the lake's tables (views) and the Trino macros the saved queries use. */
export interface LakeDatabase {
  db: LocalDatabase;
  lakeDir: string;
  counts: LakeFileCounts;
}

/**
 * Opens DuckDB over `<dataDir>/lake/` as the local runner queries it: the views `events` and
 * `failed_events`, the Trino macros, and Athena's session time zone. The caller closes `db`.
 */
export async function openLakeDatabase(dataDir: string): Promise<LakeDatabase> {
  const lakeDir = dataDirLayout(dataDir).lake;
  const db = await LocalDatabase.open();
  try {
    // Lake timestamps are UTC, and Athena's session zone is UTC: day and hour boundaries must agree.
    await db.run("SET TimeZone = 'UTC'");
    return { db, lakeDir, counts: await attachLake(db, lakeDir) };
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Runs a saved query on embedded DuckDB over the local lake: the file's SQL text unchanged, the
 * parameters bound as values in placeholder order.
 */
export async function runLocally(
  query: SavedQuery,
  values: ReadonlyMap<string, ParameterValue>,
  options: LocalRunOptions,
): Promise<QueryResult & { scans: FileScan[] }> {
  const { db, lakeDir, counts } = await openLakeDatabase(options.dataDir);
  const profileDir = options.verbose ? mkdtempSync(join(tmpdir(), 'clickstream-profile-')) : undefined;
  try {
    if (profileDir !== undefined) {
      await db.run("PRAGMA enable_profiling = 'json'");
      await db.run(`PRAGMA profiling_output = '${join(profileDir, 'profile.json').replaceAll("'", "''")}'`);
    }
    const started = performance.now();
    const { columns, rows } = await db.typedRows(query.sql, placeholderValues(query, values));
    const elapsed = performance.now() - started;
    const scans = profileDir === undefined ? [] : fileScans(join(profileDir, 'profile.json'));
    const notes = [
      `local DuckDB over ${lakeDir} (${counts.events} event files, ${counts.curated} curated day files, ${counts.failedEvents} failed-record files): ${rows.length} row(s) in ${Math.round(elapsed)} ms`,
      ...scans.map((scan) => {
        if (scan.files.length === 0) return `scan read ${scan.read} files`;
        // DuckDB's profiler names the first few files of a scan only.
        const named = scan.files.length < scan.read ? `first ${scan.files.length} in ` : '';
        return `scan read ${scan.read} files (${named}${partitionsOf(scan.files)})`;
      }),
    ];
    return {
      columns: columns.map((c) => ({ name: c.name, kind: kindOfType(c.type) })),
      rows: rows.map((row) => row.map(asText)),
      notes,
      scans,
    };
  } finally {
    db.close();
    if (profileDir !== undefined) rmSync(profileDir, { recursive: true, force: true });
  }
}

function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

interface ProfileNode {
  extra_info?: Record<string, string>;
  children?: ProfileNode[];
}

/** The READ_JSON and READ_PARQUET scans in DuckDB's JSON profile: "Total Files Read" and the file names read. */
function fileScans(profileFile: string): FileScan[] {
  const scans: FileScan[] = [];
  const visit = (node: ProfileNode) => {
    const info = node.extra_info ?? {};
    if (
      (info.Function === 'READ_JSON' || info.Function === 'READ_PARQUET') &&
      info['Total Files Read'] !== undefined
    ) {
      const files = (info['Filename(s)'] ?? '').split(', ').filter((f) => f !== '' && f !== '...');
      scans.push({ read: Number(info['Total Files Read']), files });
    }
    for (const child of node.children ?? []) visit(child);
  };
  visit(JSON.parse(readFileSync(profileFile, 'utf8')) as ProfileNode);
  return scans;
}

/** `dt=2026-11-01/hour=00, dt=2026-11-01/hour=01`: the partitions of the files read. */
function partitionsOf(files: readonly string[]): string {
  const partitions = files.map((f) => f.match(/(?:dt|event_date)=[^/]+(?:\/hour=[^/]+)?/)?.[0] ?? f);
  return [...new Set(partitions)].sort().join(', ');
}
