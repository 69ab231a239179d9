import { EventEmitter } from 'node:events';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { LiveHub } from '../../../local/server/live-hub';
import { windowSummary } from '../../lambdas/aggregator/support/builders';

/** An open connection as the hub sees one; the test plays the client. */
class FakeConnection extends EventEmitter {
  received: { type: string; [key: string]: unknown }[] = [];
  bufferedAmount = 0;
  terminated = false;
  send(data: string): void {
    this.received.push(JSON.parse(data));
  }
  close(): void {
    this.emit('close');
  }
  ping(): void {}
  terminate(): void {
    this.terminated = true;
    this.emit('close');
  }
  say(message: unknown): void {
    this.emit('message', Buffer.from(JSON.stringify(message)), false);
  }
}

const ADVERTISERS = ['adv-1', 'adv-2', 'adv-3'];
const stored = (advertiserId: string) =>
  windowSummary({ advertiserId, windowStart: Date.parse('2026-11-22T12:00:00Z'), computedAt: 1, events: 1 });

describe('live hub', () => {
  it('pushes a stored window only to the connections following its advertiser, in the API JSON form', () => {
    const hub = new LiveHub();
    const [a, b] = [new FakeConnection(), new FakeConnection()];
    hub.accept(a);
    hub.accept(b);
    a.say({ action: 'subscribe', advertiser_id: 'adv-1' });
    b.say({ action: 'subscribe', advertiser_id: 'adv-2' });

    hub.publishSummaries([stored('adv-1')]);

    expect(a.received.at(-1)).toMatchObject({
      type: 'summary',
      summary: { advertiser_id: 'adv-1', events: 1, window_start: '2026-11-22T12:00:00.000Z' },
    });
    expect(b.received.map((m) => m.type)).toEqual(['subscribed']);
    void hub.close();
  });

  it('forgets a closed connection: nothing more is sent to it, and it counts no more', () => {
    const hub = new LiveHub();
    const a = new FakeConnection();
    hub.accept(a);
    a.say({ action: 'subscribe', advertiser_id: 'adv-1' });
    a.say({ action: 'tail' });

    a.emit('close');
    hub.publishSummaries([stored('adv-1')]);

    expect(a.received).toHaveLength(2);
    expect(hub.isFollowed('adv-1')).toBe(false);
    expect(hub.wantsTail()).toBe(false);
    expect(hub.connections).toBe(0);
    void hub.close();
  });

  it('after any sequence of subscribe and unsubscribe messages on any connections, pushes reach exactly the current subscribers', () => {
    const step = fc.record({
      connection: fc.integer({ min: 0, max: 2 }),
      action: fc.constantFrom('subscribe', 'unsubscribe', 'close'),
      advertiser: fc.constantFrom(...ADVERTISERS),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        const hub = new LiveHub();
        const connections = [new FakeConnection(), new FakeConnection(), new FakeConnection()];
        for (const c of connections) hub.accept(c);
        const expected = connections.map(() => new Set<string>());
        const open = connections.map(() => true);
        for (const { connection, action, advertiser } of steps) {
          if (!open[connection]) continue;
          if (action === 'close') {
            connections[connection]!.emit('close');
            open[connection] = false;
            continue;
          }
          connections[connection]!.say({ action, advertiser_id: advertiser });
          if (action === 'subscribe') expected[connection]!.add(advertiser);
          else expected[connection]!.delete(advertiser);
        }
        for (const c of connections) c.received = [];

        hub.publishSummaries(ADVERTISERS.map(stored));

        connections.forEach((c, i) => {
          const pushed = c.received.map((m) => (m.summary as { advertiser_id: string }).advertiser_id);
          expect(pushed.sort()).toEqual(open[i] ? [...expected[i]!].sort() : []);
        });
        void hub.close();
      }),
    );
  });

  it('ends a connection that did not answer the previous ping', () => {
    vi.useFakeTimers();
    const hub = new LiveHub({ pingIntervalSeconds: 30 });
    const quiet = new FakeConnection();
    const answering = new FakeConnection();
    answering.ping = () => answering.emit('pong');
    hub.accept(quiet);
    hub.accept(answering);

    vi.advanceTimersByTime(30_000);
    expect(quiet.terminated).toBe(false);
    vi.advanceTimersByTime(30_000);

    expect(quiet.terminated).toBe(true);
    expect(answering.terminated).toBe(false);
    expect(hub.connections).toBe(1);
    void hub.close();
    vi.useRealTimers();
  });
});
