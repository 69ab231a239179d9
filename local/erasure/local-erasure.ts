import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Client as OpenSearchClient } from '@opensearch-project/opensearch';
import {
  deleteByQueryRequest,
  EVENT_INDICES,
  eraseFromOpenSearch,
} from '../../analytics/erasure/aws-erasure';
import { withoutSubjectFailureRecords } from '../../analytics/erasure/failure-records';
import { type FilteredObject, withoutSubjectLines } from '../../analytics/erasure/raw-lines';
import type {
  ErasureReport,
  ErasureSubject,
  EventIndexErasure,
  RewrittenDayFile,
  RewrittenObject,
  UnsearchedObject,
} from '../../analytics/erasure/report';
import { renameIntoPlace, syncFile } from '../atomic-file';
import { listRawObjects } from '../curated/compaction';
import { curatedLayout, DAY_FILE, dayFileCopyOptions } from '../curated/curated-layout';
import { LocalDatabase } from '../duckdb/database';
import {
  dataDirLayout,
  lockDataDir,
  removeTemporaryFiles,
  TEMPORARY_PREFIX,
  temporaryPath,
} from '../pipeline/data-dir';
import { eraseFromDuckDbIndex } from './duckdb-index-erasure';
import { replaceFile } from './replace-file';

/** Points where a test injects a crash: after a store's new file is written (before its rename), or after the rename. */
export type ErasureStep =
  | 'raw-written'
  | 'raw-replaced'
  | 'errors-written'
  | 'errors-replaced'
  | 'curated-written'
  | 'curated-replaced'
  | 'index-written'
  | 'index-replaced';

export interface LocalErasureOptions {
  /** The local data dir (`--data-dir`). */
  readonly dataDir: string;
  /** Also delete from the `events-*` indices of the OpenSearch node at this URL (`--opensearch-url`). */
  readonly openSearchUrl?: string;
  /** Search every store and report what would be removed, changing nothing. */
  readonly dryRun?: boolean;
  readonly onProgress?: (message: string) => void;
  /** Test hook: called after each step; throwing there simulates a crash at that point. */
  readonly afterStep?: (step: ErasureStep, detail: string) => void;
}

// Raw objects per DuckDB search: a progress line per batch, and a batch that fails (one unreadable
// object) is searched again object by object.
const SEARCH_BATCH = 256;

/**
 * Erases the subject from a local data dir (issue 14): the raw arrivals (`events/`), the failed
 * records (`errors/`), the curated day files and the event index (DuckDB, and with an OpenSearch
 * URL that node's `events-*`), in that order, so that a compaction run after a crash cannot merge
 * the rows back from a raw object not yet rewritten. Every file is replaced atomically, so a crash
 * leaves each one old or new; a second run finds what the first left and finishes the job, and
 * after a complete run finds nothing. Refuses while a pipeline holds the data dir.
 */
export async function eraseLocally(
  options: LocalErasureOptions,
  subject: ErasureSubject,
): Promise<ErasureReport> {
  const release = await lockDataDir(options.dataDir);
  try {
    return await eraseHoldingLock(options, subject);
  } finally {
    await release();
  }
}

