import { isUtf8 } from 'node:buffer';
import { MAX_RECORD_BYTES, type Refusal } from '../../contract';

export type Decoded = { ok: true; value: unknown } | ({ ok: false } & Refusal);

/**
 * Firehose record data (base64) to a parsed JSON value, refusing anything that is not strict
 * base64 of UTF-8 JSON within the record size limit.
 */
export function decodeRecord(data: unknown): Decoded {
  if (typeof data !== 'string') return refuse('invalid_base64', 'record data is not a base64 string');
  const bytes = strictBase64(data);
  if (bytes === 'too_large') {
    return refuse('record_too_large', `the record is larger than ${MAX_RECORD_BYTES} bytes`);
  }
  if (bytes === undefined) return refuse('invalid_base64', 'record data is not valid base64');
  if (!isUtf8(bytes)) return refuse('invalid_utf8', 'record data is not valid UTF-8');
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return refuse('invalid_json', 'record data is not JSON');
  }
  return { ok: true, value };
}

/**
 * Node's base64 decoder skips characters outside the alphabet and also accepts the URL-safe one,
 * so instead of a regex pass over every record: a skipped character makes the output shorter than
 * the input length promises, and the two URL-safe characters are looked for directly.
 */
function strictBase64(data: string): Buffer | 'too_large' | undefined {
  if (data.length % 4 !== 0) return undefined;
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  const expectedBytes = (data.length / 4) * 3 - padding;
  if (expectedBytes > MAX_RECORD_BYTES) return 'too_large';
  if (data.includes('-') || data.includes('_')) return undefined;
  const bytes = Buffer.from(data, 'base64');
  return bytes.length === expectedBytes ? bytes : undefined;
}

function refuse(reason: Refusal['reason'], message: string): { ok: false } & Refusal {
  return { ok: false, reason, message };
}
