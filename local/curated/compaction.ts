import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Watermark, watermarkMillis, watermarkOf } from '../../analytics/lake-tables';
import { EVENT_COLUMNS } from '../../contract';
import { renameIntoPlace, syncFile } from '../atomic-file';
import { LocalDatabase } from '../duckdb/database';
import { TRINO_MACROS } from '../duckdb/trino-functions';
import { removeTemporaryFiles, temporaryPath } from '../pipeline/data-dir';
import { curatedLayout, DAY_FILE_ORDER, dayFileCopyOptions } from './curated-layout';
import { readWatermark, type WatermarkRecord, writeWatermark } from './watermark-file';

const HOUR_MS = 3_600_000;

/**
 * How far before the previous watermark each run re-reads: Firehose names an object after its
 * oldest record's arrival and writes it up to a buffer interval (at most 15 minutes) later, and the
 * local pipeline likewise, so an object can land in an hour partition the last run already passed.
 */
export const DEFAULT_OVERLAP_HOURS = 1;

/** DuckDB's memory cap for a run; beyond it DuckDB spills to a temporary folder (out-of-core). */
export const DEFAULT_MEMORY_LIMIT = '512MB';

/**
 * Modification times are compared with this slack: a file system's clock granularity (1 s on some)
 * must not let an object written just before a listing pass for one written after it. Reading an
 * object twice is harmless (the merge is idempotent); missing one is not.
 */
const MTIME_SLACK_MS = 2_000;

/** Points between a run's steps where a test injects a crash (the run stops there, leaving what a kill leaves). */
export type CompactionStep = 'read' | 'day-written' | 'day-renamed' | 'merged';

export interface CompactionOptions {
  /** The lake directory (`<dataDir>/lake`). */
  lakeDir: string;
  /** The clock: the run's watermark is the start of the current UTC hour, whose partition is still being written. */
  now?: () => number;
  overlapHours?: number;
  /** DuckDB's memory_limit for the run (`512MB`, `2GB`). */
  memoryLimit?: string;
  onProgress?: (progress: CompactionProgress) => void;
  /** Test hook: called after each step; throwing there simulates a crash at that point. */
  afterStep?: (step: CompactionStep, detail: string) => void;
}

export type CompactionProgress =
  | { phase: 'reading'; files: number }
  | { phase: 'merging'; eventDate: string; day: number; days: number };

/** A raw object the run could not read (corrupt gzip, a line that is not an event). */
export interface UnreadableObject {
  key: string;
  error: string;
}

export interface CompactionReport {
  previousWatermark: Watermark;
  watermark: Watermark;
  /** Raw objects read for the first time. */
  filesRead: number;
  /** Raw objects read again because they lie in the overlap before the previous watermark. */
  filesReread: number;
  unreadable: UnreadableObject[];
  /** Day files written (one per event day that received rows). */
  filesWritten: number;
  /** Rows in the raw objects read for the first time. */
  rowsRead: number;
  /** Rows added to the curated table. */
  rowsMerged: number;
  /** Rows read for the first time that repeat a key already curated or read in this run. */
  duplicatesDropped: number;
  /** Event days whose file was written (a day whose incoming rows were all curated already is left alone), sorted. */
  eventDates: string[];
  elapsedMs: number;
}

interface RawObject {
  key: string;
  path: string;
  partitionMillis: number;
  mtimeMs: number;
}

/**
 * One compaction run of the local lake (issue 14, decision D2): reads the raw arrival partitions new
 * since the watermark (and the overlap before it), merges their events into the curated Parquet
 * table by (event_date, event_id), day by day, each day's file replaced atomically, then records the
 * new watermark. A run that crashes anywhere leaves either the old files or whole new ones, and the
 * old watermark, so the next run reads the same objects again and ends with the same table.
 * The caller holds the data dir's lock: no other run may write the curated folder meanwhile.
 */
