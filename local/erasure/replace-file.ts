import { stat, utimes } from 'node:fs/promises';
import { dirname } from 'node:path';
import { renameIntoPlace, writeTemporaryFile } from '../atomic-file';

/**
 * Replaces a file's content atomically, as the lake directory writes objects (see
 * writeFileAtomically). The file keeps its modification time, so that the compaction, which finds
 * raw objects written after its last run by their mtime, does not take a rewritten object for a
 * new one. `beforeRename` is a test hook: throwing there leaves what a kill between the two steps
 * leaves.
 */
export async function replaceFile(path: string, body: Uint8Array, beforeRename?: () => void): Promise<void> {
  const before = await stat(path);
  const temp = await writeTemporaryFile(dirname(path), body);
  // In seconds as numbers: a Date would drop the sub-millisecond part of the time.
  await utimes(temp, before.atimeMs / 1000, before.mtimeMs / 1000);
  beforeRename?.();
  await renameIntoPlace(temp, path);
}
