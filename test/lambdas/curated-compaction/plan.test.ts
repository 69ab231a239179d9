import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arrivalRangePredicate, createViewSql } from '../../../analytics/compaction-sql';
import { curatedTable, lakeTables, watermarkMillis, watermarkOf } from '../../../analytics/lake-tables';
import {
  type CompactionSettings,
  planCompaction,
  planMaintenance,
  type StoredWatermark,
  watermarkAges,
} from '../../../lambdas/curated-compaction/plan';

const HOUR = 3_600_000;
const table = curatedTable(lakeTables({ eventsDays: 30, errorsDays: 30 })[0]);
const settings: CompactionSettings = {
  curatedLocation: 's3://lake/curated/',
  overlapHours: 3,
  maxHoursPerRun: 168,
  rawRetentionDays: 150,
  maxEventAgeDays: 30,
  vacuumMaxSnapshotAgeSeconds: 259_200,
};
const stored = (dt: string, hour: string, advancedAt = '2026-11-03T06:05:00.000Z'): StoredWatermark => ({
  record: { watermark: { dt, hour }, advancedAt },
  etag: '"abc"',
});
const NOW = Date.parse('2026-11-03T08:20:00.000Z');

describe('planCompaction', () => {
  it('a run merges from the previous watermark less the overlap to the last whole hour', () => {
    const plan = planCompaction(stored('2026-11-03', '06'), NOW, settings, table);

    expect(plan).toMatchObject({
      action: 'merge',
      previous: { dt: '2026-11-03', hour: '06' },
      next: { dt: '2026-11-03', hour: '08' },
      etag: '"abc"',
    });
    if (plan.action !== 'merge') throw new Error('expected a merge');
    expect(plan.statements.merge).toContain(
      arrivalRangePredicate({ dt: '2026-11-03', hour: '03' }, { dt: '2026-11-03', hour: '08' }),
    );
    expect(plan.statements.view).toBe(createViewSql(table, { dt: '2026-11-03', hour: '08' }));
    expect(plan.statements.createTable).toContain("LOCATION 's3://lake/curated/'");
  });

  it('a first run (no record) starts at the raw retention and moves at most maxHoursPerRun', () => {
    const plan = planCompaction(undefined, NOW, settings, table);

    const start = watermarkMillis(watermarkOf(NOW - 150 * 24 * HOUR));
    expect(plan).toMatchObject({
      action: 'merge',
      previous: null,
      etag: null,
      next: watermarkOf(start + 168 * HOUR),
    });
    if (plan.action !== 'merge') throw new Error('expected a merge');
    expect(plan.statements.merge).toContain(
      arrivalRangePredicate(undefined, watermarkOf(start + 168 * HOUR)),
    );
  });

  it('is idle when the watermark is already the current hour', () => {
    expect(planCompaction(stored('2026-11-03', '08'), NOW, settings, table)).toMatchObject({
      action: 'idle',
    });
  });

  it('for any previous watermark and clock: never past the last whole hour, never backwards, at most maxHoursPerRun', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 0, max: 3 * HOUR * 1000 }),
        fc.integer({ min: 1, max: 400 }),
        (hoursBehind, jitter, maxHoursPerRun) => {
          const now = Date.parse('2026-11-03T00:00:00.000Z') + (jitter % (1000 * HOUR));
          const previous = watermarkOf(now - hoursBehind * HOUR);
          const plan = planCompaction(
            stored(previous.dt, previous.hour),
            now,
            { ...settings, maxHoursPerRun },
            table,
          );
          if (plan.action === 'idle') {
            expect(watermarkMillis(previous)).toBe(watermarkMillis(watermarkOf(now)));
            return;
          }
          const next = watermarkMillis(plan.next);
          expect(next).toBeGreaterThan(watermarkMillis(previous));
          expect(next).toBeLessThanOrEqual(now);
          expect(next - watermarkMillis(previous)).toBeLessThanOrEqual(maxHoursPerRun * HOUR);
        },
      ),
    );
  });
});

describe('watermarkAges', () => {
  it('hours since a run moved the watermark, and how far the watermark trails the clock', () => {
    expect(watermarkAges(stored('2026-11-03', '06', '2026-11-03T06:20:00.000Z'), NOW)).toEqual({
      hoursSinceAdvanced: 2,
      lagHours: 2 + 20 / 60,
    });
    expect(watermarkAges(undefined, NOW)).toBeUndefined();
  });
});

describe('planMaintenance', () => {
  it('optimizes the event days late events can still reach, then vacuums', () => {
    expect(planMaintenance(NOW, settings, table)).toEqual({
      optimize: "OPTIMIZE curated_events REWRITE DATA USING BIN_PACK WHERE event_date >= DATE '2026-10-02'",
      vacuum: 'VACUUM curated_events',
    });
  });
});
