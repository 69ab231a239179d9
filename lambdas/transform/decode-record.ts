import { isUtf8 } from 'node:buffer';
import { MAX_RECORD_BYTES, type Refusal } from '../../contract';

export type Decoded = { ok: true; value: unknown; plainStrings: boolean } | ({ ok: false } & Refusal);

/**
 * Firehose record data (base64) to a parsed JSON value, refusing anything that is not strict
 * base64 of UTF-8 JSON within the record size limit. Valid UTF-8 can still escape half of a
 * surrogate pair (`"\ud800"`), which JSON.parse turns into a lone surrogate in a key or a value:
 * the contract's validator refuses that (`malformed_unicode`).
 * `plainStrings` says that the text has no backslash: JSON can write a quote, a backslash, a
 * control character or a lone surrogate inside a string only as an escape (and valid UTF-8 holds
 * no surrogates), so then no string in the value holds a character that JSON.stringify would
 * escape, and each can be written back as it is.
 */
export function decodeRecord(data: unknown): Decoded {
  if (typeof data !== 'string') return refuse('invalid_base64', 'record data is not a base64 string');
  const text = utf8Text(data);
  if (text === TOO_LARGE) {
    return refuse('record_too_large', `the record is larger than ${MAX_RECORD_BYTES} bytes`);
  }
  if (text === NOT_BASE64) return refuse('invalid_base64', 'record data is not valid base64');
  if (text === NOT_UTF8) return refuse('invalid_utf8', 'record data is not valid UTF-8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return refuse('invalid_json', 'record data is not JSON');
  }
  return { ok: true, value, plainStrings: !text.includes('\\') };
}

// Why record data has no text; symbols, so that no decoded text can be mistaken for one.
const TOO_LARGE = Symbol('too large');
const NOT_BASE64 = Symbol('not base64');
const NOT_UTF8 = Symbol('not UTF-8');

/**
 * The text of strict base64 of UTF-8. atob decodes straight to a string of one character per byte:
 * for ASCII, nearly every clickstream payload, that already is the text, without a Buffer or a
 * UTF-8 decoding pass. atob refuses characters outside the standard alphabet (so also the URL-safe
 * one) and padding anywhere but at the end, but skips ASCII whitespace and accepts missing
 * padding: the length checks refuse those, as a skipped character makes the output shorter than
 * the input length promises.
 */
function utf8Text(data: string): string | typeof TOO_LARGE | typeof NOT_BASE64 | typeof NOT_UTF8 {
  if (data.length % 4 !== 0) return NOT_BASE64;
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  const expectedBytes = (data.length / 4) * 3 - padding;
  if (expectedBytes > MAX_RECORD_BYTES) return TOO_LARGE;
  let latin1: string;
  try {
    latin1 = atob(data);
  } catch {
    return NOT_BASE64;
  }
  if (latin1.length !== expectedBytes) return NOT_BASE64;
  // Each character above U+007F takes two bytes in UTF-8: equal lengths mean every byte is ASCII.
  if (Buffer.byteLength(latin1, 'utf8') === latin1.length) return latin1;
  const bytes = Buffer.from(latin1, 'latin1');
  return isUtf8(bytes) ? bytes.toString('utf8') : NOT_UTF8;
}

function refuse(reason: Refusal['reason'], message: string): { ok: false } & Refusal {
  return { ok: false, reason, message };
}
