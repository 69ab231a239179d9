import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planRun, WINDOW_MS, wholeWindows, windowStartOf } from '../../../lambdas/aggregator/windows';

const T = (iso: string) => Date.parse(iso);
const instant = fc.integer({ min: T('2000-01-01T00:00:00Z'), max: T('2099-12-31T23:59:59Z') });
const settings = fc.record({
  latenessHorizonMinutes: fc.integer({ min: 0, max: 10_080 }),
  summaryScheduleMinutes: fc.integer({ min: 1, max: 60 }),
});

describe('windowStartOf', () => {
  it.each([
    ['2026-11-22T10:30:00.000Z', '2026-11-22T10:30:00.000Z'],
    ['2026-11-22T10:44:59.999Z', '2026-11-22T10:30:00.000Z'],
    ['2026-11-22T10:45:00.000Z', '2026-11-22T10:45:00.000Z'],
    ['2026-11-22T23:59:59.999Z', '2026-11-22T23:45:00.000Z'],
  ])('puts %s in the window starting %s', (time, start) => {
    expect(windowStartOf(T(time))).toBe(T(start));
  });

  it('puts every instant in exactly one aligned 15-minute window', () => {
    fc.assert(
      fc.property(instant, (t) => {
        const start = windowStartOf(t);
        expect(start % WINDOW_MS).toBe(0);
        expect(start <= t && t < start + WINDOW_MS).toBe(true);
      }),
    );
  });
});

describe('planRun', () => {
  it('recomputes from the finalisation margin to the open window', () => {
    const plan = planRun(T('2026-11-22T12:07:00Z'), {
      latenessHorizonMinutes: 180,
      summaryScheduleMinutes: 15,
    });

    expect(plan).toEqual({
      windows: { from: T('2026-11-22T08:30:00Z'), to: T('2026-11-22T12:15:00Z') },
      finalUntil: T('2026-11-22T09:00:00Z'),
      horizonMs: 180 * 60_000,
    });
  });

  it.each([
    [0, 0],
    [1, 15],
    [15, 15],
    [16, 30],
    [180, 180],
  ])('rounds a %i-minute horizon up to %i minutes', (minutes, rounded) => {
    expect(wholeWindows(minutes * 60_000)).toBe(rounded * 60_000);
  });

  it('keeps every boundary aligned, includes the open window and at least one final window', () => {
    fc.assert(
      fc.property(instant, settings, (now, s) => {
        const plan = planRun(now, s);
        for (const boundary of [plan.windows.from, plan.windows.to, plan.finalUntil]) {
          expect(boundary % WINDOW_MS).toBe(0);
        }
        expect(plan.windows.to).toBe(windowStartOf(now) + WINDOW_MS);
        expect(plan.finalUntil).toBeLessThanOrEqual(windowStartOf(now));
        expect(plan.windows.from).toBeLessThan(plan.finalUntil);
      }),
    );
  });

  it('rewrites a window as final on the first run after it leaves the horizon, whatever the schedule', () => {
    // Runs every `schedule` minutes, so one of them starts within a schedule period of the moment
    // the window turns final; that run must still cover it.
    fc.assert(
      fc.property(
        instant,
        settings,
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (seed, s, phase) => {
          const windowStart = windowStartOf(seed);
          const turnsFinal = windowStart + WINDOW_MS + wholeWindows(s.latenessHorizonMinutes * 60_000);
          const run = turnsFinal + Math.floor(phase * s.summaryScheduleMinutes * 60_000);
          const plan = planRun(run, s);
          expect(windowStart + WINDOW_MS).toBeLessThanOrEqual(plan.finalUntil);
          expect(windowStart).toBeGreaterThanOrEqual(plan.windows.from);
        },
      ),
    );
  });
});
