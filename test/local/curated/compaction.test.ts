import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../contract';
import { type CompactionStep, compactLake } from '../../../local/curated/compaction';
import { curatedLayout, rowGroupRows } from '../../../local/curated/curated-layout';
import { readWatermark } from '../../../local/curated/watermark-file';
import { LocalDatabase } from '../../../local/duckdb/database';
import { writeEventsObject } from '../../../local/duckdb/lake-writer';

let lake: string;
beforeEach(() => {
  lake = join(mkdtempSync(join(tmpdir(), 'clickstream-compaction-')), 'lake');
});
afterEach(() => rmSync(join(lake, '..'), { recursive: true, force: true }));

function event(id: string, time: string, received: string): StoredEvent {
  return {
    event_id: id,
    event_type: 'click',
    advertiser_id: 'adv-a',
    event_time: time,
    received_at: received,
  };
}

/** (event_date, event_id, received_at) of every curated row, sorted. */
async function curatedRows(): Promise<string[]> {
  const db = await LocalDatabase.open();
  try {
    const rows = await db.all<{ row: string }>(
      `SELECT concat_ws(' ', CAST(event_date AS VARCHAR), event_id, received_at) AS row
       FROM read_parquet('${curatedLayout(lake).glob}', hive_partitioning = true) ORDER BY row`,
    );
    return rows.map((r) => r.row);
  } finally {
    db.close();
  }
}

function temporaryFiles(): string[] {
  return readdirSync(curatedLayout(lake).root, { recursive: true, withFileTypes: true })
    .filter((e) => e.name.startsWith('.tmp-'))
    .map((e) => e.name);
}

const at = (iso: string) => () => Date.parse(iso);

/** Two arrival hours: a late event (12 days), a duplicate across hours and days, two events of one day. */
function deliver(): void {
  writeEventsObject(
    lake,
    [
      event('a', '2026-11-01T10:00:00.000Z', '2026-11-13T09:00:00.000Z'),
      event('b', '2026-11-13T08:59:00.000Z', '2026-11-13T09:00:00.001Z'),
    ],
    Date.parse('2026-11-13T09:00:00.000Z'),
  );
  writeEventsObject(
    lake,
    [
      event('a', '2026-11-01T10:00:00.000Z', '2026-11-13T10:00:00.000Z'),
      event('c', '2026-11-13T09:30:00.000Z', '2026-11-13T10:00:00.001Z'),
    ],
    Date.parse('2026-11-13T10:00:00.000Z'),
  );
}

const EXPECTED = [
  '2026-11-01 a 2026-11-13T09:00:00.000Z',
  '2026-11-13 b 2026-11-13T09:00:00.001Z',
  '2026-11-13 c 2026-11-13T10:00:00.001Z',
];

