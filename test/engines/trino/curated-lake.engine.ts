import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  affectedRawObjectsSql,
  createViewSql,
  eraseCuratedSql,
  mergeSql,
  optimizeSql,
  vacuumSql,
} from '../../../analytics/compaction-sql';
import { curatedTable, lakeTables, type Watermark } from '../../../analytics/lake-tables';
import type { StoredEvent } from '../../../contract';
import { trinoQuery } from '../../../engines/trino/client';
import { trinoFileRoot } from '../../../engines/trino/files';
import { writeEventsObject } from '../../../local/duckdb/lake-writer';
import { engineUrl } from '../engine-url';
import { createTrinoLake, retentionSince, type TrinoLake } from './trino-lake';

const retention = retentionSince('2026-10-01');
const table = curatedTable(lakeTables(retention)[0]);
const OVERLAP_HOURS = 3;
const W1: Watermark = { dt: '2026-11-03', hour: '00' };
const W2: Watermark = { dt: '2026-11-03', hour: '06' };
const W3: Watermark = { dt: '2026-11-03', hour: '08' };

function minus(watermark: Watermark, hours: number): Watermark {
  const iso = new Date(
    Date.parse(`${watermark.dt}T${watermark.hour}:00:00Z`) - hours * 3_600_000,
  ).toISOString();
  return { dt: iso.slice(0, 10), hour: iso.slice(11, 13) };
}

function event(id: string, time: string, received: string, fields: Partial<StoredEvent> = {}): StoredEvent {
  return {
    event_id: id,
    event_type: 'click',
    advertiser_id: 'adv-a',
    event_time: time,
    received_at: received,
    ...fields,
  };
}

/**
 * The raw arrivals, by object. e1 is delivered four times (twice in one object, then in later hours,
 * across runs and after the last watermark); e4 is 14 days late; e2 is the last millisecond of its
 * day and arrives the next day; u-erase and a-erase are the subjects of the erasure tests.
 */
const e1 = (received: string) =>
  event('e1', '2026-11-02T10:00:00.000Z', received, {
    user_id: 'u-keep',
    revenue: 1.25,
    properties: { plan: 'pro', 'layout.variant': 'b' },
  });
const OBJECTS: { arrival: string; events: StoredEvent[] }[] = [
  {
    arrival: '2026-11-02T10:05:00.000Z',
    events: [
      e1('2026-11-02T10:05:00.000Z'),
      e1('2026-11-02T10:05:00.001Z'),
      event('e3', '2026-11-01T09:00:00.000Z', '2026-11-02T10:05:00.000Z', { user_id: 'u-erase' }),
    ],
  },
  {
    arrival: '2026-11-02T22:30:00.000Z',
    events: [
      e1('2026-11-02T22:30:00.000Z'),
      event('e6', '2026-11-02T22:00:00.000Z', '2026-11-02T22:30:00.000Z', { anonymous_id: 'a-erase' }),
    ],
  },
  {
    arrival: '2026-11-03T00:00:30.000Z',
    events: [event('e2', '2026-11-02T23:59:59.999Z', '2026-11-03T00:00:30.000Z')],
  },
  {
    arrival: '2026-11-03T02:10:00.000Z',
    events: [
      e1('2026-11-03T02:10:00.000Z'),
      event('e4', '2026-10-20T08:00:00.000Z', '2026-11-03T02:10:00.000Z'),
      event('e3', '2026-11-01T09:00:00.000Z', '2026-11-03T02:10:00.000Z', { user_id: 'u-erase' }),
    ],
  },
  {
    arrival: '2026-11-03T07:00:00.000Z',
    events: [
      event('e5', '2026-11-03T06:59:00.000Z', '2026-11-03T07:00:00.000Z'),
      e1('2026-11-03T07:00:00.000Z'),
      event('e5', '2026-11-03T06:59:00.000Z', '2026-11-03T07:00:00.001Z'),
    ],
  },
];
// Written after the second run into an hour before its watermark, as a Firehose retry would.
const LATE_OBJECT = {
  arrival: '2026-11-03T04:59:00.000Z',
  events: [event('e7', '2026-11-03T04:58:00.000Z', '2026-11-03T04:59:00.000Z')],
};