async function eraseHoldingLock(
  options: LocalErasureOptions,
  subject: ErasureSubject,
): Promise<ErasureReport> {
  const layout = dataDirLayout(options.dataDir);
  const dryRun = options.dryRun ?? false;
  const progress = options.onProgress ?? (() => {});
  const step = options.afterStep ?? (() => {});
  // Left by an erase, a compaction or a delivery that was killed between writing and renaming.
  if (!dryRun) await removeTemporaryFiles(options.dataDir);
  const unsearched: UnsearchedObject[] = [];

  const rawObjects = await eraseRawObjects(layout.lake, subject, { dryRun, progress, step, unsearched });
  const errorObjects = await eraseErrorObjects(layout.lake, subject, { dryRun, progress, step, unsearched });
  const curatedFiles = await eraseCuratedDays(layout.lake, subject, { dryRun, progress, step, unsearched });

  const eventIndexes: EventIndexErasure[] = [];
  if (await exists(layout.eventIndex)) {
    progress(`searching the event index ${layout.eventIndex}`);
    const deleted = await eraseFromDuckDbIndex(layout.eventIndex, subject, {
      dryRun,
      tempFile: temporaryPath(options.dataDir, '.duckdb'),
      afterWrite: () => step('index-written', layout.eventIndex),
    });
    if (!dryRun && deleted > 0) step('index-replaced', layout.eventIndex);
    eventIndexes.push({ index: `duckdb ${layout.eventIndex}`, documentsDeleted: deleted });
  }
  if (options.openSearchUrl !== undefined) {
    progress(`${dryRun ? 'counting' : 'deleting'} in OpenSearch ${options.openSearchUrl} ${EVENT_INDICES}`);
    eventIndexes.push({
      index: `opensearch ${options.openSearchUrl} ${EVENT_INDICES}`,
      documentsDeleted: await eraseFromLocalOpenSearch(options.openSearchUrl, subject, dryRun),
    });
  }

  return {
    subject,
    target: 'local',
    ...(dryRun ? { dryRun } : {}),
    curatedRowsDeleted: curatedFiles.reduce((sum, file) => sum + file.rowsRemoved, 0),
    curatedFiles,
    rawObjects,
    errorObjects,
    eventIndexDocumentsDeleted: eventIndexes.reduce((sum, index) => sum + index.documentsDeleted, 0),
    eventIndexes,
    unsearched,
    remains: await localRemains(options.dataDir),
  };
}

interface StoreRun {
  readonly dryRun: boolean;
  readonly progress: (message: string) => void;
  readonly step: (step: ErasureStep, detail: string) => void;
  /** Where a store records what it could not read. */
  readonly unsearched: UnsearchedObject[];
}

/**
 * `events/dt=…/hour=…/*.gz`: DuckDB finds the objects holding a subject's line (a parallel JSON
 * scan, far faster than parsing each line in JavaScript), then each is rewritten without those
 * lines, every other line kept byte for byte. An object DuckDB cannot read is searched line by
 * line instead (a line that is not JSON is kept: no event can be read from it).
 */
async function eraseRawObjects(
  lakeDir: string,
  subject: ErasureSubject,
  run: StoreRun,
): Promise<RewrittenObject[]> {
  const objects = await listRawObjects(lakeDir);
  const candidates: { key: string; path: string }[] = [];
  const db = await LocalDatabase.open();
  try {
    for (let start = 0; start < objects.length; start += SEARCH_BATCH) {
      const batch = objects.slice(start, start + SEARCH_BATCH);
      run.progress(`searching raw objects ${start + 1}-${start + batch.length} of ${objects.length}`);
      const holding = await objectsHolding(db, batch, subject).catch(async () => {
        const each: { key: string; path: string }[] = [];
        for (const object of batch) {
          // Unreadable for DuckDB: searched line by line below, where a broken gzip is reported.
          each.push(...(await objectsHolding(db, [object], subject).catch(() => [object])));
        }
        return each;
      });
      candidates.push(...holding);
    }
  } finally {
    db.close();
  }
  return rewriteObjects(candidates, (content) => withoutSubjectLines(content, subject), 'raw', run);
}

async function objectsHolding<T extends { path: string }>(
  db: LocalDatabase,
  objects: readonly T[],
  subject: ErasureSubject,
): Promise<T[]> {
  if (objects.length === 0) return [];
  const rows = await db.all<{ filename: string }>(
    `SELECT DISTINCT filename FROM read_json([${objects.map((o) => sqlString(o.path)).join(', ')}],
       format = 'newline_delimited', compression = 'gzip', filename = true,
       columns = {'user_id': 'VARCHAR', 'anonymous_id': 'VARCHAR'})
     WHERE "${subject.column}" = $value`,
    { value: subject.value },
  );
  const found = new Set(rows.map((row) => row.filename));
  return objects.filter((object) => found.has(object.path));
}

