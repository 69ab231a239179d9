import type { Refusal } from '../../contract';

// How much the transform may grow one record, so that no batch of valid records, whatever their
// shape, makes a response over Firehose's Lambda limit: 6 MB each way, and one response over it
// fails the whole invocation, so every record of the batch, good ones included, goes to
// errors/processing-failed. Ordinary events grow about 2.5 × at most, but two kinds of valid record
// grow without a bound of their own: a URL path the URL parser percent-encodes into url_path (a
// space becomes `%20`), and properties nested under long keys, which flattening repeats in front of
// every value (37 × with five levels of 128-character keys).
//
// The bound is a response budget per byte buffered. Firehose hands the processor at most 1 MiB of
// records (PROCESSOR_BUFFER_MIB.max in lib/config.ts); the response gives back each Ok record as its
// id, its result and its stored line in base64. If no record's share of the response is more than
// RESPONSE_BYTES_PER_INPUT_BYTE × its own bytes, no response is more than that × 1 MiB, 5.24 MB
// (87% of 6 MB), whatever the records (a refused or dropped one is answered with its own data, in
// fewer bytes than its part of the request). Solving for the line gives the bound
// (storedLineBound): 3.75 × the record's bytes - 74. A flat `2 × input + allowance` was tried first
// (measured by `npm run bench lambda-payload`, which searches the ways to grow a record for the
// largest response): with 512 bytes of allowance the largest response was 6.26 MB (104%), with 256
// 5.06 MB, but then a plausible event came within 51 bytes of refusal (20 booleans under
// `experiments.homepage_redesign_2026`), and the guarantee rested on the search having found every
// way to grow a small record. The budget holds by arithmetic alone and leaves that event 1.4 KB of
// room. The smallest valid event (81 bytes) stores 183 of the 229 bytes it is allowed; events with
// real user agents use at most about 80% of their bound, realistic ones about half.

/** Response bytes an invocation may spend per byte of the records it is given: 5 × 1 MiB = 5.24 MB. */
export const RESPONSE_BYTES_PER_INPUT_BYTE = 5;

/**
 * What the response spends on an Ok record besides its line's base64: `{"recordId":"…","result":
 * "Ok","data":""}` and a comma with a record id of 56 characters, as Firehose's are (96 bytes),
 * and base64's padding (at most 8/3 bytes over 4/3 × the line), rounded up.
 */
export const RESPONSE_RECORD_OVERHEAD_BYTES = 99;

/**
 * The most UTF-8 bytes the stored line of a record of `inputBytes` may take (newline included):
 * the line whose base64, with the record's overhead, is its response budget.
 */
export function storedLineBound(inputBytes: number): number {
  return Math.floor(((RESPONSE_BYTES_PER_INPUT_BYTE * inputBytes - RESPONSE_RECORD_OVERHEAD_BYTES) * 3) / 4);
}

/** Why a stored line of `storedBytes` may not stand for a record of `inputBytes`, or undefined. */
export function growthRefusal(inputBytes: number, storedBytes: number): Refusal | undefined {
  const bound = storedLineBound(inputBytes);
  if (storedBytes <= bound) return undefined;
  return {
    reason: 'enriched_event_too_large',
    message:
      `the stored event would take ${storedBytes} bytes, ${(storedBytes / inputBytes).toFixed(2)} × the ` +
      `record's ${inputBytes}; at most ${bound} are allowed for a record of that size`,
  };
}
