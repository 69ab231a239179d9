import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PRIVATE_FILE_MODE, temporaryPath } from './pipeline/data-dir';

/**
 * Writes `path` whole or not at all: a crash leaves the old content or the new, never a torn file.
 * The new content goes to a temporary file in the same folder (`.tmp-<uuid>`, removed at the
 * pipeline's next start if a crash leaves it), readable by its owner only, fsync'ed, then renamed
 * over `path` and the folder fsync'ed. The folder must exist.
 */
export async function writeFileAtomically(path: string, body: string | Uint8Array): Promise<void> {
  const temp = await writeTemporaryFile(dirname(path), body);
  await renameIntoPlace(temp, path);
}

/** Writes `body` to a fresh owner-only temporary file in `folder`, fsync'ed; returns its path. */
export async function writeTemporaryFile(folder: string, body: string | Uint8Array): Promise<string> {
  const temp = temporaryPath(folder);
  const file = await open(temp, 'wx', PRIVATE_FILE_MODE);
  try {
    await file.writeFile(body);
    await file.sync();
  } finally {
    await file.close();
  }
  return temp;
}

/**
 * Renames a complete, fsync'ed temporary file over `path` (in the same folder) and makes the rename
 * durable. A failed rename removes the temporary file.
 */
export async function renameIntoPlace(temp: string, path: string): Promise<void> {
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(dirname(path));
}

/** fsync of a file written by someone else (DuckDB's COPY), before it is renamed into place. */
export function syncFile(path: string): Promise<void> {
  return fsync(path, 'r+');
}

/** Makes a rename durable: the new directory entry survives a crash only once the folder is synced. */
export function syncDirectory(folder: string): Promise<void> {
  return fsync(folder, 'r');
}

async function fsync(path: string, flags: 'r' | 'r+'): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
