import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../contract';
import { curatedLayout } from '../../../local/curated/curated-layout';
import { LocalDatabase } from '../../../local/duckdb/database';
import { type ErasureStep, eraseLocally } from '../../../local/erasure/local-erasure';
import { dataDirLayout } from '../../../local/pipeline/data-dir';
import { buildDataDir, failedRecord, filesUnder, storeContents } from './erasure-fixture';

const H = 3_600_000;
const T0 = Date.parse('2026-11-10T09:00:00.000Z');
const subject = { column: 'user_id' as const, value: 'gone' };

function event(id: string, day: string, user: string): StoredEvent {
  return {
    event_id: id,
    event_type: 'impression',
    advertiser_id: 'adv-a',
    event_time: `${day}T08:00:00.000Z`,
    received_at: '',
    user_id: user,
  };
}

class Crash extends Error {}

const STEPS: ErasureStep[] = [
  'raw-written',
  'raw-replaced',
  'errors-written',
  'errors-replaced',
  'curated-written',
  'curated-replaced',
  'index-written',
  'index-replaced',
];

let dataDir: string;
beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'clickstream-erase-crash-'));
  await buildDataDir(
    dataDir,
    [0, 1, 2].map((i) => ({
      arrival: T0 + i * H,
      events: [event(`g${i}`, `2026-11-0${i + 1}`, 'gone'), event(`k${i}`, `2026-11-0${i + 1}`, 'kept')],
      failed: [failedRecord(JSON.stringify({ user_id: 'gone', n: i }), T0 + i * H)],
    })),
    T0 + 4 * H,
  );
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

/** Every file of each store opens whole: gzip objects, Parquet day files, the DuckDB index. */
async function everyFileReadable(): Promise<void> {
  const { lake, eventIndex } = dataDirLayout(dataDir);
  for (const path of filesUnder(lake, '.gz')) expect(() => gunzipSync(readFileSync(path))).not.toThrow();
  const db = await LocalDatabase.open();
  try {
    await db.all(`SELECT count(*) FROM read_parquet('${curatedLayout(lake).glob}')`);
    await db.run(`ATTACH '${eventIndex}' AS idx (READ_ONLY)`);
  } finally {
    db.close();
  }
}

function temporaryFiles(): string[] {
  return readdirSync(dataDir, { recursive: true, withFileTypes: true })
    .filter((e) => e.name.startsWith('.tmp-'))
    .map((e) => e.name);
}

describe('eraseLocally after a crash', () => {
  it.each(STEPS)(
    'stopped at %s: every file is old or new, and a re-run finishes the job',
    async (crashAt) => {
      const before = await storeContents(dataDir);
      const kept = {
        curated: before.curated.filter((r) => r.user_id !== 'gone'),
        index: before.index.filter((r) => r.user_id !== 'gone'),
        raw: before.raw.filter((l) => !l.includes('"user_id":"gone"')),
      };

      await expect(
        eraseLocally(
          {
            dataDir,
            afterStep: (step) => {
              if (step === crashAt) throw new Crash(step);
            },
          },
          subject,
        ),
      ).rejects.toBeInstanceOf(Crash);
      await everyFileReadable();
      const rerun = await eraseLocally({ dataDir }, subject);

      const after = await storeContents(dataDir);
      expect(after.curated).toEqual(kept.curated);
      expect(after.index).toEqual(kept.index);
      expect(after.raw).toEqual(kept.raw);
      expect(after.errors).toEqual([]);
      expect(temporaryFiles()).toEqual([]);
      expect(rerun.unsearched).toEqual([]);
      // What the crashed run had finished is not found again.
      if (crashAt === 'index-replaced') expect(rerun.eventIndexDocumentsDeleted).toBe(0);
      if (crashAt === 'raw-written') expect(rerun.rawObjects).toHaveLength(3);
    },
  );
});
