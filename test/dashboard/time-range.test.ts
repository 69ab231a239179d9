import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WINDOW_MS } from '../../dashboard/src/summary';
import {
  advanceRolling,
  customRange,
  PRESETS,
  presetRange,
  rangeHolds,
  toUtcInputValue,
  utcInputValue,
} from '../../dashboard/src/time-range';

const NOW = Date.parse('2026-11-22T08:20:31Z');

describe('presetRange', () => {
  it.each([
    ['3h', '2026-11-22T05:30:00.000Z'],
    ['24h', '2026-11-21T08:30:00.000Z'],
    ['7d', '2026-11-15T08:30:00.000Z'],
  ] as const)('%s covers whole windows up to the one open now', (preset, from) => {
    const range = presetRange(preset, NOW);
    expect(new Date(range.from).toISOString()).toBe(from);
    expect(new Date(range.to).toISOString()).toBe('2026-11-22T08:30:00.000Z');
    expect(range.rolling).toBe(true);
  });

  it('holds exactly the preset’s length in windows, aligned, for any clock', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1e12, max: 4e12 }),
        fc.constantFrom(...(Object.keys(PRESETS) as (keyof typeof PRESETS)[])),
        (now, preset) => {
          const range = presetRange(preset, now);
          expect(range.from % WINDOW_MS).toBe(0);
          expect(range.to % WINDOW_MS).toBe(0);
          expect(range.to - range.from).toBe(PRESETS[preset].ms);
          expect(range.from <= now && now < range.to).toBe(true);
        },
      ),
    );
  });
});

describe('customRange', () => {
  it('reads datetime-local values as UTC', () => {
    expect(customRange('2026-11-22T08:00', '2026-11-22T09:30')).toEqual({
      from: Date.parse('2026-11-22T08:00:00Z'),
      to: Date.parse('2026-11-22T09:30:00Z'),
      rolling: false,
    });
  });

  it.each([
    ['', '2026-11-22T09:30', 'Enter a start date and time.'],
    ['2026-11-22T08:00', 'soon', 'Enter an end date and time.'],
    ['2026-11-22T08:00', '2026-11-22T08:00', 'The end must be after the start.'],
    ['2026-10-01T00:00', '2026-11-22T00:00', 'The range may span at most 31 days.'],
  ])('refuses %j..%j', (from, to, message) => {
    expect(customRange(from, to)).toBe(message);
  });

  it('round-trips an input value', () => {
    expect(utcInputValue(toUtcInputValue(NOW))).toBe(Date.parse('2026-11-22T08:20:00Z'));
  });
});

describe('rangeHolds', () => {
  it('takes later windows into a rolling range only', () => {
    const range = presetRange('3h', NOW);
    expect(rangeHolds(range, range.to)).toBe(true);
    expect(rangeHolds({ ...range, rolling: false }, range.to)).toBe(false);
    expect(rangeHolds(range, range.from - WINDOW_MS)).toBe(false);
  });
});

describe('advanceRolling', () => {
  it('moves a preset forward to take a later window, keeping its length', () => {
    const range = presetRange('3h', NOW);
    const moved = advanceRolling(range, range.to + WINDOW_MS);
    expect(moved).toEqual({ from: range.from + 2 * WINDOW_MS, to: range.to + 2 * WINDOW_MS, rolling: true });
  });

  it('keeps a range that already holds the window, and every custom range', () => {
    const range = presetRange('3h', NOW);
    expect(advanceRolling(range, range.to - WINDOW_MS)).toBe(range);
    const custom = { ...range, rolling: false };
    expect(advanceRolling(custom, range.to + WINDOW_MS)).toBe(custom);
  });
});
