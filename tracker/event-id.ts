import { randomFillSync } from 'node:crypto';

// An id is written as ASCII into a 36-byte scratch buffer and read out as one flat string: cheaper
// than slicing and joining strings (a joined string is a rope that JSON.stringify must flatten).
const TEMPLATE = 'tttttttt-tttt-7rrr-vrrr-rrrrrrrrrrrr';
/** Where the 72 random bits go (two hex digits per random byte); position 19 holds the variant. */
const RANDOM_DIGITS = [15, 16, 17, 20, 21, 22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35];
const VARIANT_DIGIT = 19;
/** Random bytes per id: 9 for the 18 random digits, 1 for the 2 random bits beside the variant. */
const RANDOM_BYTES_PER_ID = 10;
/** One system call fills the randomness of this many ids. */
const IDS_PER_DRAW = 256;
const HEX = Buffer.from('0123456789abcdef');

/**
 * Makes time-ordered UUIDs (version 7, RFC 9562): 48 bits of Unix milliseconds, the version, 12
 * random bits, the variant (10), then 62 random bits. The random bits come from `randomFillSync`,
 * the system's secure generator, drawn for many ids at a time: `randomUUID()` does the same but
 * formats a v4 that would then have to be cut up, and the `uuid` package's v7() asks the system for
 * fresh bytes per id. The caller passes the time it has already read (it is also the event's
 * sent_at), and the digits of a millisecond are written once while the clock stays on it.
 */
export function createEventIdSource(): (nowMs: number) => string {
  const id = Buffer.from(TEMPLATE, 'latin1');
  const random = Buffer.alloc(RANDOM_BYTES_PER_ID * IDS_PER_DRAW);
  let next = random.length;
  let writtenMs = Number.NaN;
  return (nowMs) => {
    if (nowMs !== writtenMs) {
      writeMillis(id, nowMs);
      writtenMs = nowMs;
    }
    if (next === random.length) {
      randomFillSync(random);
      next = 0;
    }
    for (let i = 0; i < RANDOM_DIGITS.length; i += 2) {
      const byte = random[next++]!;
      id[RANDOM_DIGITS[i]!] = HEX[byte >> 4]!;
      id[RANDOM_DIGITS[i + 1]!] = HEX[byte & 0x0f]!;
    }
    id[VARIANT_DIGIT] = HEX[0b1000 | (random[next++]! & 0b11)]!;
    return id.toString('latin1');
  };
}

/** The 12 hex digits of a millisecond timestamp, as `tttttttt-tttt` at the start of the id. */
function writeMillis(id: Buffer, nowMs: number): void {
  const hex = nowMs.toString(16).padStart(12, '0');
  id.write(hex.slice(0, 8), 0, 'latin1');
  id.write(hex.slice(8, 12), 9, 'latin1');
}
