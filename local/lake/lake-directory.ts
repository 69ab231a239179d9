import type { Dirent } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { PRIVATE_FILE_MODE, TEMPORARY_PREFIX, temporaryPath } from '../pipeline/data-dir';
import type { ObjectStore } from './object-store';

// An S3 key segment we accept: no empty segments, no `.`/`..`, no backslashes or NULs, so a key
// can never name a path outside the lake.
const UNSAFE_SEGMENT = /^\.{1,2}$|[\\\0]/;

/**
 * The lake bucket as a directory: `<root>/<key>`. Writes go to a temporary file in the target
 * folder (`.tmp-<uuid>`, removed at the pipeline's next start if a crash leaves it), are fsync'ed,
 * then renamed into place (and the folder fsync'ed), so a reader (DuckDB's glob over `*.gz`) never
 * sees a partial object and a crash never leaves a torn one. Objects are readable by their owner
 * only: they hold IPs and user ids.
 */
export class LakeDirectory implements ObjectStore {
  constructor(readonly root: string) {}

  /** The file a key is stored in. Throws for keys that are not plain relative S3 keys. */
  pathOf(key: string): string {
    const segments = key.split('/');
    if (key.length === 0 || segments.some((s) => s.length === 0 || UNSAFE_SEGMENT.test(s))) {
      throw new Error(`invalid object key ${JSON.stringify(key)}`);
    }
    if (segments.at(-1)?.startsWith(TEMPORARY_PREFIX)) {
      throw new Error(`object key ${JSON.stringify(key)} uses the reserved prefix ${TEMPORARY_PREFIX}`);
    }
    return join(this.root, ...segments);
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const target = this.pathOf(key);
    const folder = dirname(target);
    await mkdir(folder, { recursive: true });
    const temp = temporaryPath(folder);
    const file = await open(temp, 'wx', PRIVATE_FILE_MODE);
    try {
      await file.writeFile(body);
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    await syncDirectory(folder);
  }

  async get(key: string): Promise<Buffer> {
    return readFile(this.pathOf(key));
  }

  async list(prefix: string): Promise<string[]> {
    let entries: Dirent[];
    try {
      entries = await readdir(this.root, { recursive: true, withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return entries
      .filter((entry) => entry.isFile() && !entry.name.startsWith(TEMPORARY_PREFIX))
      .map((entry) => relative(this.root, join(entry.parentPath, entry.name)).split(sep).join('/'))
      .filter((key) => key.startsWith(prefix))
      .sort();
  }
}

/** Makes a rename durable: the new directory entry survives a crash only once the folder is synced. */
export async function syncDirectory(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