export async function compactLake(options: CompactionOptions): Promise<CompactionReport> {
  const started = performance.now();
  const layout = curatedLayout(options.lakeDir);
  const now = (options.now ?? Date.now)();
  const overlapMs = (options.overlapHours ?? DEFAULT_OVERLAP_HOURS) * HOUR_MS;
  const step = options.afterStep ?? (() => {});

  await mkdir(layout.root, { recursive: true });
  // Left by a run that was killed between writing a day file and renaming it.
  await removeTemporaryFiles(layout.root);
  const previous = await readWatermark(layout.watermarkFile);
  const previousMillis = watermarkMillis(previous.watermark);
  const listedAt = Date.now();
  let targetMillis = Math.max(previousMillis, watermarkMillis(watermarkOf(now)));

  const objects = (await listRawObjects(options.lakeDir)).filter((o) => o.partitionMillis < targetMillis);
  const isNew = (o: RawObject) =>
    o.partitionMillis >= previousMillis || o.mtimeMs >= previous.listedAt - MTIME_SLACK_MS;
  const fresh = objects.filter(isNew);
  const reread = objects.filter((o) => !isNew(o) && o.partitionMillis >= previousMillis - overlapMs);
  options.onProgress?.({ phase: 'reading', files: fresh.length + reread.length });

  const spill = mkdtempSync(join(tmpdir(), 'clickstream-compaction-'));
  const db = await LocalDatabase.open(':memory:', {
    memory_limit: options.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
    temp_directory: spill,
    // Insertion order is not needed (each day is sorted on write): lets DuckDB stream more.
    preserve_insertion_order: 'false',
  });
  try {
    await db.run("SET TimeZone = 'UTC'");
    for (const macro of TRINO_MACROS) await db.run(macro);
    const definitions = EVENT_COLUMNS.map((c) => `"${c.name}" ${c.duckdbType}`).join(', ');
    await db.run(`CREATE TEMP TABLE incoming (${definitions}, event_date DATE, reread BOOLEAN)`);
    const unreadable = [...(await load(db, fresh, false)), ...(await load(db, reread, true))];
    // An unreadable object keeps the watermark at its hour: the view keeps reading that partition raw
    // (where a query sees the same failure) until the object is repaired or removed.
    for (const bad of unreadable) {
      const object = objects.find((o) => o.key === bad.key)!;
      targetMillis = Math.min(targetMillis, Math.max(previousMillis, object.partitionMillis));
    }
    step('read', `${fresh.length + reread.length} objects`);

    const [totals] = await db.all<{ rows: bigint }>('SELECT count(*) AS rows FROM incoming WHERE NOT reread');
    const days = await db.all<{ d: string; n: bigint }>(
      'SELECT CAST(event_date AS VARCHAR) AS d, count(*) AS n FROM incoming GROUP BY d ORDER BY d',
    );
    let rowsMerged = 0;
    let dayIndex = 0;
    const rewritten: string[] = [];
    for (const { d: day, n: incomingRows } of days) {
      options.onProgress?.({ phase: 'merging', eventDate: day, day: ++dayIndex, days: days.length });
      const merged = await mergeDay(
        db,
        layout.dayFolder(day),
        layout.dayFile(day),
        day,
        Number(incomingRows),
        step,
      );
      rowsMerged += merged.rows;
      if (merged.written) rewritten.push(day);
    }
    step('merged', `${days.length} days`);

    const watermark = watermarkOf(targetMillis);
    const record: WatermarkRecord = { watermark, listedAt, completedAt: new Date().toISOString() };
    await writeWatermark(layout.watermarkFile, record);
    const rowsRead = Number(totals?.rows ?? 0n);
    return {
      previousWatermark: previous.watermark,
      watermark,
      filesRead: fresh.length,
      filesReread: reread.length,
      unreadable,
      filesWritten: rewritten.length,
      rowsRead,
      rowsMerged,
      duplicatesDropped: rowsRead - rowsMerged,
      eventDates: rewritten,
      elapsedMs: performance.now() - started,
    };
  } finally {
    db.close();
    rmSync(spill, { recursive: true, force: true });
  }
}

const COLUMNS = EVENT_COLUMNS.map((c) => `"${c.name}"`).join(', ');
const JSON_COLUMNS = EVENT_COLUMNS.map((c) => `${sqlString(c.name)}: ${sqlString(c.duckdbType)}`).join(', ');

function readRaw(paths: readonly string[]): string {
  return `read_json([${paths.map(sqlString).join(', ')}], format = 'newline_delimited', compression = 'gzip',
    columns = {${JSON_COLUMNS}})`;
}

/**
 * Appends the objects' events to `incoming`. Objects are read together; when that fails, one by one,
 * so that one unreadable object is reported and the others still merge.
 */