/**
 * `errors/<type>/dt=…/*`: the failure records whose refused record is the subject's event. Every
 * object is read (errors/ is small next to events/, and its records are base64, which DuckDB would
 * have to decode anyway).
 */
async function eraseErrorObjects(
  lakeDir: string,
  subject: ErasureSubject,
  run: StoreRun,
): Promise<RewrittenObject[]> {
  const root = join(lakeDir, 'errors');
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  });
  const objects = entries
    .filter((entry) => entry.isFile() && !entry.name.startsWith(TEMPORARY_PREFIX))
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      return { key: relative(lakeDir, path).split(sep).join('/'), path };
    })
    .sort((a, b) => a.key.localeCompare(b.key));
  run.progress(`searching ${objects.length} failed-record object(s) under errors/`);
  return rewriteObjects(objects, (content) => withoutSubjectFailureRecords(content, subject), 'errors', run);
}

async function rewriteObjects(
  objects: readonly { key: string; path: string }[],
  filter: (content: Buffer) => FilteredObject,
  store: 'raw' | 'errors',
  run: StoreRun,
): Promise<RewrittenObject[]> {
  const rewritten: RewrittenObject[] = [];
  let done = 0;
  for (const { key, path } of objects) {
    done += 1;
    let filtered: FilteredObject;
    try {
      filtered = filter(await readFile(path));
    } catch (error) {
      run.unsearched.push({ key, error: messageOf(error) });
      continue;
    }
    if (filtered.linesRemoved === 0) continue;
    if (!run.dryRun) {
      if (store === 'raw') run.progress(`rewriting ${key} (${done} of ${objects.length})`);
      await replaceFile(path, filtered.body, () => run.step(`${store}-written`, key));
      run.step(`${store}-replaced`, key);
    }
    rewritten.push({ key, linesRemoved: filtered.linesRemoved, linesKept: filtered.linesKept });
  }
  return rewritten;
}

/**
 * `curated/event_date=…/events.parquet`: the day files holding a subject's row (Parquet's column
 * statistics let DuckDB skip most row groups), each rewritten by DuckDB without those rows, in the
 * same order and compression as the compaction writes it, then renamed over the old file. A day
 * whose rows were all the subject's keeps an empty file, so the day stays in the table's layout.
 */
async function eraseCuratedDays(
  lakeDir: string,
  subject: ErasureSubject,
  run: StoreRun,
): Promise<RewrittenDayFile[]> {
  const layout = curatedLayout(lakeDir);
  const days = (await readdir(layout.root).catch(() => [] as string[]))
    .filter((name) => /^event_date=\d{4}-\d{2}-\d{2}$/.test(name))
    .sort();
  const files: { key: string; path: string }[] = [];
  for (const day of days) {
    const path = join(layout.root, day, DAY_FILE);
    if (await exists(path)) files.push({ key: `curated/${day}/${DAY_FILE}`, path });
  }
  run.progress(`searching ${files.length} curated day file(s)`);
  const rewritten: RewrittenDayFile[] = [];
  const db = await LocalDatabase.open();
  try {
    const counts = new Map<string, number>();
    const count = async (batch: readonly { path: string }[]) => {
      if (batch.length === 0) return;
      const rows = await db.all<{ filename: string; n: bigint }>(
        `SELECT filename, count(*) AS n
         FROM read_parquet([${batch.map((f) => sqlString(f.path)).join(', ')}], filename = true, hive_partitioning = false)
         WHERE "${subject.column}" = $value GROUP BY filename`,
        { value: subject.value },
      );
      for (const row of rows) counts.set(row.filename, Number(row.n));
    };
    await count(files).catch(async () => {
      for (const file of files) {
        await count([file]).catch((error: unknown) =>
          run.unsearched.push({ key: file.key, error: messageOf(error) }),
        );
      }
    });
    for (const file of files) {
      const removed = counts.get(file.path) ?? 0;
      if (removed === 0) continue;
      run.progress(`rewriting ${file.key}`);
      const kept = run.dryRun
        ? (await rowCount(db, file.path)) - removed
        : await rewriteDayFile(db, file, subject, run);
      rewritten.push({ key: file.key, rowsRemoved: removed, rowsKept: kept });
    }
  } finally {
    db.close();
  }
  return rewritten;
}

