import { appendFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dataDirLayout } from '../../../local/pipeline/data-dir';
import { type LocalPipeline, startLocalPipeline } from '../../../local/pipeline/local-pipeline';
import { Spool } from '../../../local/pipeline/spool';
import { readLake, silenceLambdaTelemetry, wireEvent } from '../../e2e/helpers';

silenceLambdaTelemetry();

const HOUR = 3_600_000;
const QUIET = { buffering: { sizeBytes: 64 * 2 ** 20, intervalMs: HOUR }, summaryIntervalSeconds: 0 };

describe('starting the local pipeline on a data dir a stopped run left', () => {
  let dataDir: string;
  let pipeline: LocalPipeline | undefined;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'pipeline-start-'));
  });
  afterEach(async () => {
    await pipeline?.close();
    pipeline = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('removes the temporary files it left, wherever they are, and says so', async () => {
    const layout = dataDirLayout(dataDir);
    const left = [
      join(layout.lake, 'events', 'dt=2026-11-22', 'hour=07', '.tmp-5d0e'),
      join(dataDir, 'summaries', 'adv-1', '.tmp-77aa'),
      join(dataDir, '.tmp-91bc.ndjson'),
    ];
    for (const path of left) {
      await mkdir(join(path, '..'), { recursive: true });
      await writeFile(path, 'half written');
    }
    const problems: string[] = [];

    pipeline = await startLocalPipeline({ dataDir, ...QUIET, onProblem: (m) => problems.push(m) });

    for (const path of left) expect(await readdir(join(path, '..'))).not.toContain(path.split('/').at(-1));
    expect(problems).toContain('removed 3 temporary files a stopped run left');
  });

  it('delivers the readable lines of a spool segment with a line cut off, and reports and counts that line', async () => {
    const spoolDir = dataDirLayout(dataDir).spool('clickstream-events');
    const first = await Spool.open(spoolDir);
    const line = Buffer.from(`${JSON.stringify(wireEvent('kept'))}\n`);
    await first.spool.append([{ id: 'r1', arrivedAt: Date.now(), data: line }]);
    await first.spool.close();
    const [segment] = await readdir(spoolDir);
    await appendFile(join(spoolDir, segment!), '{"i":"r2","t":17');
    const problems: string[] = [];

    pipeline = await startLocalPipeline({ dataDir, ...QUIET, onProblem: (m) => problems.push(m) });
    const { stats } = await pipeline.flush();

    expect(stats).toMatchObject({ delivered: 1, unreadableSpoolLines: 1 });
    expect(problems).toEqual([expect.stringContaining('dropped a line cut off at its end')]);
    expect((await readLake(dataDirLayout(dataDir).lake, 'events/')).map((e) => e.event_id)).toEqual(['kept']);
  });
});
