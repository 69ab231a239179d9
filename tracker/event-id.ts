import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

const ID_RANDOM_BYTES = 16;
const IDS_PER_REFILL = 256;

/**
 * Makes time-ordered UUIDs (v7). uuid's default source asks the operating system for 16 random bytes
 * per id, which costs more than the rest of `track()` together; one refill serves 256 ids instead.
 * Ids need to be unique, not secret, so a shared pool is fine. The caller passes the time it has
 * already read (it is also the event's sent_at), which saves reading the clock twice.
 */
export function createEventIdSource(): (nowMs: number) => string {
  const pool = new Uint8Array(ID_RANDOM_BYTES * IDS_PER_REFILL);
  let offset = pool.length;
  const random = (): Uint8Array => {
    if (offset === pool.length) {
      randomFillSync(pool);
      offset = 0;
    }
    offset += ID_RANDOM_BYTES;
    return pool.subarray(offset - ID_RANDOM_BYTES, offset);
  };
  return (nowMs) => v7({ random: random(), msecs: nowMs });
}
