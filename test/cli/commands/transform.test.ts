import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../../../cli/clickstream.js', import.meta.url));
const SAMPLES = fileURLToPath(new URL('../../../samples/events.ndjson', import.meta.url));

async function clickstream(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** The count printed beside a tally line (`  Ok   12`), or undefined when there is none. */
function tally(stdout: string, label: string): number | undefined {
  const match = new RegExp(`^ {2}${label}\\s+(\\d+)$`, 'm').exec(stdout);
  return match === null ? undefined : Number(match[1]);
}

describe('clickstream transform --arrived-at', () => {
  // The sample file's events happened on 2026-11-22: given that day as the arrival, the outcomes
  // are the same whatever the date today, so the documented command never goes stale.
  it('shows the sample file as it arrived, on any day', async () => {
    const result = await clickstream([
      'transform',
      SAMPLES,
      '--summary',
      '--arrived-at',
      '2026-11-22T08:00:00Z',
    ]);

    expect(result.code, result.stderr).toBe(0);
    expect(tally(result.stdout, 'Ok')).toBe(13);
    expect(tally(result.stdout, 'event_too_old')).toBe(1);
    expect(tally(result.stdout, 'timestamp_in_future')).toBe(1);
  });

  it('refuses a time that is not ISO-8601 as a usage error', async () => {
    const result = await clickstream(['transform', SAMPLES, '--arrived-at', 'yesterday']);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--arrived-at "yesterday" is not an ISO-8601 time/);
  });
});
