import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../tracker/backoff';

const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, jitter: 'none' as const };

describe('backoffDelayMs', () => {
  it.each([
    [1, 100],
    [2, 200],
    [3, 400],
    [4, 800],
    [5, 1000],
    [30, 1000],
  ])('without jitter, retry %i waits %i ms (doubling, capped)', (retry, expected) => {
    expect(backoffDelayMs(retry, policy, () => 0.5)).toBe(expected);
  });

  it.each([
    [0, 0],
    [0.5, 200],
    [0.999, 399],
  ])('with full jitter, a random %d scales the third retry to %i ms', (random, expected) => {
    expect(backoffDelayMs(3, { ...policy, jitter: 'full' }, () => random)).toBe(expected);
  });
});
