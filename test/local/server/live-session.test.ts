import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAdvertiserId } from '../../../lambdas/aggregator/advertiser-id';
import { LIVE_ERROR_CODES, MAX_SUBSCRIPTIONS_PER_CONNECTION } from '../../../lambdas/live/protocol';
import { LiveSession, type LiveSocket, SLOW_CONSUMER_CLOSE } from '../../../local/server/live-session';

/** A socket that records what is sent; `buffered` is what the client has not read yet. */
class FakeSocket implements LiveSocket {
  sent: Record<string, unknown>[] = [];
  closedWith: { code: number; reason: string } | undefined;
  buffered = 0;
  get bufferedAmount(): number {
    return this.buffered;
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
  }
}

function session(limits = { tailBytes: 1000, maxBytes: 10_000 }) {
  const socket = new FakeSocket();
  return { socket, live: new LiveSession(socket, limits) };
}

const tailEvent = {
  received_at: '2026-11-22T12:00:00.000Z',
  outcome: 'ok' as const,
  event: { event_id: 'e1' },
};

describe('live session: client messages', () => {
  it.each([
    [
      'subscribe',
      { action: 'subscribe', advertiser_id: 'adv-1' },
      { type: 'subscribed', advertiser_id: 'adv-1' },
    ],
    [
      'unsubscribe',
      { action: 'unsubscribe', advertiser_id: 'adv-1' },
      { type: 'unsubscribed', advertiser_id: 'adv-1' },
    ],
    ['tail', { action: 'tail' }, { type: 'subscribed', tail: true }],
    ['untail', { action: 'untail' }, { type: 'unsubscribed', tail: true }],
  ])('acknowledges %s', (_, message, answer) => {
    const { socket, live } = session();

    live.receive(JSON.stringify(message), false);

    expect(socket.sent).toEqual([answer]);
  });

  it.each([
    ['text that is not JSON', 'subscribe adv-1', 'not_json'],
    ['a JSON array', '[1]', 'bad_message'],
    ['an object without action', '{"advertiser_id":"adv-1"}', 'bad_message'],
    ['an unknown action', '{"action":"watch"}', 'unknown_action'],
    ['a member the action does not take', '{"action":"tail","advertiser_id":"adv-1"}', 'bad_message'],
    ['a bad advertiser id', '{"action":"subscribe","advertiser_id":"-x"}', 'bad_advertiser_id'],
    ['a missing advertiser id', '{"action":"unsubscribe"}', 'bad_advertiser_id'],
    ['a message over 1 KiB', JSON.stringify({ action: 'tail', pad: 'x'.repeat(1100) }), 'message_too_large'],
  ])('answers %s with a typed error and stays open', (_, text, error) => {
    const { socket, live } = session();

    live.receive(text, false);
    live.receive('{"action":"tail"}', false);

    expect(socket.sent[0]).toEqual({ type: 'error', error, message: expect.any(String) });
    expect(socket.sent[1]).toEqual({ type: 'subscribed', tail: true });
    expect(socket.closedWith).toBeUndefined();
  });

  it('answers a binary frame not_json', () => {
    const { socket, live } = session();

    live.receive(Buffer.from('{"action":"tail"}'), true);

    expect(socket.sent).toEqual([{ type: 'error', error: 'not_json', message: expect.any(String) }]);
    expect(live.tail).toBe(false);
  });

  it(`refuses a subscription beyond ${MAX_SUBSCRIPTIONS_PER_CONNECTION} and keeps the others`, () => {
    const { socket, live } = session();
    for (let i = 0; i < MAX_SUBSCRIPTIONS_PER_CONNECTION; i++) {
      live.receive(JSON.stringify({ action: 'subscribe', advertiser_id: `adv-${i}` }), false);
    }

    live.receive(JSON.stringify({ action: 'subscribe', advertiser_id: 'one-more' }), false);
    live.receive(JSON.stringify({ action: 'subscribe', advertiser_id: 'adv-0' }), false);

    expect(socket.sent.at(-2)).toMatchObject({ type: 'error', error: 'too_many_subscriptions' });
    expect(socket.sent.at(-1)).toEqual({ type: 'subscribed', advertiser_id: 'adv-0' });
    expect(live.subscriptions.size).toBe(MAX_SUBSCRIPTIONS_PER_CONNECTION);
  });
});

