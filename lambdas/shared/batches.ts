/** The limits of one batch: its items' total size, and optionally how many items it may hold. */
export interface BatchLimits {
  readonly maxBytes: number;
  readonly maxItems?: number;
}

/**
 * Splits `items`, in order, into consecutive non-empty batches, each as full as `limits` allow:
 * a batch ends when the next item would take it over `maxBytes` (by `sizeOf`) or past `maxItems`.
 * An item larger than `maxBytes` on its own makes a batch of one rather than being dropped, so the
 * receiver refuses it with its own typed error and nothing disappears here.
 */
export function* sizedBatches<T>(
  items: Iterable<T>,
  sizeOf: (item: T) => number,
  limits: BatchLimits,
): Generator<T[]> {
  const maxItems = limits.maxItems ?? Number.POSITIVE_INFINITY;
  let batch: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (batch.length > 0 && (batch.length === maxItems || bytes + size > limits.maxBytes)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}
