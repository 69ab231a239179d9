import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseFlags } from '../../../cli/commands/summaries';
import { UsageError } from '../../../cli/errors';
import { toSummaryJson } from '../../../lambdas/aggregator/summary';
import { FileSummaryStore } from '../../../local/summary-store/file-summary-store';
import { windowSummary } from '../../lambdas/aggregator/support/builders';

const CLI = join(import.meta.dirname, '../../../cli/clickstream.js');

const now = Date.parse('2026-11-22T12:00:00.000Z');

describe('clickstream summaries flags', () => {
  it('default to every advertiser over the last 24 hours, as a table', () => {
    expect(parseFlags({ format: 'table' }, now)).toEqual({
      range: { from: now - 86_400_000, to: now },
      format: 'table',
    });
  });

  it('read an advertiser, times with offsets and the json format', () => {
    const request = parseFlags(
      { advertiser: 'adv-1', from: '2026-11-20T02:00:00+02:00', to: '2026-11-21T00:00:00Z', format: 'json' },
      now,
    );

    expect(request).toEqual({
      advertiser: 'adv-1',
      range: { from: Date.parse('2026-11-20T00:00:00Z'), to: Date.parse('2026-11-21T00:00:00Z') },
      format: 'json',
    });
  });

  it.each([
    [{ advertiser: 'a b', format: 'table' }, '--advertiser "a b" is not an advertiser id'],
    [{ from: 'yesterday', format: 'table' }, '--from "yesterday" is not an ISO-8601 time'],
    [{ to: '2026-11-22', format: 'table' }, '--to "2026-11-22" is not an ISO-8601 time'],
    [{ from: '2026-11-22T00:00:00Z', to: '2026-11-21T00:00:00Z', format: 'table' }, 'must be before --to'],
    [{ format: 'csv' }, '--format must be table or json, got "csv"'],
  ])('refuse %o as a usage error', (flags, message) => {
    expect(() => parseFlags(flags, now)).toThrow(UsageError);
    expect(() => parseFlags(flags, now)).toThrow(message);
  });
});

describe('clickstream summaries over a corrupt file', () => {
  it('prints every other summary, names the file on stderr and exits 1', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'clickstream-summaries-'));
    try {
      const windowStart = Date.parse('2026-11-22T10:00:00.000Z');
      const computedAt = Date.parse('2026-11-22T12:00:00.000Z');
      const good = windowSummary({ advertiserId: 'ADV-IN', windowStart, computedAt, impressions: 2 });
      await new FileSummaryStore(dataDir).upsert([
        good,
        windowSummary({ advertiserId: 'b', windowStart, computedAt }),
      ]);
      const corrupt = join(dataDir, 'summaries', 'b', '2026-11-22.json');
      await writeFile(corrupt, '[{"advertiser_id": "b"');

      const args = ['summaries', '--from', '2026-11-22T00:00:00Z', '--to', '2026-11-23T00:00:00Z'];
      const run = promisify(execFile)(
        process.execPath,
        [CLI, ...args, '--format', 'json', '--data-dir', dataDir],
        {
          timeout: 60_000,
        },
      );

      const failed = await run.then(
        () => expect.unreachable('exit code 0'),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      expect(failed.code).toBe(1);
      expect(JSON.parse(failed.stdout)).toEqual([toSummaryJson(good)]);
      expect(failed.stderr).toContain(`clickstream: skipped ${corrupt}: not valid JSON (`);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
