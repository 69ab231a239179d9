import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ErasureReport } from '../../analytics/erasure/report';
import { dataDirLayout } from '../../local/pipeline/data-dir';
import { storeContents } from '../local/erasure/erasure-fixture';
import { clickstream, PROCESS_TEST_CEILING_MS } from './helpers';

/** Traffic that arrived two days ago (so the replay's closing compaction curates it): two users, one refused record. */
function trafficFile(): string {
  const start = Date.now() - 2 * 86_400_000;
  const lines: string[] = [];
  for (let i = 0; i < 12; i++) {
    const arrival = start + i * 60_000;
    const record = {
      event_id: `ev-${i}`,
      event_type: i % 2 === 0 ? 'impression' : 'click',
      advertiser_id: 'adv-e2e',
      campaign_id: 'c1',
      event_time: new Date(arrival - 30_000).toISOString(),
      user_id: i % 3 === 0 ? 'erase-me' : `other-${i}`,
    };
    lines.push(`${new Date(arrival).toISOString()}\t${JSON.stringify(record)}`);
  }
  const refused = {
    event_id: 'bad',
    event_type: 'Not A Type',
    advertiser_id: 'adv-e2e',
    user_id: 'erase-me',
  };
  lines.push(`${new Date(start + 13 * 60_000).toISOString()}\t${JSON.stringify(refused)}`);
  return `${lines.join('\n')}\n`;
}

describe('clickstream erase on a local data dir', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'erase-e2e-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(
    'a dry run, then the erase, remove one user from every store of a replayed pipeline; a second run finds nothing',
    async () => {
      const dataDir = join(dir, 'data');
      const file = join(dir, 'traffic.ndjson');
      await writeFile(file, trafficFile());
      const replayed = await clickstream(['replay', file, '--data-dir', dataDir, '--summary-interval', '0']);
      expect(replayed.code, replayed.stderr).toBe(0);
      const before = await storeContents(dataDir);
      expect(before.curated.filter((r) => r.user_id === 'erase-me')).toHaveLength(4);
      expect(before.errors).toHaveLength(1);

      const dry = await clickstream(['erase', '--user-id', 'erase-me', '--data-dir', dataDir, '--dry-run']);
      const erased = await clickstream([
        'erase',
        '--user-id',
        'erase-me',
        '--data-dir',
        dataDir,
        '--format',
        'json',
      ]);
      const again = await clickstream([
        'erase',
        '--user-id',
        'erase-me',
        '--data-dir',
        dataDir,
        '--format',
        'json',
      ]);

      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toMatch(
        /^Dry run, nothing changed: would erase the events with user_id = "erase-me" \(local\)/,
      );
      expect(dry.stdout).toContain('curated table: 4 row(s) deleted');
      expect(erased.code, erased.stderr).toBe(0);
      expect(erased.stderr).toMatch(/searching raw objects 1-/);
      const report = JSON.parse(erased.stdout) as ErasureReport;
      expect(report).toMatchObject({ target: 'local', curatedRowsDeleted: 4, eventIndexDocumentsDeleted: 4 });
      expect(report.rawObjects.reduce((n, o) => n + o.linesRemoved, 0)).toBe(4);
      expect(report.errorObjects?.reduce((n, o) => n + o.linesRemoved, 0)).toBe(1);
      const after = await storeContents(dataDir);
      const others = (rows: { user_id: string | null }[]) => rows.filter((r) => r.user_id !== 'erase-me');
      expect(after.curated).toEqual(others(before.curated));
      expect(after.index).toEqual(others(before.index));
      expect(after.raw).toEqual(before.raw.filter((l) => !l.includes('"erase-me"')));
      expect(after.errors).toEqual([]);
      expect(JSON.parse(again.stdout)).toMatchObject({
        curatedRowsDeleted: 0,
        rawObjects: [],
        errorObjects: [],
        eventIndexDocumentsDeleted: 0,
      });
    },
    PROCESS_TEST_CEILING_MS,
  );

  it('refuses a bad id (exit 2) and a data dir a running pipeline holds (exit 1)', async () => {
    const dataDir = join(dir, 'data');
    const long = await clickstream(['erase', '--user-id', 'x'.repeat(129), '--data-dir', dataDir]);
    const control = await clickstream(['erase', '--anonymous-id', 'a\u0007b', '--data-dir', dataDir]);
    await mkdir(dataDir, { recursive: true });
    // The lock names a running process: this test's.
    await writeFile(dataDirLayout(dataDir).lock, String(process.pid));
    const locked = await clickstream(['erase', '--user-id', 'u', '--data-dir', dataDir]);

    expect([long.code, long.stderr]).toEqual([
      2,
      expect.stringMatching(/--user-id is 129 characters long; the event format allows at most 128/),
    ]);
    expect([control.code, control.stderr]).toEqual([
      2,
      expect.stringMatching(/--anonymous-id holds a control character/),
    ]);
    expect([locked.code, locked.stderr]).toEqual([
      1,
      expect.stringMatching(/another clickstream pipeline \(pid \d+\) is using/),
    ]);
  });
});
