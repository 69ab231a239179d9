import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EVENT_COLUMNS, type StoredEvent } from '../../../contract';
import { LocalDatabase } from '../../../local/duckdb/database';
import { DuckDbEventIndex, EVENT_INDEX_TABLE } from '../../../local/event-index/duckdb-event-index';

let db: LocalDatabase;
let index: DuckDbEventIndex;
let tempDir: string;
beforeEach(async () => {
  db = await LocalDatabase.open();
  tempDir = await mkdtemp(join(tmpdir(), 'event-index-'));
  index = await DuckDbEventIndex.open(db, { tempDir });
});
afterEach(async () => {
  db.close();
  await rm(tempDir, { recursive: true, force: true });
});

const primaryKey = async () =>
  (
    await db.all<{ key: string[] }>(
      `SELECT constraint_column_names AS key FROM duckdb_constraints() WHERE table_name = '${EVENT_INDEX_TABLE}' AND constraint_type = 'PRIMARY KEY'`,
    )
  ).map((row) => row.key);

const T = (hhmm: string) => Date.parse(`2026-11-22T${hhmm}:00.000Z`);
function event(
  id: string,
  advertiserId: string,
  time: string,
  extra: Partial<StoredEvent> = {},
): StoredEvent {
  return {
    event_id: id,
    event_type: 'impression',
    advertiser_id: advertiserId,
    event_time: `2026-11-22T${time}:00.000Z`,
    received_at: `2026-11-22T${time}:30.000Z`,
    ...extra,
  };
}

