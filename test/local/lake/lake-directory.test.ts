import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LakeDirectory } from '../../../local/lake/lake-directory';
import { removeTemporaryFiles } from '../../../local/pipeline/data-dir';

describe('LakeDirectory', () => {
  let root: string;
  let lake: LakeDirectory;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'lake-'));
    lake = new LakeDirectory(join(root, 'lake'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('stores an object under its S3 key as a file and reads it back', async () => {
    const key = 'events/dt=2026-11-22/hour=07/clickstream-events-1-2026-11-22-07-00-00-abc.gz';

    await lake.put(key, Buffer.from('payload'));

    expect((await lake.get(key)).toString()).toBe('payload');
    expect(lake.pathOf(key)).toBe(
      join(root, 'lake', 'events', 'dt=2026-11-22', 'hour=07', key.split('/')[3]!),
    );
  });

  it('replaces an object whole and leaves no temporary file behind', async () => {
    await lake.put('events/a.gz', Buffer.from('first'));

    await lake.put('events/a.gz', Buffer.from('second'));

    expect((await lake.get('events/a.gz')).toString()).toBe('second');
    expect(await readdir(join(root, 'lake', 'events'))).toEqual(['a.gz']);
  });

  it('writes objects readable by their owner only', async () => {
    await lake.put('events/a.gz', Buffer.from('first'));

    expect((await stat(lake.pathOf('events/a.gz'))).mode & 0o777).toBe(0o600);
  });

  it('lists no temporary file a crash left, and removeTemporaryFiles removes them', async () => {
    await lake.put('events/dt=1/a.gz', Buffer.from('a'));
    const left = join(root, 'lake', 'events', 'dt=1', '.tmp-0b6f6c36-crashed');
    await writeFile(left, 'half an object');

    expect(await lake.list('')).toEqual(['events/dt=1/a.gz']);
    expect(await removeTemporaryFiles(root)).toEqual([left]);
    expect(await readdir(join(root, 'lake', 'events', 'dt=1'))).toEqual(['a.gz']);
  });

  it('lists keys under a prefix in order, across folders', async () => {
    for (const key of ['events/dt=2/b.gz', 'errors/processing-failed/dt=1/c.gz', 'events/dt=1/a.gz']) {
      await lake.put(key, Buffer.from(key));
    }

    expect(await lake.list('events/')).toEqual(['events/dt=1/a.gz', 'events/dt=2/b.gz']);
    expect(await lake.list('')).toHaveLength(3);
  });

  it('lists nothing for a lake that does not exist yet', async () => {
    expect(await lake.list('events/')).toEqual([]);
  });

  it.each([
    ['a parent segment', '../outside.gz'],
    ['a nested parent segment', 'events/../../outside.gz'],
    ['an absolute key', '/etc/passwd'],
    ['an empty segment', 'events//a.gz'],
    ['a current-folder segment', 'events/./a.gz'],
    ['a backslash', 'events\\..\\a.gz'],
    ['an empty key', ''],
    ['the temporary-file prefix', 'events/.tmp-123'],
  ])('refuses a key with %s', async (_, key) => {
    await expect(lake.put(key, Buffer.from('x'))).rejects.toThrow(/key/);
  });
});