describe('compactLake', () => {
  it('merges the arrival hours before the current one by event day, one row per event, and reports it', async () => {
    deliver();

    const report = await compactLake({ lakeDir: lake, now: at('2026-11-13T11:20:00.000Z') });

    expect(await curatedRows()).toEqual(EXPECTED);
    expect(report).toMatchObject({
      previousWatermark: { dt: '1970-01-01', hour: '00' },
      watermark: { dt: '2026-11-13', hour: '11' },
      filesRead: 2,
      filesWritten: 2,
      rowsRead: 4,
      rowsMerged: 3,
      duplicatesDropped: 1,
      eventDates: ['2026-11-01', '2026-11-13'],
      unreadable: [],
    });
    expect((await readWatermark(curatedLayout(lake).watermarkFile)).watermark).toEqual({
      dt: '2026-11-13',
      hour: '11',
    });
  });

  it('leaves the arrival hour still being written to the next run', async () => {
    deliver();

    const report = await compactLake({ lakeDir: lake, now: at('2026-11-13T10:20:00.000Z') });

    expect(report.watermark).toEqual({ dt: '2026-11-13', hour: '10' });
    expect(await curatedRows()).toEqual(EXPECTED.slice(0, 2));
  });

  it('never adds a row for a key already curated, in a later run or a later day', async () => {
    deliver();
    await compactLake({ lakeDir: lake, now: at('2026-11-13T11:20:00.000Z') });
    writeEventsObject(
      lake,
      [event('a', '2026-11-01T10:00:00.000Z', '2026-11-15T00:00:00.000Z')],
      Date.parse('2026-11-15T00:00:00.000Z'),
    );

    const report = await compactLake({ lakeDir: lake, now: at('2026-11-15T02:00:00.000Z') });

    expect(await curatedRows()).toEqual(EXPECTED);
    expect(report).toMatchObject({ rowsMerged: 0, filesWritten: 0 });
  });

  const CRASH_POINTS: { step: CompactionStep; occurrence: number }[] = [
    { step: 'read', occurrence: 0 },
    { step: 'day-written', occurrence: 0 },
    { step: 'day-renamed', occurrence: 0 },
    { step: 'day-written', occurrence: 1 },
    { step: 'merged', occurrence: 0 },
  ];
  it.each(CRASH_POINTS)(
    'a run killed after $step #$occurrence is finished exactly by the next',
    async ({ step, occurrence }) => {
      deliver();
      let seen = 0;
      const crash = (at: CompactionStep) => {
        if (at === step && seen++ === occurrence) throw new Error('killed');
      };

      await expect(
        compactLake({ lakeDir: lake, now: at('2026-11-13T11:20:00.000Z'), afterStep: crash }),
      ).rejects.toThrow('killed');
      const afterCrash = await readWatermark(curatedLayout(lake).watermarkFile);
      const report = await compactLake({ lakeDir: lake, now: at('2026-11-13T11:40:00.000Z') });

      expect(afterCrash.watermark).toEqual({ dt: '1970-01-01', hour: '00' });
      expect(await curatedRows()).toEqual(EXPECTED);
      expect(report.watermark).toEqual({ dt: '2026-11-13', hour: '11' });
      expect(temporaryFiles()).toEqual([]);
    },
  );

  it('merges an object written after a run into an hour that run passed (a delivery retried late)', async () => {
    deliver();
    await compactLake({ lakeDir: lake, now: at('2026-11-13T11:20:00.000Z') });
    const path = writeEventsObject(
      lake,
      [event('d', '2026-11-13T07:00:00.000Z', '2026-11-13T07:30:00.000Z')],
      Date.parse('2026-11-13T07:30:00.000Z'),
    );
    const later = new Date(Date.now() + 10_000);
    utimesSync(path, later, later);

    const report = await compactLake({ lakeDir: lake, now: at('2026-11-13T12:20:00.000Z') });

    expect(report.rowsMerged).toBe(1);
    expect(await curatedRows()).toContain('2026-11-13 d 2026-11-13T07:30:00.000Z');
  });

  it('re-reads the overlap hour without rewriting a day whose rows it already holds', async () => {
    deliver();
    await compactLake({ lakeDir: lake, now: at('2026-11-13T11:20:00.000Z') });
    const dayFile = curatedLayout(lake).dayFile('2026-11-13');
    const before = statSync(dayFile).mtimeMs;
    // Older than the first run's listing: only the overlap brings these objects back.
    const old = new Date(Date.now() - 3_600_000);
    for (const entry of readdirSync(join(lake, 'events'), { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) utimesSync(join(entry.parentPath, entry.name), old, old);
    }

    const report = await compactLake({ lakeDir: lake, now: at('2026-11-13T12:20:00.000Z'), overlapHours: 1 });

    expect(report).toMatchObject({ filesRead: 0, filesReread: 1, filesWritten: 0, rowsMerged: 0 });
    expect(statSync(dayFile).mtimeMs).toBe(before);
  });

  it('reports an unreadable object, merges the others, and keeps the watermark at its hour', async () => {
    deliver();
    const folder = join(lake, 'events', 'dt=2026-11-13', 'hour=10');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'torn.gz'), 'not gzip');

    const report = await compactLake({ lakeDir: lake, now: at('2026-11-13T12:20:00.000Z') });

    expect(report.unreadable).toEqual([
      { key: 'events/dt=2026-11-13/hour=10/torn.gz', error: expect.any(String) },
    ]);
    expect(report.watermark).toEqual({ dt: '2026-11-13', hour: '10' });
    expect(await curatedRows()).toEqual(EXPECTED);
  });
});

describe('the day file layout', () => {
  it.each([
    [1, 2_048],
    [16_384, 2_048],
    [40_000, 6_144],
    [1_000_000, 122_880],
    [10_000_000, 122_880],
  ])('a day of %i rows is written in row groups of %i rows', (dayRows, groupRows) => {
    expect(rowGroupRows(dayRows)).toBe(groupRows);
  });

  it("keeps each event type's rows together, so that a filter on a type skips other types' row groups", async () => {
    const types = ['impression', 'pageview', 'click', 'conversion'];
    const events = Array.from({ length: 20_000 }, (_, i) => ({
      ...event(
        `e${i}`,
        `2026-11-13T08:${String(i % 60).padStart(2, '0')}:00.000Z`,
        '2026-11-13T09:00:00.000Z',
      ),
      event_type: types[(i * 7) % types.length]!,
      advertiser_id: `adv-${i % 5}`,
    }));
    writeEventsObject(lake, events, Date.parse('2026-11-13T09:00:00.000Z'));

    await compactLake({ lakeDir: lake, now: at('2026-11-13T10:20:00.000Z') });

    const db = await LocalDatabase.open();
    try {
      const groups = await db.all<{ min: string; max: string }>(
        `SELECT stats_min_value AS min, stats_max_value AS max
         FROM parquet_metadata('${curatedLayout(lake).dayFile('2026-11-13')}')
         WHERE path_in_schema = 'event_type' ORDER BY row_group_id`,
      );
      expect(groups).toHaveLength(Math.ceil(20_000 / rowGroupRows(20_000)));
      // In DAY_FILE_ORDER the groups' event_type ranges follow each other without overlapping.
      for (const [previous, next] of groups.slice(1).map((g, i) => [groups[i]!, g] as const)) {
        expect(previous.max <= next.min).toBe(true);
      }
      const withClicks = groups.filter((g) => g.min <= 'click' && 'click' <= g.max);
      expect(withClicks.length).toBeLessThanOrEqual(2);
    } finally {
      db.close();
    }
  });
});
