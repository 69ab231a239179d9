import type { RetryPolicy } from './options';

/**
 * Wait before retry number `retry` (1 for the first retry): capped exponential backoff,
 * `min(maxDelayMs, baseDelayMs * 2^(retry - 1))`, scaled by a random factor in [0, 1) with full
 * jitter, which spreads retries of many senders best (AWS Architecture Blog, "Exponential Backoff
 * And Jitter").
 */
export function backoffDelayMs(retry: number, policy: Required<RetryPolicy>, random: () => number): number {
  const capped = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return policy.jitter === 'full' ? Math.floor(random() * capped) : capped;
}
