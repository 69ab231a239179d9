import { describe, expect, it } from 'vitest';
import { median, timeRuns } from '../../bench/timing';

describe('median', () => {
  it.each([
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 3],
    [[5], 5],
  ])('of %j is %d', (values, expected) => {
    expect(median(values)).toBe(expected);
  });

  it('of no values is NaN', () => {
    expect(median([])).toBeNaN();
  });
});

describe('timeRuns', () => {
  it('runs the warm-up and measured runs, each followed by the untimed step', async () => {
    const calls: string[] = [];

    const timing = await timeRuns(
      { warmup: 2, measured: 3 },
      () => calls.push('run'),
      () => calls.push('untimed'),
    );

    expect(calls).toEqual(Array.from({ length: 5 }, () => ['run', 'untimed']).flat());
    expect(timing.wallSeconds).toBeGreaterThanOrEqual(0);
    expect(timing.cpuSeconds).toBeGreaterThanOrEqual(0);
  });
});
