import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../../../contract';
import schema from '../../../contract/event.schema.json' with { type: 'json' };
import { eventTimes, isRefusal, UtcFormatter } from '../../../lambdas/transform/event-times';
import { storedEventLine } from '../../../lambdas/transform/stored-event';
import { transformBatch } from '../../../lambdas/transform/transform-batch';
import { validEvent, validEventArbitrary } from '../../contract/validate-cases';
import { enrichersFor, lineOf, recordOf } from './firehose-records';

const LAST_STORABLE_MS = 4_102_444_799_999;
// Events arrive at LAST_STORABLE_MS: no client time is after it, and no age limit refuses one.
const ANY_AGE = { MAX_EVENT_AGE_DAYS: '36525' };

describe('storedEventLine', () => {
  it('writes every stored field, in the order of the schema', () => {
    const event = validEvent({
      publisher_id: 'pub-1',
      user_id: 'u-1',
      anonymous_id: 'anon-1',
      referrer: 'https://search.example/?q=shoes',
      cost: 0.25,
    });

    const line = lineOf(transformBatch([recordOf(event)], enrichersFor(), () => {}).records[0]);

    expect(Object.keys(JSON.parse(line))).toEqual(Object.keys(schema.$defs.StoredEvent.properties));
  });

  it('for any valid event, writes exactly the text JSON.stringify gives for the stored event', () => {
    const enrichers = enrichersFor(ANY_AGE);
    fc.assert(
      fc.property(fc.array(validEventArbitrary, { maxLength: 5 }), (events) => {
        const input = events.map((event, i) => recordOf(event, `r-${i}`, LAST_STORABLE_MS));

        const { records } = transformBatch(input, enrichers, () => {});

        for (const result of records.filter((r) => r.result === 'Ok')) {
          const line = lineOf(result);
          expect(line).toBe(`${JSON.stringify(JSON.parse(line))}\n`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('writes the same line without escaping when the sent JSON has no backslash', () => {
    const enrichers = enrichersFor({ IP_ANONYMISATION: 'keep', ...ANY_AGE });
    const formatter = new UtcFormatter();
    const plainEvents = validEventArbitrary.filter((event) => !JSON.stringify(event).includes('\\'));
    fc.assert(
      fc.property(plainEvents, (event: WireEvent) => {
        const times = eventTimes(event, LAST_STORABLE_MS, formatter, enrichers.config);
        fc.pre(!isRefusal(times));
        if (isRefusal(times)) return;

        const plain = storedEventLine(event, times, enrichers, true);

        expect(plain).toBe(storedEventLine(event, times, enrichers, false));
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['non-ASCII text', { campaign_id: 'été-2026', properties: { city: 'Zürich', 日本: '東京' } }],
    [
      'characters JSON escapes',
      { campaign_id: 'a "quoted" \\ name', properties: { note: 'tab\there\u2028' } },
    ],
    ['an astral character', { campaign_id: 'rocket 🚀', properties: { emoji: '🎉' } }],
  ])('keeps %s intact through the line and its base64', (_name, overrides) => {
    const event = validEvent(overrides);

    const line = lineOf(transformBatch([recordOf(event)], enrichersFor(), () => {}).records[0]);

    expect(JSON.parse(line)).toMatchObject({
      campaign_id: event.campaign_id,
      properties: expect.objectContaining(event.properties as object),
    });
    expect(line.indexOf('\n')).toBe(line.length - 1);
  });
});
