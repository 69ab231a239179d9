import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReplayReport } from '../../local/pipeline/replay';
import { generateTraffic } from '../../local/traffic/generate-traffic';
import { clickstream, PROCESS_TEST_CEILING_MS } from './helpers';

describe('the local pipeline commands', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cli-e2e-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(
    'replay sends a file through a pipeline it starts and reports every line (JSON report)',
    async () => {
      const { lines } = generateTraffic({ events: 400, end: Date.now(), seed: 5, malformedRate: 0.05 });
      const file = join(dir, 'events.ndjson');
      await writeFile(file, `${lines.join('\n')}\n`);

      const result = await clickstream([
        'replay',
        file,
        '--data-dir',
        join(dir, 'data'),
        '--format',
        'json',
        '--endpoint-url',
        'http://127.0.0.1:9',
      ]);
      const started = await clickstream([
        'replay',
        file,
        '--data-dir',
        join(dir, 'data'),
        '--format',
        'json',
      ]);

      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/no clickstream endpoint answers at http:\/\/127\.0\.0\.1:9/);
      expect(started.code, started.stderr).toBe(0);
      const report = JSON.parse(started.stdout) as ReplayReport;
      expect(report.lines).toBe(lines.length);
      expect(report).toMatchObject({ mode: 'as-now', sent: lines.length, acknowledged: lines.length });
      expect(report.pipeline.accepted).toBe(report.sent);
      expect(report.pipeline.failed).toBeGreaterThan(0);
      expect(report.summaries.windowsWritten).toBeGreaterThan(0);
    },
    PROCESS_TEST_CEILING_MS,
  );

  it(
    'demo generates, replays and shows the results, and can run again',
    async () => {
      const dataDir = join(dir, 'data');
      const args = ['demo', '--events', '100', '--data-dir', dataDir, '--summary-interval', '0'];

      const first = await clickstream(args);
      const second = await clickstream(args);

      expect(first.code, first.stderr).toBe(0);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toMatch(/removed the previous run's/);
      for (const heading of [
        '15-minute summaries of',
        'Failed events in the lake',
        'CTR and attributed conversion rate by campaign',
        'Where to look next',
      ]) {
        expect(second.stdout).toContain(heading);
      }
      expect((await readdir(dataDir)).sort()).toEqual(
        ['demo-traffic.ndjson', 'event-index.duckdb', 'lake', 'spool', 'summaries'].sort(),
      );
    },
    PROCESS_TEST_CEILING_MS,
  );

  it.each([
    [['serve', '--buffer-size', '0'], /--buffer-size must be a number from/],
    [['serve', '--port', 'http'], /--port must be a number from 0 to 65535/],
    [['serve', '--drain-timeout', '-1'], /--drain-timeout must be a number from 0 to 3600/],
    [['replay', 'no-such-file.ndjson'], /cannot read no-such-file\.ndjson/],
    [['replay', '.'], /cannot read \.: not a file/],
    [['demo', '--events', '-5'], /--events must be a number from/],
  ])('%j is a usage error (exit 2) naming the input', async (args, message) => {
    const result = await clickstream([...args, '--data-dir', join(dir, 'data')]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