async function rowCount(db: LocalDatabase, path: string): Promise<number> {
  const [row] = await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM read_parquet(${sqlString(path)})`);
  return Number(row?.n ?? 0n);
}

async function rewriteDayFile(
  db: LocalDatabase,
  file: { key: string; path: string },
  subject: ErasureSubject,
  run: StoreRun,
): Promise<number> {
  const folder = join(file.path, '..');
  const temp = temporaryPath(folder);
  // COPY takes no bound parameters: the value is a quoted literal. Insertion order is preserved
  // (DuckDB's default), so the file stays sorted as the compaction wrote it, and it keeps the
  // compaction's row groups, which let a query skip the event types it does not read.
  const rows = await rowCount(db, file.path);
  const [written] = await db.all<{ Count: bigint }>(
    `COPY (SELECT * FROM read_parquet(${sqlString(file.path)}, hive_partitioning = false)
           WHERE "${subject.column}" IS DISTINCT FROM ${sqlString(subject.value)})
     TO ${sqlString(temp)} (${dayFileCopyOptions(rows)})`,
  );
  await syncFile(temp);
  run.step('curated-written', file.key);
  await renameIntoPlace(temp, file.path);
  run.step('curated-replaced', file.key);
  return Number(written?.Count ?? 0n);
}

/** `_delete_by_query` (or `_count` for a dry run) on the node's `events-*`, as `erase --stack` sends it. */
async function eraseFromLocalOpenSearch(
  url: string,
  subject: ErasureSubject,
  dryRun: boolean,
): Promise<number> {
  const client = new OpenSearchClient({ node: url });
  try {
    if (dryRun) {
      const { index, body } = deleteByQueryRequest(subject);
      const response = await client.count({ index, body });
      return Number((response.body as { count?: number }).count ?? 0);
    }
    return await eraseFromOpenSearch(client, subject);
  } catch (error) {
    throw new Error(`OpenSearch at ${url}: ${messageOf(error)}`);
  } finally {
    await client.close();
  }
}

/** What a local erase does not reach (docs/curated-lake.md, On the local data dir). */
async function localRemains(dataDir: string): Promise<string[]> {
  const remains = [
    'summaries already computed (summaries/) keep their counts: they hold aggregates per advertiser and window (counts, unique_users, amounts, top campaigns and pages), no user_id or anonymous_id',
    "the transform's caches (parsed user agents and URLs, keyed by that text, never by a user id) live in the pipeline process's memory only and went when it stopped; erase runs only when no pipeline holds the data dir",
    'copies you made of the data dir or its files (backups, exports, query results saved with --format csv) are not searched',
  ];
  const spooled = await spoolSegments(dataDir);
  if (spooled > 0) {
    remains.push(
      `${spooled} spool segment(s) hold records accepted but not yet delivered (spool/); the next start of the pipeline delivers them: start it once (serve), stop it, and erase again`,
    );
  }
  return remains;
}

async function spoolSegments(dataDir: string): Promise<number> {
  const entries = await readdir(join(dataDir, 'spool'), { recursive: true, withFileTypes: true }).catch(
    () => [],
  );
  return entries.filter((entry) => entry.isFile() && entry.name.endsWith('.wal')).length;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}