describe('DuckDbEventIndex.indexEvents', () => {
  it('creates a table with every stored column, typed as the contract says, keyed by event_time and event_id', async () => {
    const columns = await db.all<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '${EVENT_INDEX_TABLE}' ORDER BY ordinal_position`,
    );

    expect(columns.map((c) => [c.column_name, c.data_type])).toEqual(
      EVENT_COLUMNS.map((c) => [c.name, c.duckdbType]),
    );
    expect(await primaryKey()).toEqual([['event_time', 'event_id']]);
  });

  it('rekeys a table an earlier version keyed by event_id alone, keeping its rows', async () => {
    await db.run(`DROP TABLE ${EVENT_INDEX_TABLE}`);
    const columns = EVENT_COLUMNS.map(
      (c) => `"${c.name}" ${c.duckdbType}${c.name === 'event_id' ? ' PRIMARY KEY' : ''}`,
    );
    await db.run(`CREATE TABLE ${EVENT_INDEX_TABLE} (${columns.join(', ')})`);
    await db.run(
      `INSERT INTO ${EVENT_INDEX_TABLE} (event_id, event_type, advertiser_id, event_time, received_at)
       VALUES ('e1', 'click', 'a', '2026-11-22T10:00:00.000Z', '2026-11-22T10:00:30.000Z')`,
    );

    const reopened = await DuckDbEventIndex.open(db, { tempDir });

    expect(await primaryKey()).toEqual([['event_time', 'event_id']]);
    expect(await reopened.count()).toBe(1);
    expect(await reopened.indexEvents([event('e1', 'a', '10:00')])).toEqual({ inserted: 0, duplicates: 1 });
  });

  it('leaves no batch file behind, whether the insert succeeds or fails', async () => {
    await index.indexEvents([event('e1', 'a', '10:00')]);
    const failed = index.indexEvents([
      event('e2', 'a', '10:00', { revenue: 'not a number' as unknown as number }),
    ]);

    await expect(failed).rejects.toThrow();
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('ignores an event it already holds (same event_id and event_time), within a call and across calls', async () => {
    const first = await index.indexEvents([
      event('e1', 'a', '10:00'),
      event('e1', 'a', '10:00'),
      event('e2', 'a', '10:01'),
    ]);
    const second = await index.indexEvents([
      event('e2', 'a', '10:01', { received_at: '2026-11-22T11:00:00.000Z' }),
    ]);

    expect([first, second]).toEqual([
      { inserted: 2, duplicates: 1 },
      { inserted: 0, duplicates: 1 },
    ]);
    expect(await index.count()).toBe(2);
    expect(await db.all(`SELECT received_at FROM ${EVENT_INDEX_TABLE} WHERE event_id = 'e2'`)).toEqual([
      { received_at: '2026-11-22T10:01:30.000Z' },
    ]);
  });

  it('stores every kind of column value', async () => {
    const full = event('e1', 'a', '10:00', {
      revenue: 1.25,
      clock_skew_ms: -1500,
      is_bot: false,
      properties: { plan: 'pro', 'cart.items': '3', empty: null },
      user_id: 'u1',
    });

    await index.indexEvents([full]);

    const [row] = await db.all<Record<string, unknown>>(
      `SELECT revenue, clock_skew_ms, is_bot, map_extract(properties, 'cart.items') AS items, user_id FROM ${EVENT_INDEX_TABLE}`,
    );
    expect(row).toEqual({ revenue: 1.25, clock_skew_ms: -1500n, is_bot: false, items: ['3'], user_id: 'u1' });
  });

  it('indexes batches larger than one insert statement', async () => {
    const many = Array.from({ length: 12_345 }, (_, i) => event(`e${i}`, `a${i % 7}`, '10:00'));

    const outcome = await index.indexEvents(many);

    expect(outcome).toEqual({ inserted: 12_345, duplicates: 0 });
  });
});

describe('DuckDbEventIndex.listActiveAdvertisers', () => {
  it('pages through advertisers active by event time or by arrival, in id order', async () => {
    await index.indexEvents([
      event('e1', 'c', '10:00'),
      event('e2', 'a', '10:05'),
      event('e3', 'b', '06:00', { received_at: '2026-11-22T10:10:00.000Z' }),
      event('e4', 'd', '06:00'),
    ]);
    const range = { from: T('09:00'), to: T('11:00') };

    const first = await index.listActiveAdvertisers(range, { size: 2 });
    const second = await index.listActiveAdvertisers(range, { size: 2, after: first.next });

    expect([first, second]).toEqual([{ advertiserIds: ['a', 'b'], next: 'b' }, { advertiserIds: ['c'] }]);
  });
});

describe('DuckDbEventIndex.aggregateAdvertisers', () => {
  const request = { windows: { from: T('09:00'), to: T('12:00') }, horizonMs: 30 * 60_000, topCampaigns: 2 };

  it('gives each advertiser exactly what its own aggregateAdvertiser gives, in one statement', async () => {
    await index.indexEvents([
      event('e1', 'a', '10:00', { campaign_id: 'c1', user_id: 'u1' }),
      event('e2', 'a', '10:20', { event_type: 'click', campaign_id: 'c2', user_id: 'u1' }),
      event('e3', 'b', '10:05', { event_type: 'conversion', revenue: 12.5, user_id: 'u2' }),
      // Late for b: its window (08:00) was final long before it arrived at 11:00.
      event('e4', 'b', '08:00', { received_at: '2026-11-22T11:00:00.000Z' }),
      event('e5', 'c', '10:10', { cost: 0.25, campaign_id: 'c9' }),
      event('e6', 'a', '13:00'),
    ]);

    const bulk = await index.aggregateAdvertisers({ ...request, advertiserIds: ['a', 'b', 'c', 'none'] });
    const single = await Promise.all(
      ['a', 'b', 'c'].map((advertiserId) => index.aggregateAdvertiser({ ...request, advertiserId })),
    );

    expect([...bulk.keys()].sort()).toEqual(['a', 'b', 'c']);
    expect(['a', 'b', 'c'].map((id) => bulk.get(id))).toEqual(single);
    expect(bulk.get('b')?.lateArrivals).toEqual([{ windowStart: T('11:00'), count: 1 }]);
    expect(bulk.get('a')?.windows.map((w) => w.windowStart)).toEqual([T('10:00'), T('10:15')]);
  });

  it('reads only the advertisers asked for', async () => {
    await index.indexEvents([event('e1', 'a', '10:00'), event('e2', 'b', '10:00')]);

    const bulk = await index.aggregateAdvertisers({ ...request, advertiserIds: ['b'] });

    expect([...bulk.keys()]).toEqual(['b']);
  });
});
