import { open, rename, rm, stat, utimes } from 'node:fs/promises';
import { dirname } from 'node:path';
import { syncDirectory } from '../lake/lake-directory';
import { PRIVATE_FILE_MODE, temporaryPath } from '../pipeline/data-dir';

/**
 * Replaces a file's content atomically, as the lake directory writes objects: a temporary file in
 * the same folder (`.tmp-<uuid>`, removed at the next start if a crash leaves it), fsync'ed, then
 * renamed over the file and the folder fsync'ed. A crash leaves the old content or the new, never a
 * torn file. The file keeps its modification time, so that the compaction, which finds raw objects
 * written after its last run by their mtime, does not take a rewritten object for a new one.
 * `beforeRename` is a test hook: throwing there leaves what a kill between the two steps leaves.
 */
export async function replaceFile(path: string, body: Uint8Array, beforeRename?: () => void): Promise<void> {
  const folder = dirname(path);
  const before = await stat(path);
  const temp = temporaryPath(folder);
  const file = await open(temp, 'wx', PRIVATE_FILE_MODE);
  try {
    await file.writeFile(body);
    await file.sync();
  } finally {
    await file.close();
  }
  // In seconds as numbers: a Date would drop the sub-millisecond part of the time.
  await utimes(temp, before.atimeMs / 1000, before.mtimeMs / 1000);
  beforeRename?.();
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(folder);
}

/** fsync of a file written by someone else (DuckDB's COPY), before it is renamed into place. */
export async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
