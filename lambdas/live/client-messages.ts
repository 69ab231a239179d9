import type { ConnectionStore } from './ports';
import {
  acknowledgement,
  errorMessage,
  MAX_SUBSCRIPTIONS_PER_CONNECTION,
  parseClientMessage,
  refusal,
  type ServerMessage,
  TAIL_NOT_ON_STACK,
} from './protocol';

/**
 * The deployed stack's answer to one client message (the subscribe, unsubscribe and $default
 * routes). Every message gets exactly one answer, and none closes the connection. A store failure
 * is thrown for the handler to log and answer as `internal_error`.
 */
export async function answerClientMessage(
  text: string,
  connectionId: string,
  store: ConnectionStore,
  now: number,
): Promise<ServerMessage> {
  const parsed = parseClientMessage(text);
  if (!parsed.ok) return refusal(parsed);
  const { message } = parsed;
  switch (message.action) {
    case 'tail':
    case 'untail':
      return TAIL_NOT_ON_STACK;
    case 'unsubscribe':
      await store.unsubscribe(connectionId, message.advertiserId);
      return acknowledgement(message);
    case 'subscribe': {
      const outcome = await store.subscribe(connectionId, message.advertiserId, now);
      if (outcome === 'subscribed') return acknowledgement(message);
      if (outcome === 'too_many_subscriptions') {
        return errorMessage(
          'too_many_subscriptions',
          `a connection may follow at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} advertisers; unsubscribe from one first`,
        );
      }
      return errorMessage(
        'internal_error',
        'this connection is not registered (it may have outlived its 2 hours); reconnect and subscribe again',
      );
    }
  }
}
