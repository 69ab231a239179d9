import { describe, expect, it } from 'vitest';
import { resolveOptions, type TrackerOptions, TrackerOptionsError } from '../../tracker/options';

const base = { deliveryStreamName: 'clickstream-events' };

describe('resolveOptions', () => {
  it('applies the documented defaults', () => {
    const resolved = resolveOptions(base);

    expect(resolved).toMatchObject({
      maxBatchRecords: 500,
      maxBatchBytes: 4 * 1024 * 1024,
      flushIntervalMs: 1000,
      maxQueueEvents: 100_000,
      maxQueueBytes: 64 * 1024 * 1024,
      whenFull: 'refuse',
      maxConcurrentRequests: 4,
      requestTimeoutMs: 10_000,
      retry: { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 10_000, jitter: 'full' },
    });
  });

  it.each<[string, Partial<TrackerOptions>, string]>([
    ['a missing stream name', { deliveryStreamName: undefined }, 'deliveryStreamName must be'],
    ['a stream name with a slash', { deliveryStreamName: 'a/b' }, 'deliveryStreamName must be'],
    ['a client without send', { client: {} as never }, 'client must be'],
    [
      'more than 500 records per batch',
      { maxBatchRecords: 501 },
      'maxBatchRecords must be an integer from 1 to 500',
    ],
    ['a batch byte limit over 4 MiB', { maxBatchBytes: 4 * 1024 * 1024 + 1 }, 'maxBatchBytes must be'],
    ['a batch byte limit below one record', { maxBatchBytes: 1000 }, 'maxBatchBytes must be'],
    ['a fractional interval', { flushIntervalMs: 1.5 }, 'flushIntervalMs must be'],
    ['a queue too small for one event', { maxQueueBytes: 1000 }, 'maxQueueBytes must be'],
    ['no room for any event', { maxQueueEvents: 0 }, 'maxQueueEvents must be'],
    [
      'an unknown full-queue policy',
      { whenFull: 'block' as never },
      "whenFull must be one of 'refuse', 'drop-oldest'",
    ],
    ['no request slots', { maxConcurrentRequests: 0 }, 'maxConcurrentRequests must be'],
    ['zero attempts', { retry: { maxAttempts: 0 } }, 'retry.maxAttempts must be'],
    [
      'a ceiling below the base delay',
      { retry: { baseDelayMs: 500, maxDelayMs: 100 } },
      'retry.maxDelayMs (100)',
    ],
    ['an unknown jitter', { retry: { jitter: 'half' as never } }, 'retry.jitter must be'],
    ['onError that is not a function', { onError: 'log' as never }, 'onError must be a function'],
    [
      'onDrop without the drop policy',
      { onDrop: () => {} },
      "onDrop is only called with whenFull: 'drop-oldest'",
    ],
  ])('refuses %s, naming the option', (_name, override, message) => {
    const create = () => resolveOptions({ ...base, ...override } as TrackerOptions);

    expect(create).toThrow(TrackerOptionsError);
    expect(create).toThrow(message);
  });
});
