import { appendFile, mkdtemp, open, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Spool, type SpooledRecord } from '../../../local/pipeline/spool';

function record(id: string, data = `${id}\n`): SpooledRecord {
  return { id, arrivedAt: 1_795_000_000_000, data: Buffer.from(data) };
}

const ids = (records: readonly SpooledRecord[]) => records.map((r) => r.id);

/** What the next start would recover; the spool it opens is closed again. */
async function recoveredOnRestart(dir: string) {
  const { spool, recovered } = await Spool.open(dir);
  await spool.close();
  return recovered;
}

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

    expect(ids(segment!.records)).toEqual(['a', 'b', 'c']);
    expect(segment!.bytes).toBe(6);
    expect(spool.openRecords).toBe(0);
    await spool.close();
  });

  it('seals nothing, and makes no segment file, when nothing was appended since the last seal', async () => {
    const { spool } = await Spool.open(dir);
    await spool.append([record('a')]);
    const [first, second] = await Promise.all([spool.seal(), spool.seal()]);

    expect(ids(first!.records)).toEqual(['a']);
    expect(second).toBeUndefined();
    await spool.release(first!);
    await spool.close();
    expect(await readdir(dir)).toEqual([]);
  });

  it('puts concurrent appends in the segment sealed after them, and later ones in the next', async () => {
    const { spool } = await Spool.open(dir);

    const first = Promise.all([spool.append([record('a')]), spool.append([record('b')])]);
    const sealed = spool.seal();
    const later = spool.append([record('c')]);
    await Promise.all([first, later]);

    expect(ids((await sealed)!.records)).toEqual(['a', 'b']);
    expect(ids((await spool.seal())!.records)).toEqual(['c']);
    await spool.close();
  });

  it('recovers every appended record after the process stops without sealing', async () => {
    const first = await Spool.open(dir);
    await first.spool.append([record('a'), record('b', 'binary \u0000 and newline \n inside')]);
    const delivered = await first.spool.seal();
    await first.spool.append([record('c')]);
    await first.spool.close();

    const recovered = await recoveredOnRestart(dir);

    expect(recovered.map((s) => ids(s.records))).toEqual([['a', 'b'], ['c']]);
    expect(recovered[0]?.records[1]?.data.toString()).toBe('binary \u0000 and newline \n inside');
    expect(recovered[0]?.id).toBe(delivered?.id);
  });

  it('does not recover a released segment', async () => {
    const first = await Spool.open(dir);
    await first.spool.append([record('a')]);
    await first.spool.release((await first.spool.seal())!);
    await first.spool.append([record('b')]);
    await first.spool.close();

    const recovered = await recoveredOnRestart(dir);

    expect(recovered.map((s) => ids(s.records))).toEqual([['b']]);
  });

  it('drops a torn last line (written, never synced, never acknowledged), and reports and counts it', async () => {
    const first = await Spool.open(dir);
    await first.spool.append([record('a')]);
    await first.spool.close();
    const [segmentFile] = await readdir(dir);
    await appendFile(join(dir, segmentFile!), '{"i":"torn","t":17950000');
    const problems: string[] = [];

    const { spool, recovered, unreadableLines } = await Spool.open(dir, {
      onProblem: (m) => problems.push(m),
    });
    await spool.close();

    expect(recovered.map((s) => ids(s.records))).toEqual([['a']]);
    expect(unreadableLines).toBe(1);
    expect(problems).toEqual([expect.stringContaining(`${segmentFile}: dropped a line cut off at its end`)]);
  });

  it('drops a damaged line inside a segment, keeps the lines around it, and reports it', async () => {
    const first = await Spool.open(dir);
    await first.spool.append([record('a')]);
    const [segmentFile] = await readdir(dir);
    await appendFile(join(dir, segmentFile!), 'not a spool line\n');
    await first.spool.append([record('b')]);
    await first.spool.close();
    const problems: string[] = [];

    const { spool, recovered, unreadableLines } = await Spool.open(dir, {
      onProblem: (m) => problems.push(m),
    });
    await spool.close();

    expect(recovered.map((s) => ids(s.records))).toEqual([['a', 'b']]);
    expect(unreadableLines).toBe(1);
    expect(problems).toEqual([expect.stringContaining('dropped unreadable line 2')]);
  });

  it('fails appends while a segment file will not open (EMFILE), then opens one and goes on', async () => {
    let failures = 2;
    const problems: string[] = [];
    const { spool } = await Spool.open(dir, {
      openRetryDelaysMs: [],
      onProblem: (m) => problems.push(m),
      openFile: async (path) => {
        if (failures > 0) {
          failures -= 1;
          throw Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
        }
        return open(path, 'a');
      },
    });

    const refused = await Promise.allSettled([spool.append([record('a')]), spool.append([record('b')])]);
    await expect(spool.append([record('c')])).rejects.toThrow('EMFILE');
    await spool.append([record('d')]);

    expect(refused.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(problems).toHaveLength(2);
    expect(ids((await spool.seal())!.records)).toEqual(['d']);
    await spool.close();
  });

  it('retries opening a segment file with backoff before failing the appends', async () => {
    let failures = 2;
    const { spool } = await Spool.open(dir, {
      openRetryDelaysMs: [1, 1],
      openFile: async (path) => {
        if (failures-- > 0) throw new Error('EMFILE: too many open files');
        return open(path, 'a');
      },
    });

    await spool.append([record('a')]);

    expect(ids((await spool.seal())!.records)).toEqual(['a']);
    await spool.close();
  });

  it('recreates its folder when it was deleted, and recovers the records appended since', async () => {
    const { spool } = await Spool.open(dir);
    await spool.append([record('a')]);
    await spool.seal();
    await rm(dir, { recursive: true });

    await spool.append([record('b')]);
    await spool.close();

    expect((await recoveredOnRestart(dir)).map((s) => ids(s.records))).toEqual([['b']]);
  });

  it('writes segment files readable by their owner only', async () => {
    const { spool } = await Spool.open(dir);
    await spool.append([record('a')]);
    const [segmentFile] = await readdir(dir);

    expect((await stat(join(dir, segmentFile!))).mode & 0o777).toBe(0o600);
    await spool.close();
  });

  it('refuses appends once closed, and leaves no file when nothing was appended', async () => {
    const { spool } = await Spool.open(dir);
    await spool.close();

    await expect(spool.append([record('a')])).rejects.toThrow('closed');
    expect(await readdir(dir)).toEqual([]);
  });

  it('numbers new segments after the recovered ones, so order survives restarts', async () => {
    const first = await Spool.open(dir);
    await first.spool.append([record('a')]);
    await first.spool.close();
    const second = await Spool.open(dir);
    await second.spool.append([record('b')]);
    await second.spool.close();

    const recovered = await recoveredOnRestart(dir);

    expect(recovered.map((s) => ids(s.records))).toEqual([['a'], ['b']]);
  });
});
