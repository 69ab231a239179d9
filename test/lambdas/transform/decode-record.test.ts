import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRecord } from '../../../lambdas/transform/decode-record';

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The decoding rules written the slow, obvious way: a strict regular expression and a Buffer. */
function referenceDecode(data: string): { reason: string } | { value: unknown } {
  if (!STRICT_BASE64.test(data)) return { reason: 'invalid_base64' };
  const bytes = Buffer.from(data, 'base64');
  if (!isUtf8(bytes)) return { reason: 'invalid_utf8' };
  try {
    return { value: JSON.parse(bytes.toString('utf8')) };
  } catch {
    return { reason: 'invalid_json' };
  }
}

const base64Of = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64');
const nearBase64Char = fc.constantFrom(
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
  ...'==-_ \n\té',
);
/** Base64 of JSON (often non-ASCII), of arbitrary bytes, with a character inserted, or near-base64 text. */
const recordData = fc.oneof(
  fc.jsonValue().map((value) => base64Of(JSON.stringify(value))),
  fc.string({ unit: 'binary', maxLength: 30 }).map((text) => base64Of(JSON.stringify({ text }))),
  fc.uint8Array({ maxLength: 40 }).map(base64Of),
  fc
    .tuple(fc.uint8Array({ maxLength: 40 }).map(base64Of), fc.nat(), nearBase64Char)
    .map(
      ([data, at, char]) => data.slice(0, at % (data.length + 1)) + char + data.slice(at % (data.length + 1)),
    ),
  fc.string({ unit: nearBase64Char, maxLength: 24 }),
);

/** Every string in a JSON value, keys included. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => [key, ...stringsIn(item)]);
  }
  return [];
}

describe('decodeRecord', () => {
  it('accepts and refuses exactly what strict base64 of UTF-8 JSON decoding does', () => {
    fc.assert(
      fc.property(recordData, (data) => {
        const decoded = decodeRecord(data);

        const expected = referenceDecode(data);
        if ('value' in expected) expect(decoded).toMatchObject({ ok: true, value: expected.value });
        else expect(decoded).toMatchObject({ ok: false, reason: expected.reason });
      }),
      { numRuns: 2000 },
    );
  });

  it('says plainStrings only when every string and key of the value is its own JSON text between quotes', () => {
    fc.assert(
      fc.property(recordData, (data) => {
        const decoded = decodeRecord(data);

        if (decoded.ok && decoded.plainStrings) {
          for (const text of stringsIn(decoded.value)) expect(JSON.stringify(text)).toBe(`"${text}"`);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['a quote', '{"a":"say \\"hi\\""}', false],
    ['a newline', '{"a":"x\\ny"}', false],
    ['an escaped lone surrogate', '{"a":"\\ud800"}', false],
    ['an escaped plain letter', '{"a":"\\u0041"}', false],
    ['non-ASCII text', '{"a":"bücher"}', true],
    ['plain ASCII text', '{"a":"x","b":[1,"y"]}', true],
  ])('with %s in a string says plainStrings %s', (_name, json, plainStrings) => {
    expect(decodeRecord(base64Of(json))).toMatchObject({ ok: true, plainStrings });
  });
});
