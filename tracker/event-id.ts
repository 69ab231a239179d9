import { randomUUID } from 'node:crypto';

/**
 * Makes time-ordered UUIDs (version 7, RFC 9562): 48 bits of Unix milliseconds, the version, then
 * random bits. The random bits come from a version-4 UUID by Node's `crypto.randomUUID()`, which
 * draws from a cached pool of secure random bytes and has the variant bits already set; the `uuid`
 * package's v7() asks the system for fresh bytes per id and formats them byte by byte, which cost
 * more than validating a small event. The caller passes the time it has already read (it is also
 * the event's sent_at), and the hex of a millisecond is reused while the clock stays on it.
 */
export function createEventIdSource(): (nowMs: number) => string {
  let cachedMs = Number.NaN;
  let timeHigh = '';
  let timeLow = '';
  return (nowMs) => {
    if (nowMs !== cachedMs) {
      const hex = nowMs.toString(16).padStart(12, '0');
      timeHigh = hex.slice(0, 8);
      timeLow = hex.slice(8, 12);
      cachedMs = nowMs;
    }
    // xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx: keep the 3 random digits after the version and the rest.
    const random = randomUUID();
    return `${timeHigh}-${timeLow}-7${random.slice(15, 18)}-${random.slice(19)}`;
  };
}