async function load(
  db: LocalDatabase,
  objects: readonly RawObject[],
  reread: boolean,
): Promise<UnreadableObject[]> {
  if (objects.length === 0) return [];
  const insert = (paths: readonly string[]) =>
    db.run(
      `INSERT INTO incoming SELECT ${COLUMNS}, CAST(from_iso8601_timestamp(event_time) AS date), ${reread}
       FROM ${readRaw(paths)}`,
    );
  try {
    await insert(objects.map((o) => o.path));
    return [];
  } catch {
    const unreadable: UnreadableObject[] = [];
    for (const object of objects) {
      try {
        await insert([object.path]);
      } catch (error) {
        unreadable.push({ key: object.key, error: (error as Error).message.split('\n')[0]! });
      }
    }
    return unreadable;
  }
}

/**
 * Rewrites one event day's file: its rows and the incoming rows of that day (`incomingRows` of them,
 * repeats included), one row per event_id (the copy received first), in DAY_FILE_ORDER.
 * Returns how many rows the day gained.
 */
async function mergeDay(
  db: LocalDatabase,
  folder: string,
  file: string,
  day: string,
  incomingRows: number,
  step: (step: CompactionStep, detail: string) => void,
): Promise<{ rows: number; written: boolean }> {
  await mkdir(folder, { recursive: true });
  const exists = await stat(file).then(
    () => true,
    () => false,
  );
  const existingRows = exists
    ? Number(
        (await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM read_parquet(${sqlString(file)})`))[0]!.n,
      )
    : 0;
  const incomingOfDay = `SELECT ${COLUMNS}, 1 AS source FROM incoming WHERE event_date = DATE ${sqlString(day)}`;
  if (exists) {
    // Rows re-read through the overlap change nothing: leave the day's file as it is.
    const [changes] = await db.all<{ n: bigint }>(
      `SELECT count(*) AS n FROM (${incomingOfDay}) AS i WHERE NOT EXISTS (
         SELECT 1 FROM read_parquet(${sqlString(file)}) AS p
         WHERE p.event_id = i.event_id AND p.received_at <= i.received_at)`,
    );
    if (changes?.n === 0n) return { rows: 0, written: false };
  }
  const existing = exists
    ? `SELECT ${COLUMNS}, 0 AS source FROM read_parquet(${sqlString(file)}) UNION ALL `
    : '';
  const temp = temporaryPath(folder);
  const [written] = await db.all<{ Count: bigint }>(
    `COPY (
       SELECT ${COLUMNS} FROM (
         SELECT *, row_number() OVER (PARTITION BY event_id ORDER BY received_at, source) AS copy
         FROM (${existing}${incomingOfDay})
       )
       WHERE copy = 1
       ORDER BY ${DAY_FILE_ORDER.join(', ')}
     ) TO ${sqlString(temp)} (${dayFileCopyOptions(existingRows + incomingRows)})`,
  );
  await syncFile(temp);
  step('day-written', day);
  await renameIntoPlace(temp, file);
  step('day-renamed', day);
  return { rows: Number(written?.Count ?? 0n) - existingRows, written: true };
}

const PARTITION = /^dt=(\d{4}-\d{2}-\d{2})$/;
const HOUR = /^hour=([01]\d|2[0-3])$/;

/** Every delivered events object, `events/dt=.../hour=.../*.gz`, with its partition's hour and mtime. */
export async function listRawObjects(lakeDir: string): Promise<RawObject[]> {
  const eventsDir = join(lakeDir, 'events');
  const objects: RawObject[] = [];
  for (const dtEntry of await readdirOrEmpty(eventsDir)) {
    const dt = PARTITION.exec(dtEntry)?.[1];
    if (dt === undefined) continue;
    for (const hourEntry of await readdirOrEmpty(join(eventsDir, dtEntry))) {
      const hour = HOUR.exec(hourEntry)?.[1];
      if (hour === undefined) continue;
      const folder = join(eventsDir, dtEntry, hourEntry);
      for (const name of await readdirOrEmpty(folder)) {
        if (!name.endsWith('.gz') || name.startsWith('.')) continue;
        const path = join(folder, name);
        const info = await stat(path).catch(() => undefined);
        if (info === undefined || !info.isFile()) continue;
        objects.push({
          key: `events/${dtEntry}/${hourEntry}/${name}`,
          path,
          partitionMillis: watermarkMillis({ dt, hour }),
          mtimeMs: info.mtimeMs,
        });
      }
    }
  }
  return objects.sort((a, b) => a.key.localeCompare(b.key));
}

async function readdirOrEmpty(folder: string): Promise<string[]> {
  try {
    return (await readdir(folder)).sort();
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code === 'ENOENT' ||
      (error as NodeJS.ErrnoException).code === 'ENOTDIR'
    )
      return [];
    throw error;
  }
}

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
