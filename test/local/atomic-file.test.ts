import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renameIntoPlace, writeFileAtomically, writeTemporaryFile } from '../../local/atomic-file';
import { removeTemporaryFiles } from '../../local/pipeline/data-dir';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'atomic-file-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('writeFileAtomically', () => {
  it('replaces a file whole, owner-only, and leaves no temporary file behind', async () => {
    const path = join(root, 'state.json');
    await writeFile(path, 'old', { mode: 0o644 });

    await writeFileAtomically(path, 'new');

    expect(await readFile(path, 'utf8')).toBe('new');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(root)).toEqual(['state.json']);
  });

  it('writes bytes as given', async () => {
    const path = join(root, 'object.gz');

    await writeFileAtomically(path, Uint8Array.of(0, 255, 10));

    expect([...(await readFile(path))]).toEqual([0, 255, 10]);
  });

  it('keeps the old content and removes its temporary file when the rename fails', async () => {
    // A non-empty folder cannot be renamed over.
    const path = join(root, 'taken');
    await mkdir(path);
    await writeFile(join(path, 'inside'), 'kept');

    await expect(writeFileAtomically(path, 'new')).rejects.toThrow();

    expect(await readdir(root)).toEqual(['taken']);
    expect(await readFile(join(path, 'inside'), 'utf8')).toBe('kept');
  });
});

describe('writeTemporaryFile and renameIntoPlace', () => {
  it('names the temporary file so that the start-up clean-up removes one a crash left', async () => {
    const temp = await writeTemporaryFile(root, 'half');

    expect(await removeTemporaryFiles(root)).toEqual([temp]);
    expect(await readdir(root)).toEqual([]);
  });

  it('moves a complete temporary file into place', async () => {
    const temp = await writeTemporaryFile(root, 'whole');

    await renameIntoPlace(temp, join(root, 'file'));

    expect(await readdir(root)).toEqual(['file']);
    expect(await readFile(join(root, 'file'), 'utf8')).toBe('whole');
  });
});