describe('live session: bounded sending', () => {
  it('skips tail messages while the client is behind and counts them in the next one', () => {
    const { socket, live } = session();
    live.receive('{"action":"tail"}', false);
    socket.buffered = 5_000;

    live.sendEvents([tailEvent, tailEvent]);
    live.sendEvents([tailEvent], 3);
    socket.buffered = 0;
    live.sendEvents([tailEvent]);

    expect(socket.sent.slice(1)).toEqual([{ type: 'events', events: [tailEvent], omitted: 6 }]);
    expect(socket.closedWith).toBeUndefined();
  });

  it('closes a connection a summary push would take past its limit, with the typed reason', () => {
    const { socket, live } = session();
    socket.buffered = 9_990;

    live.sendEncoded(JSON.stringify({ type: 'summary', summary: { advertiser_id: 'adv-1' } }));
    live.sendEncoded(JSON.stringify({ type: 'summary', summary: { advertiser_id: 'adv-1' } }));

    expect(socket.sent).toEqual([]);
    expect(socket.closedWith?.code).toBe(SLOW_CONSUMER_CLOSE.code);
    expect(socket.closedWith?.reason).toMatch(/^slow_consumer: /);
    expect(Buffer.byteLength(socket.closedWith?.reason ?? '')).toBeLessThanOrEqual(123);
    expect(live.isClosed).toBe(true);
  });

  it('sends no tail events to a session that does not follow the tail', () => {
    const { socket, live } = session();

    live.sendEvents([tailEvent]);

    expect(socket.sent).toEqual([]);
  });
});

// Messages a client may send: valid ones over a few advertisers, and arbitrary text.
const advertiser = fc.constantFrom('adv-1', 'adv-2', 'adv_3');
const clientMessage = fc.oneof(
  fc
    .record({ action: fc.constantFrom('subscribe', 'unsubscribe'), advertiser_id: advertiser })
    .map((m) => JSON.stringify(m)),
  fc.constantFrom('{"action":"tail"}', '{"action":"untail"}'),
  fc.string({ maxLength: 60 }),
  fc.json({ maxDepth: 2 }),
  fc
    .record({ action: fc.string({ maxLength: 12 }), advertiser_id: fc.string({ maxLength: 70 }) })
    .map((m) => JSON.stringify(m)),
);

// Malformed by construction: not JSON, not an object, no or an unknown action, members an action
// does not take, an advertiser id that is not one, or too long.
const notAnAdvertiserId = fc.oneof(
  fc.string({ maxLength: 80 }).filter((id) => !isAdvertiserId(id)),
  fc.integer(),
  fc.constant(null),
);
const malformedMessage = fc.oneof(
  fc.string({ maxLength: 60 }).filter((text) => {
    try {
      JSON.parse(text);
      return false;
    } catch {
      return true;
    }
  }),
  fc
    .oneof(fc.integer(), fc.string(), fc.array(fc.integer()), fc.constant(null))
    .map((v) => JSON.stringify(v)),
  fc
    .dictionary(
      fc.string({ maxLength: 10 }).filter((k) => k !== 'action'),
      fc.string(),
    )
    .map((m) => JSON.stringify(m)),
  fc
    .string({ maxLength: 20 })
    .filter((a) => !['subscribe', 'unsubscribe', 'tail', 'untail'].includes(a))
    .map((action) => JSON.stringify({ action })),
  fc
    .record({ action: fc.constantFrom('subscribe', 'unsubscribe'), advertiser_id: notAnAdvertiserId })
    .map((m) => JSON.stringify(m)),
  fc.record({ action: fc.constantFrom('tail', 'untail'), extra: fc.string() }).map((m) => JSON.stringify(m)),
  fc.string({ minLength: 1025, maxLength: 3000 }).map((pad) => JSON.stringify({ action: 'tail', pad })),
);

describe('live session: properties', () => {
  it('after any sequence of messages, follows exactly the advertisers subscribed and not unsubscribed since', () => {
    fc.assert(
      fc.property(fc.array(clientMessage, { maxLength: 40 }), (messages) => {
        const { socket, live } = session();
        const expected = new Set<string>();
        for (const text of messages) {
          live.receive(text, false);
          let parsed: { action?: unknown; advertiser_id?: unknown } | undefined;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          const valid = socket.sent.at(-1)?.type !== 'error';
          if (valid && parsed?.action === 'subscribe') expected.add(String(parsed.advertiser_id));
          if (valid && parsed?.action === 'unsubscribe') expected.delete(String(parsed.advertiser_id));
        }
        expect([...live.subscriptions].sort()).toEqual([...expected].sort());
        // One answer per message, and none closed the connection.
        expect(socket.sent).toHaveLength(messages.length);
        expect(socket.closedWith).toBeUndefined();
      }),
    );
  });

  it('answers every malformed message with a typed error and stays open', () => {
    fc.assert(
      fc.property(malformedMessage, (text) => {
        const { socket, live } = session();

        live.receive(text, false);
        live.receive('{"action":"tail"}', false);

        expect(socket.sent).toEqual([
          { type: 'error', error: expect.toBeOneOf([...LIVE_ERROR_CODES]), message: expect.any(String) },
          { type: 'subscribed', tail: true },
        ]);
        expect(live.subscriptions.size).toBe(0);
        expect(socket.closedWith).toBeUndefined();
      }),
    );
  });
});
