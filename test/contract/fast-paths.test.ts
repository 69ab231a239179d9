import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { storedFormMillis, toEpochMillis, toUtcIso } from '../../contract';
import { codePointCount, codePointLengthLimits } from '../../contract/length-keywords';

// The years toISOString writes with four digits, the only ones the stored form has.
const FIRST_MS_OF_0000 = Date.parse('0000-01-01T00:00:00.000Z');
const LAST_MS_OF_9999 = Date.parse('9999-12-31T23:59:59.999Z');

describe('storedFormMillis', () => {
  it('reads back every time that toUtcIso writes', () => {
    fc.assert(
      fc.property(fc.integer({ min: FIRST_MS_OF_0000, max: LAST_MS_OF_9999 }), (epochMs) => {
        expect(storedFormMillis(toUtcIso(epochMs))).toBe(epochMs);
      }),
    );
  });

  it('accepts a text of the stored shape exactly when it is the stored form of a real time', () => {
    const digits = (n: number) =>
      fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
    const shaped = fc
      .tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2), digits(3))
      .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
    fc.assert(
      fc.property(shaped, (text) => {
        const parsed = Date.parse(text);
        const roundTrips = !Number.isNaN(parsed) && new Date(parsed).toISOString() === text;
        expect(storedFormMillis(text)).toBe(roundTrips ? parsed : Number.NaN);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['a leap second, which becomes the next minute', '2026-06-30T23:59:60.000Z'],
    ['a day the month does not have', '2026-02-29T10:00:00.000Z'],
    ['a lower-case z', '2026-11-22T10:00:00.000z'],
    ['an offset', '2026-11-22T10:00:00.000+00:00'],
    ['no milliseconds', '2026-11-22T10:00:00Z'],
    ['a space for T', '2026-11-22 10:00:00.000Z'],
    ['a sign in a digit place', '2026-11-22T10:00:0+.000Z'],
  ])('refuses %s, which the general parse still reads or refuses', (_label, text) => {
    expect(storedFormMillis(text)).toBeNaN();
  });

  it('leaves the other RFC 3339 forms to the general parse', () => {
    expect(toEpochMillis('2026-06-30T23:59:60.000Z')).toBe(Date.UTC(2026, 6, 1));
    expect(toEpochMillis('2026-11-22t10:00:00.000z')).toBe(Date.UTC(2026, 10, 22, 10));
    expect(toEpochMillis('2026-11-22T11:00:00+01:00')).toBe(Date.UTC(2026, 10, 22, 10));
    expect(toEpochMillis('2026-02-29T10:00:00.000Z')).toBeNaN();
  });
});

describe('codePointLengthLimits', () => {
  // Every UTF-16 unit, lone surrogates included, so strings mix one- and two-unit code points.
  const anyText = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)) });
  const astralText = fc.string({ unit: 'binary', maxLength: 12 });
  const ours = new Ajv2020().removeKeyword('maxLength').removeKeyword('minLength');
  ours.addKeyword(codePointLengthLimits);
  const ajvs = new Ajv2020();
  const limits = Array.from({ length: 13 }, (_, limit) => limit);
  const validators = (ajv: Ajv2020, keyword: string) =>
    limits.map((limit) => ajv.compile({ type: 'string', [keyword]: limit }));

  it.each(['maxLength', 'minLength'])(
    'decides %s exactly as ajv’s own rule does, with the same error',
    (keyword) => {
      const mineByLimit = validators(ours, keyword);
      const referenceByLimit = validators(ajvs, keyword);
      fc.assert(
        fc.property(fc.oneof(anyText, astralText), fc.constantFrom(...limits), (text, limit) => {
          const mine = mineByLimit[limit] as ValidateFunction;
          const reference = referenceByLimit[limit] as ValidateFunction;
          expect(mine(text)).toBe(reference(text));
          expect(mine.errors ?? null).toEqual(reference.errors ?? null);
        }),
        { numRuns: 1000 },
      );
    },
  );

  it('counts a surrogate pair as one code point and a lone surrogate as one', () => {
    expect(codePointCount('a😀b')).toBe(3);
    expect(codePointCount('\ud83d')).toBe(1);
    expect(codePointCount('\ude00\ud83d')).toBe(2);
  });
});
