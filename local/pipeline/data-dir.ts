import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DELIVERY_STREAM_NAME_PATTERN } from '../../contract';

/**
 * How every temporary file in a data dir is named: a file written whole under this name, then
 * renamed into place (a lake object, a summary file) or deleted once read (an index batch). Any
 * file so named at start was left by a process that was killed, and is removed.
 */
export const TEMPORARY_PREFIX = '.tmp-';

/** Mode of the pipeline's files: events hold IPs and user ids, so only the owner reads them. */
export const PRIVATE_FILE_MODE = 0o600;

/** A fresh temporary file name in `folder` (`.tmp-<uuid><suffix>`); open it with flag `wx` and PRIVATE_FILE_MODE. */
export function temporaryPath(folder: string, suffix = ''): string {
  return join(folder, `${TEMPORARY_PREFIX}${randomUUID()}${suffix}`);
}

/**
 * Removes every temporary file under `folder`, at any depth; returns their paths. Only while the
 * data dir is locked: a running pipeline's temporary files are in use.
 */
export async function removeTemporaryFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  });
  const temporary = entries
    .filter((entry) => entry.isFile() && entry.name.startsWith(TEMPORARY_PREFIX))
    .map((entry) => join(entry.parentPath, entry.name));
  for (const path of temporary) await rm(path, { force: true });
  return temporary;
}

/**
 * A delivery stream name (Firehose's rule) that is also safe as the spool folder's name: Firehose
 * allows a name of dots only, which as a folder (`..`) would put the spool outside `spool/`.
 */
export function isLocalStreamName(name: string): boolean {
  return DELIVERY_STREAM_NAME_PATTERN.test(name) && !/^\.+$/.test(name);
}

/** Where the local pipeline keeps things under its data dir (documented in docs/local-pipeline.md). */
export function dataDirLayout(dataDir: string) {
  return {
    /** The lake bucket: `events/…` and `errors/…` exactly as Firehose writes S3 keys. */
    lake: join(dataDir, 'lake'),
    /** Write-ahead spool of acknowledged, not yet delivered records, one folder per stream. */
    spool: (streamName: string) => join(dataDir, 'spool', streamName),
    /** The event index (OpenSearch's stand-in), a DuckDB file owned by the running pipeline. */
    eventIndex: join(dataDir, 'event-index.duckdb'),
    /** The windows of delivered events not yet summarised (see UnsummarisedWindows). */
    unsummarised: join(dataDir, 'unsummarised-windows.json'),
    /** Holds the pid of the process running the pipeline on this data dir. */
    lock: join(dataDir, 'pipeline.pid'),
    /** The traffic `clickstream demo` generates. */
    demoTraffic: join(dataDir, 'demo-traffic.ndjson'),
  };
}

/** What the pipeline writes in a data dir (the summary store keeps `summaries/`). */
const PIPELINE_ENTRIES = [
  'lake',
  'spool',
  'summaries',
  'event-index.duckdb',
  'event-index.duckdb.wal',
  'unsummarised-windows.json',
  'demo-traffic.ndjson',
];

/**
 * Empties a data dir of what the pipeline wrote there, leaving any other file alone. Refuses while
 * a pipeline runs on it. Returns the entries removed.
 */
export async function resetDataDir(dataDir: string): Promise<string[]> {
  const release = await lockDataDir(dataDir);
  try {
    const present = await readdir(dataDir).catch(() => [] as string[]);
    const removed = present.filter((name) => PIPELINE_ENTRIES.includes(name));
    for (const name of removed) await rm(join(dataDir, name), { recursive: true, force: true });
    return removed;
  } finally {
    await release();
  }
}

/**
 * Takes the data dir for this process: the spool and the DuckDB index allow one writer. A lock
 * left by a process that no longer runs (killed) is taken over. Returns the release function.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const path = dataDirLayout(dataDir).lock;
  await mkdir(dataDir, { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const file = await open(path, 'wx');
      await file.writeFile(String(process.pid));
      await file.close();
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isRunning(owner)) {
        throw new Error(
          `another clickstream pipeline (pid ${owner}) is using ${dataDir}; stop it, send it events with --endpoint-url, or use another --data-dir`,
        );
      }
      await rm(path, { force: true });
    }
  }
  throw new Error(`could not lock ${dataDir} (${path} keeps reappearing)`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
