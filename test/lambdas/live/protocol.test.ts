import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  acknowledgement,
  encodeServerMessage,
  MAX_CLIENT_MESSAGE_BYTES,
  parseClientMessage,
} from '../../../lambdas/live/protocol';

describe('parseClientMessage', () => {
  it.each([
    ['{"action":"subscribe","advertiser_id":"adv-1"}', { action: 'subscribe', advertiserId: 'adv-1' }],
    ['{"action":"unsubscribe","advertiser_id":"A_9"}', { action: 'unsubscribe', advertiserId: 'A_9' }],
    ['{"action":"tail"}', { action: 'tail' }],
    [' {"action":"untail"} ', { action: 'untail' }],
  ])('reads %s', (text, message) => {
    expect(parseClientMessage(text)).toEqual({ ok: true, message });
  });

  it.each([
    ['not json', 'not_json'],
    ['', 'not_json'],
    ['[1,2]', 'bad_message'],
    ['null', 'bad_message'],
    ['"subscribe"', 'bad_message'],
    ['{"advertiser_id":"adv-1"}', 'bad_message'],
    ['{"action":7}', 'bad_message'],
    ['{"action":"sendmessage"}', 'unknown_action'],
    ['{"action":"$default"}', 'unknown_action'],
    ['{"action":"subscribe"}', 'bad_advertiser_id'],
    ['{"action":"subscribe","advertiser_id":""}', 'bad_advertiser_id'],
    ['{"action":"subscribe","advertiser_id":"-starts-with-dash"}', 'bad_advertiser_id'],
    ['{"action":"subscribe","advertiser_id":"a/b"}', 'bad_advertiser_id'],
    ['{"action":"subscribe","advertiser_id":12}', 'bad_advertiser_id'],
    [`{"action":"subscribe","advertiser_id":"${'a'.repeat(65)}"}`, 'bad_advertiser_id'],
    ['{"action":"subscribe","advertiser_id":"adv-1","extra":1}', 'bad_message'],
    ['{"action":"tail","advertiser_id":"adv-1"}', 'bad_message'],
    [`{"action":"tail","pad":"${'x'.repeat(MAX_CLIENT_MESSAGE_BYTES)}"}`, 'message_too_large'],
  ])('refuses %s as %s', (text, error) => {
    const parsed = parseClientMessage(text);
    expect(parsed).toMatchObject({ ok: false, error });
    expect(parsed.ok ? '' : parsed.message).not.toBe('');
  });

  it('answers every string with one typed outcome and never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.string({ unit: 'binary' })), (text) => {
        const parsed = parseClientMessage(text);
        expect(typeof parsed.ok).toBe('boolean');
      }),
    );
  });

  it('round-trips every valid subscribe', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/), fc.boolean(), (id, subscribe) => {
        const action = subscribe ? 'subscribe' : 'unsubscribe';
        expect(parseClientMessage(JSON.stringify({ action, advertiser_id: id }))).toEqual({
          ok: true,
          message: { action, advertiserId: id },
        });
      }),
    );
  });
});

describe('server messages', () => {
  it.each([
    [{ action: 'subscribe', advertiserId: 'adv-1' } as const, { type: 'subscribed', advertiser_id: 'adv-1' }],
    [
      { action: 'unsubscribe', advertiserId: 'adv-1' } as const,
      { type: 'unsubscribed', advertiser_id: 'adv-1' },
    ],
    [{ action: 'tail' } as const, { type: 'subscribed', tail: true }],
    [{ action: 'untail' } as const, { type: 'unsubscribed', tail: true }],
  ])('acknowledges %o', (message, expected) => {
    expect(JSON.parse(encodeServerMessage(acknowledgement(message)))).toEqual(expected);
  });
});
