import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_RECORD_BYTES } from '../../contract/index';
import { decodeEvent, encodeEvent } from '../../tracker/encode';
import { validEventArbitrary } from '../contract/validate-cases';
import { anEvent, untyped } from './scripted-firehose';

const fixedId = () => '0190f2a8-0000-7000-8000-000000000001';
const SENT_AT = Date.UTC(2026, 10, 22, 7, 36);

describe('encodeEvent', () => {
  it('fills event_id and sent_at when absent, on a copy', () => {
    const input = anEvent();

    const encoded = encodeEvent(input, fixedId, SENT_AT);

    expect(encoded).toMatchObject({ ok: true, eventId: fixedId() });
    if (!encoded.ok) return;
    expect(decodeEvent(encoded.data)).toEqual({ ...input, event_id: fixedId(), sent_at: SENT_AT });
    expect(input).not.toHaveProperty('event_id');
    expect(input).not.toHaveProperty('sent_at');
  });

  it('keeps an event_id and sent_at the caller set', () => {
    const input = anEvent({ event_id: 'caller-id', sent_at: '2026-11-22T07:35:01.000Z' });

    const encoded = encodeEvent(input, fixedId, SENT_AT);

    expect(encoded.ok && decodeEvent(encoded.data)).toMatchObject({
      event_id: 'caller-id',
      sent_at: '2026-11-22T07:35:01.000Z',
    });
  });

  it('makes any valid event, as filled, one JSON line', () => {
    fc.assert(
      fc.property(validEventArbitrary, (event) => {
        const encoded = encodeEvent(event, fixedId, SENT_AT);

        expect(encoded.ok).toBe(true);
        if (!encoded.ok) return;
        const sent = { ...event, sent_at: event.sent_at ?? SENT_AT };
        expect(encoded.data).toEqual(Buffer.from(`${JSON.stringify(sent)}\n`));
        expect(encoded.data.toString('utf8').slice(0, -1)).not.toContain('\n');
      }),
    );
  });

  it.each([
    ['not an object', 'a string', 'not_an_object', undefined],
    ['an array', [anEvent()], 'not_an_object', undefined],
    [
      'a missing field',
      { event_type: 'click', event_time: 1763796900000 },
      'missing_required_field',
      '/advertiser_id',
    ],
    ['an unknown field', { ...anEvent(), color: 'red' }, 'unknown_field', '/color'],
    ['a bad event type', anEvent({ event_type: 'Click!' }), 'invalid_event_type', '/event_type'],
    ['a bad timestamp', anEvent({ event_time: 'yesterday' }), 'invalid_timestamp', '/event_time'],
    ['negative revenue', anEvent({ revenue: -1 }), 'invalid_money', '/revenue'],
  ])('refuses %s with the contract reason', (_name, input, reason, field) => {
    const encoded = encodeEvent(untyped(input), fixedId, SENT_AT);

    expect(encoded.ok).toBe(false);
    expect(encoded).toMatchObject({ reason, ...(field === undefined ? {} : { field }) });
  });

  it('refuses an event whose JSON line passes the Firehose record limit, with its exact size', () => {
    // 200 strings of 4,096 characters (the most values and the longest strings the contract
    // allows): valid for the schema, 1.6 MB as JSON.
    const long = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`s${i}`, 'é'.repeat(4096)]));
    const input = anEvent({ properties: { a: long, b: long } });
    const line = `${JSON.stringify({ ...input, event_id: fixedId(), sent_at: SENT_AT })}\n`;

    const encoded = encodeEvent(input, fixedId, SENT_AT);

    expect(encoded).toMatchObject({ ok: false, reason: 'record_too_large' });
    expect(encoded.ok ? '' : encoded.message).toBe(
      `the event is ${Buffer.byteLength(line)} bytes as a JSON line; a Firehose record holds at most ${MAX_RECORD_BYTES}`,
    );
  });
});
