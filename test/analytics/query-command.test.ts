import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSavedQueries } from '../../analytics/catalog';
import { writeFixtureLake } from './lake-fixture';

const CLI = join(import.meta.dirname, '../../cli/clickstream.js');
let dataDir: string;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'clickstream-cli-'));
  writeFixtureLake(join(dataDir, 'lake'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function clickstream(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], {
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('clickstream query', () => {
  it('lists every saved query with its parameters', async () => {
    const { code, stdout } = await clickstream('query', 'list');

    expect(code).toBe(0);
    for (const q of loadSavedQueries()) expect(stdout).toContain(`${q.name}  `);
    expect(stdout).toContain('ctr_by_campaign  start_date:date end_date:date attribution_days:integer');
    expect(stdout).toContain('    gap_minutes (integer, from 1 to 1440): ');
    expect(stdout).toContain('    end_date (date, on or after start_date): ');
  });

  it('runs a query on the local lake, values by position and by name, as CSV', async () => {
    const args =
      'query run ctr_by_campaign 2026-11-01 --param end_date=2026-11-02 --param attribution_days=1 --format csv --verbose';

    const { code, stdout, stderr } = await clickstream(...args.split(' '), '--data-dir', dataDir);

    expect(code).toBe(0);
    expect(stdout).toBe(
      'advertiser_id,campaign_id,impressions,clicks,conversions,bot_impressions,bot_clicks,ctr,attributed_conversions,conversion_rate\r\n' +
        `adv-a,c1,3,2,1,0,0,${2 / 3},1,0.5\r\nadv-b,c2,1,0,0,0,0,0,0,\r\n`,
    );
    expect(stderr).toMatch(/scan read \d+ files \(first \d+ in dt=/);
  });

  it.each([
    [
      ['query', 'run', 'ctr_by_campain', '2026-11-01', '2026-11-02'],
      2,
      'unknown query "ctr_by_campain": did you mean ctr_by_campaign?',
    ],
    [
      ['query', 'run', 'sessions', '2026-11-01', '2026-11-02'],
      2,
      'missing parameter gap_minutes, a whole number',
    ],
    [
      ['query', 'run', 'top_pages', '2026-11-01', '2026-11-07', '--param', 'window_dayz=2'],
      2,
      'top_pages: unknown parameter window_dayz (did you mean window_days?); top_pages takes start_date, end_date, window_days, top_n',
    ],
    [
      ['query', 'run', 'sessions', '2026-11-01', '2026-11-02', '0'],
      2,
      'sessions: parameter gap_minutes must be a whole number from 1 to 1440, got "0"',
    ],
    [
      ['query', 'run', 'top_pages', '2026-11-01', '2026-11-07', '10001', '10'],
      2,
      'parameter window_days must be a whole number from 1 to 10000, got "10001"',
    ],
    [
      ['query', 'run', 'top_pages', '2026-11-01', '2026-11-07', '7', '-1'],
      2,
      'parameter top_n must be a whole number of at least 1, got "-1"',
    ],
    [
      ['query', 'run', 'ctr_by_campaign', '2026-11-07', '2026-11-01', '1'],
      2,
      'parameter end_date must be a date YYYY-MM-DD on or after start_date (2026-11-07), got "2026-11-01"',
    ],
    [
      // Athena gets the same rule: the values are refused before any request.
      [
        'query',
        'run',
        'funnel',
        '2026-11-01',
        '2026-11-07',
        '0',
        '--athena',
        '--workgroup',
        'w',
        '--database',
        'd',
      ],
      2,
      'parameter attribution_days must be a whole number from 1 to 365, got "0"',
    ],
    [
      [
        'query',
        'run',
        'sessions',
        '2026-11-01',
        '2026-11-02',
        '30',
        '--data-dir',
        '/nonexistent/clickstream',
      ],
      1,
      'holds no events and no failed records',
    ],
    [
      [
        'query',
        'run',
        'top_pages',
        '--athena',
        '--workgroup',
        'w',
        '--database',
        'd',
        '--data-dir',
        '/tmp/lake',
      ],
      2,
      '--data-dir reads the local lake; with --athena the query reads the Glue tables of --database',
    ],
    [
      ['query', 'run', 'top_pages', '--workgroup', 'w', '--region', 'eu-west-1'],
      2,
      '--workgroup, --region only apply with --athena',
    ],
  ])('refuses %j with exit code %i', async (args, exitCode, message) => {
    const { code, stderr } = await clickstream(...args);

    expect(code).toBe(exitCode);
    expect(stderr).toContain(message);
  });
});
