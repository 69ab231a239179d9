import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Spool, type SpooledRecord } from '../../../local/pipeline/spool';

function record(id: string, data = `${id}\n`): SpooledRecord {
  return { id, arrivedAt: 1_795_000_000_000, data: Buffer.from(data) };
}

const ids = (records: readonly SpooledRecord[]) => records.map((r) => r.id);

describe('Spool', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'spool-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('seals what was appended, in order, and starts an empty segment', async () => {
    const { spool } = await Spool.open(dir);
    await spool.append([record('a'), record('b')]);
    await spool.append([record('c')]);

    const segment = await spool.seal();

    expect(ids(segment.records)).toEqual(['a', 'b', 'c']);
    expect(segment.bytes).toBe(6);
    expect(spool.openRecords).toBe(0);
    await spool.close();
  });

  it('puts concurrent appends in the segment sealed after them, and later ones in the next', async () => {
    const { spool } = await Spool.open(dir);

    const first = Promise.all([spool.append([record('a')]), spool.append([record('b')])]);
    const sealed = spool.seal();
    const later = spool.append([record('c')]);
    await Promise.all([first, later]);

    expect(ids((await sealed).records)).toEqual(['a', 'b']);
    expect(ids((await spool.seal()).records)).toEqual(['c']);
    await spool.close();
  });

  it('recovers every appended record after the process stops without sealing', async () => {
    const first = await Spool.open(dir);
    await first.spool.append([record('a'), record('b', 'binary \u0000 and newline \n inside')]);
    const delivered = await first.spool.seal();
    await first.spool.append([record('c')]);
    await first.spool.close();

    const { recovered } = await Spool.open(dir);

    expect(recovered.map((s) => ids(s.records))).toEqual([['a', 'b'], ['c']]);
    expect(recovered[0]?.records[1]?.data.toString()).toBe('binary \u0000 and newline \n inside');
    expect(recovered[0]?.id).toBe(delivered.id);
  });

  it('does not recover a released segment', async () => {
    const first = await Spool.open(dir);
    await first.spool.append([record('a')]);
    await first.spool.release(await first.spool.seal());
    await first.spool.append([record('b')]);
    await first.spool.close();

    const { recovered } = await Spool.open(dir);

    expect(recovered.map((s) => ids(s.records))).toEqual([['b']]);
  });

  it('ignores a torn last line (written, never synced, never acknowledged)', async () => {
    const first = await Spool.open(dir);
    await first.spool.append([record('a')]);
    await first.spool.close();
    const [segmentFile] = await readdir(dir);
    await appendFile(join(dir, segmentFile!), '{"i":"torn","t":17950000');

    const { recovered } = await Spool.open(dir);

    expect(recovered.map((s) => ids(s.records))).toEqual([['a']]);
  });

  it('numbers new segments after the recovered ones, so order survives restarts', async () => {
    const first = await Spool.open(dir);
    await first.spool.append([record('a')]);
    await first.spool.close();
    const second = await Spool.open(dir);
    await second.spool.append([record('b')]);
    await second.spool.close();

    const { recovered } = await Spool.open(dir);

    expect(recovered.map((s) => ids(s.records))).toEqual([['a'], ['b']]);
  });
});