describe('the curated lake SQL (analytics/compaction-sql.ts) on Trino Iceberg', () => {
  const url = engineUrl('trino');
  const cacheDir = inject('enginesCacheDir');
  let lake: TrinoLake;
  const objects = new Map<string, string>();
  const query = async (sql: string) => (await trinoQuery(url, sql, lake.session)).rows;
  const iceberg = async (sql: string) => (await trinoQuery(url, sql, lake.icebergSession)).rows;
  const keys = async (relation: string) =>
    query(
      `SELECT CAST(event_date AS varchar), event_id, count(*) FROM ${relation} GROUP BY 1, 2 ORDER BY 1, 2`,
    );
  const merge = async (from: Watermark | undefined, to: Watermark) =>
    Number((await query(mergeSql(table, from === undefined ? { to } : { from, to })))[0]![0]);
  const lakeDir = () => join(lake.dataDir, 'lake');
  const trinoPath = (file: string) => `local:///${relative(trinoFileRoot(cacheDir), file)}`;

  beforeAll(async () => {
    lake = await createTrinoLake(url, cacheDir, retention, (dataDir) => {
      // The failed_events table needs its folder; this lake has no failed records.
      mkdirSync(join(dataDir, 'lake', 'errors'), { recursive: true });
      for (const { arrival, events } of OBJECTS) {
        objects.set(arrival, writeEventsObject(join(dataDir, 'lake'), events, Date.parse(arrival)));
      }
    });
  });
  afterAll(async () => {
    await lake.remove();
  });

  // The runs below build on each other, in order, as the hourly compaction does.
  it('a first run merges each (event_date, event_id) of the arrivals before its watermark once', async () => {
    expect(await merge(undefined, W1)).toBe(3);

    expect(await keys('curated_events')).toEqual([
      ['2026-11-01', 'e3', 1],
      ['2026-11-02', 'e1', 1],
      ['2026-11-02', 'e6', 1],
    ]);
  });

  it('keeps the copy received first, with every column as the raw table has it', async () => {
    const columns = table.columns.map((c) => `"${c.name}"`).join(', ');
    const curated = await query(`SELECT ${columns} FROM curated_events WHERE event_id = 'e1'`);
    const raw = await query(
      `SELECT ${columns} FROM events WHERE event_id = 'e1' ORDER BY received_at LIMIT 1`,
    );

    expect(curated).toEqual(raw);
    expect(curated[0]![table.columns.findIndex((c) => c.name === 'received_at')]).toBe(
      '2026-11-02T10:05:00.000Z',
    );
  });

  it('the same run again (a crash before the watermark was recorded) inserts nothing', async () => {
    const before = await keys('curated_events');

    expect(await merge(undefined, W1)).toBe(0);
    expect(await keys('curated_events')).toEqual(before);
  });

  it('the next run re-reads the overlap and adds only new keys: a late event lands in its event day', async () => {
    expect(await merge(minus(W1, OVERLAP_HOURS), W2)).toBe(2);

    expect(await keys('curated_events')).toEqual([
      ['2026-10-20', 'e4', 1],
      ['2026-11-01', 'e3', 1],
      ['2026-11-02', 'e1', 1],
      ['2026-11-02', 'e2', 1],
      ['2026-11-02', 'e6', 1],
    ]);
  });

  it('events_exact adds the raw arrivals at and after the watermark, once each, minus keys already curated', async () => {
    await query(createViewSql(table, W2));

    expect(await keys('events_exact')).toEqual([
      ['2026-10-20', 'e4', 1],
      ['2026-11-01', 'e3', 1],
      ['2026-11-02', 'e1', 1],
      ['2026-11-02', 'e2', 1],
      ['2026-11-02', 'e6', 1],
      ['2026-11-03', 'e5', 1],
    ]);
    const columns = (await trinoQuery(url, 'SELECT * FROM events_exact LIMIT 0', lake.session)).columns;
    expect(columns.map((c) => c.name)).toEqual([...table.columns.map((c) => c.name), 'event_date']);
  });

  it('an object written late into an hour before the watermark is merged by the next run (the overlap)', async () => {
    objects.set(
      LATE_OBJECT.arrival,
      writeEventsObject(lakeDir(), LATE_OBJECT.events, Date.parse(LATE_OBJECT.arrival)),
    );

    expect(await merge(minus(W2, OVERLAP_HOURS), W3)).toBe(2);
    await query(createViewSql(table, W3));
    expect((await keys('events_exact')).map(([day, id]) => `${day} ${id}`)).toEqual([
      '2026-10-20 e4',
      '2026-11-01 e3',
      '2026-11-02 e1',
      '2026-11-02 e2',
      '2026-11-02 e6',
      '2026-11-03 e5',
      '2026-11-03 e7',
    ]);
    expect(await keys('events_exact')).toEqual(await keys('curated_events'));
  });

  it('OPTIMIZE (optimize) leaves one data file per event day and the same rows', async () => {
    const before = await keys('curated_events');
    const filesPerDay = () =>
      iceberg(
        'SELECT CAST(partition.event_date AS varchar), count(*) FROM "curated_events$files" GROUP BY 1 ORDER BY 1',
      );
    expect((await filesPerDay()).some(([, files]) => Number(files) > 1)).toBe(true);

    await iceberg(optimizeSql('trino', table, '2026-10-01'));

    expect((await filesPerDay()).every(([, files]) => Number(files) === 1)).toBe(true);
    expect(await keys('curated_events')).toEqual(before);
  });

  it('VACUUM (expire_snapshots, remove_orphan_files) keeps one snapshot and only the files it references', async () => {
    const dataDir = join(lake.dataDir, 'iceberg', 'curated', 'data');
    mkdirSync(dataDir, { recursive: true });
    const orphan = join(dataDir, 'orphan.parquet');
    writeFileSync(orphan, 'not referenced by any snapshot');
    expect(Number((await iceberg('SELECT count(*) FROM "curated_events$snapshots"'))[0]![0])).toBeGreaterThan(
      1,
    );

    for (const statement of vacuumSql('trino', table, 0)) await iceberg(statement);

    expect(await iceberg('SELECT count(*) FROM "curated_events$snapshots"')).toEqual([[1]]);
    const referenced = (await iceberg('SELECT file_path FROM "curated_events$files" ORDER BY 1')).map(
      ([p]) => p,
    );
    const onDisk = readdirSync(dataDir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && !entry.name.endsWith('.crc'))
      .map((entry) => trinoPath(join(entry.parentPath, entry.name)))
      .sort();
    expect(onDisk).toEqual(referenced);
    expect(onDisk).not.toContain(trinoPath(orphan));
  });

  it.each([
    { column: 'user_id' as const, value: 'u-erase', id: 'e3', arrivals: [OBJECTS[0]!, OBJECTS[3]!] },
    { column: 'anonymous_id' as const, value: 'a-erase', id: 'e6', arrivals: [OBJECTS[1]!] },
  ])(
    'erasure by $column: the raw objects holding it are found by their path column, DELETE removes its rows',
    async ({ column, value, id, arrivals }) => {
      const subject = { column, value };
      const before = await keys('curated_events');

      const paths = await query(affectedRawObjectsSql(subject, '2026-10-01', '2026-11-30'));
      const deleted = await query(eraseCuratedSql(table, subject));

      expect(paths.map(([p]) => p)).toEqual(arrivals.map((o) => trinoPath(objects.get(o.arrival)!)).sort());
      expect(deleted).toEqual([[1]]);
      expect(await keys('curated_events')).toEqual(before.filter(([, eventId]) => eventId !== id));
      expect(await query(`SELECT count(*) FROM events_exact WHERE ${column} = '${value}'`)).toEqual([[0]]);
    },
  );
});
