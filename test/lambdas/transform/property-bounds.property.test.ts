import fc from 'fast-check';
import { expect, it } from 'vitest';
import { indexedPropertyBytes, MAX_PROPERTY_VALUE_BYTES, type PropertiesDepth1 } from '../../../contract';
import { flatPropertiesJson } from '../../../lambdas/transform/flatten-properties';
import { transformBatch } from '../../../lambdas/transform/transform-batch';
import { validEvent } from '../../contract/validate-cases';
import { enrichersFor, recordOf, storedOf } from './firehose-records';

// The characters that cost the most once indexed: several UTF-8 bytes each, or escaped by the JSON
// text an array is flattened to (a control character becomes \u0001, six bytes).
const character = fc.constantFrom('x', 'é', '€', '🚀', '\u0001', '"', '\\', '\u2028');
/** A string of up to 4,096 code points (the schema's limit) of one or two repeated characters. */
const longString = fc
  .tuple(character, character, fc.integer({ min: 0, max: 4096 }), fc.integer({ min: 0, max: 4096 }))
  .map(
    ([a, b, n, m]) => a.repeat(Math.min(n, 4096 - Math.min(m, 4096 - n))) + b.repeat(Math.min(m, 4096 - n)),
  );
const leaf = fc.oneof(
  longString,
  fc.array(longString, { maxLength: 12 }),
  fc.array(fc.oneof(longString, fc.double({ noNaN: true }), fc.boolean(), fc.constant(null)), {
    maxLength: 6,
  }),
);
const key = fc.constantFrom('tags', 'a/b', 'k'.repeat(128), 'é'.repeat(128), '🚀'.repeat(64));
/** properties with up to three levels of long keys and long leaves. */
const properties = fc.dictionary(
  key,
  fc.oneof(
    leaf,
    fc.dictionary(key, fc.oneof(leaf, fc.dictionary(key, leaf, { maxKeys: 2 })), { maxKeys: 2 }),
  ),
  { minKeys: 1, maxKeys: 3 },
);

/** The terms flat_object would index for these properties, by their UTF-8 length. */
function indexedLengths(flat: Record<string, string | null>): number[] {
  return Object.entries(flat)
    .filter((entry): entry is [string, string] => entry[1] !== null)
    .map(([path, value]) => indexedPropertyBytes(path, value));
}

it('emits only properties whose every indexed term is within MAX_PROPERTY_VALUE_BYTES, and refuses only the others', () => {
  const enrichers = enrichersFor();
  fc.assert(
    fc.property(properties, (generated) => {
      const event = validEvent({ properties: generated });
      const refusals: string[] = [];

      const [result] = transformBatch([recordOf(event)], enrichers, (_id, refusal) =>
        refusals.push(refusal.reason),
      ).records;

      const wouldIndex = indexedLengths(
        JSON.parse(flatPropertiesJson(generated as PropertiesDepth1, false)) as Record<string, string | null>,
      );
      if (result?.result === 'Ok') {
        const stored = storedOf(result).properties as Record<string, string | null>;
        for (const length of indexedLengths(stored))
          expect(length).toBeLessThanOrEqual(MAX_PROPERTY_VALUE_BYTES);
      } else {
        expect(refusals).toEqual(['property_value_too_long']);
        expect(Math.max(...wouldIndex)).toBeGreaterThan(MAX_PROPERTY_VALUE_BYTES);
      }
    }),
    { numRuns: 150 },
  );
});
