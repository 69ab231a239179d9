import type { Dirent } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { writeFileAtomically } from '../atomic-file';
import { TEMPORARY_PREFIX } from '../pipeline/data-dir';
import type { ObjectStore } from './object-store';

// An S3 key segment we accept: no empty segments, no `.`/`..`, no backslashes or NULs, so a key
// can never name a path outside the lake.
const UNSAFE_SEGMENT = /^\.{1,2}$|[\\\0]/;

/**
 * The lake bucket as a directory: `<root>/<key>`. Objects are written atomically (see
 * writeFileAtomically), so a reader (DuckDB's glob over `*.gz`) never sees a partial object and a
 * crash never leaves a torn one; they are readable by their owner only: they hold IPs and user ids.
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
    await mkdir(dirname(target), { recursive: true });
    await writeFileAtomically(target, body);
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
