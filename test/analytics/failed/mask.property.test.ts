import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HIDDEN,
  maskEvent,
  maskedUrl,
  PERSONAL_FIELDS,
  SHOWN_FIELDS,
  URL_FIELDS,
} from '../../../analytics/failed/mask';
import schema from '../../../contract/event.schema.json' with { type: 'json' };
import { validEventArbitrary } from '../../contract/validate-cases';

/** A value no masked output may contain: a marker no shown field or key of these events holds. */
const secret = fc.string({ minLength: 4, maxLength: 30 }).map((text) => `SECRET-${text}`);

/** Any JSON value with a secret somewhere inside. */
const secretValue = fc.oneof(
  secret,
  secret.map((s) => ({ nested: s })),
  secret.map((s) => [1, s]),
);

/** URLs whose query, fragment and credentials carry the secret. */
const secretUrl = fc
  .tuple(fc.webUrl({ withQueryParameters: false, withFragments: false }), secret)
  .chain(([url, s]) =>
    fc.constantFrom(
      `${url}?email=${encodeURIComponent(s)}`,
      `${url}#${encodeURIComponent(s)}`,
      url.replace('://', `://${encodeURIComponent(s)}:pw@`),
      `${url}?a=1&token=${encodeURIComponent(s)}#x`,
    ),
  );

describe('masking a failed event', () => {
  it('never shows a personal field, an unknown field, a property value or a URL query', () => {
    fc.assert(
      fc.property(
        validEventArbitrary,
        fc.dictionary(fc.constantFrom(...PERSONAL_FIELDS, 'email', 'phone', 'extra'), secretValue),
        fc.dictionary(fc.string({ maxLength: 10 }), secretValue, { maxKeys: 5 }),
        fc.record({ url: secretUrl, referrer: secretUrl }, { requiredKeys: [] }),
        (event, personal, properties, urls) => {
          const input: Record<string, unknown> = { ...event, ...personal, ...urls, properties };
          const shown = JSON.stringify(maskEvent(input));

          expect(shown).not.toMatch(/SECRET-/);
          for (const field of Object.keys(personal)) expect(maskEvent(input)[field]).toBe(HIDDEN);
        },
      ),
    );
  });

  it('hides the value of a shown field when it is no scalar (it may hold anything)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SHOWN_FIELDS), secret, (field, s) => {
        expect(JSON.stringify(maskEvent({ [field]: { value: s } }))).not.toContain('SECRET-');
        expect(JSON.stringify(maskEvent({ [field]: [s] }))).not.toContain('SECRET-');
      }),
    );
  });

  it('shows what identifies the event and why it failed, and the names of properties', () => {
    const masked = maskEvent({
      event_id: 'e-1',
      event_type: 'click',
      advertiser_id: 'adv-1',
      event_time: '2026-11-22T07:35:00Z',
      revenue: 12.5,
      user_id: 'u-1',
      ip: '203.0.113.7',
      url: 'https://user:pw@shop.example/cart/42?email=a%40b.c#top',
      referrer: 'not a url',
      properties: { plan: { tier: 'pro' }, tags: ['a'] },
      email: 'a@b.c',
    });

    expect(masked).toEqual({
      event_id: 'e-1',
      event_type: 'click',
      advertiser_id: 'adv-1',
      event_time: '2026-11-22T07:35:00Z',
      revenue: 12.5,
      user_id: HIDDEN,
      ip: HIDDEN,
      url: `https://shop.example/cart/42?${HIDDEN}#${HIDDEN}`,
      referrer: HIDDEN,
      properties: { plan: { tier: HIDDEN }, tags: HIDDEN },
      email: HIDDEN,
    });
  });

  it('bounds what it shows of a huge record', () => {
    const wide = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`f${i}`, i]));
    const masked = maskEvent({ event_id: 'x'.repeat(10_000), ...wide });

    expect(JSON.stringify(masked).length).toBeLessThan(2000);
    expect(masked['…']).toBe('461 more fields');
  });

  it('puts every field of the stored format in one list: shown, URL or personal', () => {
    const all = [...SHOWN_FIELDS, ...URL_FIELDS, ...PERSONAL_FIELDS, 'properties'];
    expect(new Set(all).size).toBe(all.length);
    expect([...all].sort()).toEqual(Object.keys(schema.$defs.StoredEvent.properties).sort());
  });

  it.each([
    ['https://shop.example/a', 'https://shop.example/a'],
    ['https://shop.example/a?', `https://shop.example/a?${HIDDEN}`],
    ['mailto:a@b.c', HIDDEN],
    [42, HIDDEN],
  ])('shows the URL %j as %j', (url, shown) => {
    expect(maskedUrl(url)).toBe(shown);
  });
});
