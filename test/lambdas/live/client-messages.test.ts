import { describe, expect, it } from 'vitest';
import { answerClientMessage } from '../../../lambdas/live/client-messages';
import type { ConnectionStore, SubscribeOutcome } from '../../../lambdas/live/ports';

/** A store that records calls and answers subscribe with a fixed outcome. */
function fakeStore(outcome: SubscribeOutcome = 'subscribed') {
  const calls: string[] = [];
  const store: ConnectionStore = {
    open: async () => undefined,
    subscribe: async (connectionId, advertiserId) => {
      calls.push(`subscribe ${connectionId} ${advertiserId}`);
      return outcome;
    },
    unsubscribe: async (connectionId, advertiserId) => {
      calls.push(`unsubscribe ${connectionId} ${advertiserId}`);
    },
    close: async () => undefined,
    subscribers: async () => [],
  };
  return { store, calls };
}

describe('answerClientMessage (the stack)', () => {
  it('subscribes and acknowledges', async () => {
    const { store, calls } = fakeStore();

    const answer = await answerClientMessage(
      '{"action":"subscribe","advertiser_id":"adv-1"}',
      'c1',
      store,
      0,
    );

    expect(answer).toEqual({ type: 'subscribed', advertiser_id: 'adv-1' });
    expect(calls).toEqual(['subscribe c1 adv-1']);
  });

  it('unsubscribes and acknowledges', async () => {
    const { store, calls } = fakeStore();

    const answer = await answerClientMessage(
      '{"action":"unsubscribe","advertiser_id":"adv-1"}',
      'c1',
      store,
      0,
    );

    expect(answer).toEqual({ type: 'unsubscribed', advertiser_id: 'adv-1' });
    expect(calls).toEqual(['unsubscribe c1 adv-1']);
  });

  it.each([
    ['too_many_subscriptions', 'too_many_subscriptions'],
    ['unknown_connection', 'internal_error'],
  ] as const)('answers a subscribe the store refuses as %s with error %s', async (outcome, error) => {
    const answer = await answerClientMessage(
      '{"action":"subscribe","advertiser_id":"adv-1"}',
      'c1',
      fakeStore(outcome).store,
      0,
    );

    expect(answer).toMatchObject({ type: 'error', error });
  });

  it.each(['{"action":"tail"}', '{"action":"untail"}'])(
    'answers %s: not available on a stack',
    async (text) => {
      const { store, calls } = fakeStore();

      expect(await answerClientMessage(text, 'c1', store, 0)).toMatchObject({
        type: 'error',
        error: 'not_available_on_stack',
      });
      expect(calls).toEqual([]);
    },
  );

  it('answers a bad message with its typed error and touches nothing', async () => {
    const { store, calls } = fakeStore();

    expect(await answerClientMessage('{"action":"subscribe"}', 'c1', store, 0)).toMatchObject({
      type: 'error',
      error: 'bad_advertiser_id',
    });
    expect(calls).toEqual([]);
  });
});
